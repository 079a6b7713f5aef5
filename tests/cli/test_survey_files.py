"""Survey files through `predict`: encodings, survey-tool exports, outputs kept whole, and every
bad input refused in one line (exit 1, no traceback, no output, the input untouched)."""

import csv
import datetime as dt
import io
import subprocess
import sys
import time
import unicodedata
import zipfile

import pandas as pd
import pyreadstat
import pytest
from openpyxl import Workbook, load_workbook

from classifier.tables import read_numbers, read_table

from ..conftest import ROOT
from .test_errors import assert_one_line_error

EXAMPLE = ROOT / "examples" / "kommuneundersokelsen_2020.csv"
ANSWER = unicodedata.normalize("NFD", "Åpent svar")


def example_rows() -> list[list[str]]:
    df = read_table(EXAMPLE).frame
    return [list(df.columns), *df.values.tolist()]


def write_text(path, rows, delimiter, encoding, bom=b""):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(bom + buf.getvalue().encode(encoding))
    return path


def assert_refused(result, src, before: bytes, folder, *fragments):
    """One line, exit 1, and nothing written beside the input, which is unchanged."""
    assert_one_line_error(result, *fragments)
    assert src.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [src.name]


@pytest.mark.parametrize("bom", [b"\xff\xfe", b""], ids=["with BOM", "without BOM"])
def test_excel_unicode_text_codes_exactly_like_utf8(cli, model_dir, tmp_path, bom):
    rows = example_rows()
    utf8 = write_text(tmp_path / "svar_utf8.csv", rows, ";", "utf-8")
    utf16 = write_text(tmp_path / "svar_unicode.txt", rows, "\t", "utf-16-le", bom)
    assert read_table(utf16).frame.equals(read_table(utf8).frame)
    outs = []
    for src in (utf8, utf16):
        out = tmp_path / f"{src.stem}_coded.csv"
        code, _, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--out", out)
        assert code == 0, err
        outs.append(read_table(out).frame)
    a, b = outs
    assert list(a.columns) == list(b.columns) and len(a) == len(rows) - 1
    numbers = [c for c in a.columns if c == "confidence" or c.startswith("p_")]
    assert a["confidence"].str.contains(",").any() and not b["confidence"].str.contains(",").any()  # ';' vs tab
    for column in a.columns:  # cell by cell; the numbers in each file's own convention
        if column in numbers:
            assert read_numbers(a[column]).equals(read_numbers(b[column])), column
        else:
            assert a[column].tolist() == b[column].tolist(), column


@pytest.mark.parametrize("name,content,fragment", [
    ("survey.csv", b"id;svar\x00\x01\x02\x00\xff\xfe\x00\x00\x00\x07" * 200, "binary data, not text"),
    ("survey.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "a PNG image"),
    ("survey.csv", b"PK\x03\x04" + b"\x00" * 200, "a ZIP archive"),
    ("survey.xlsx", None, "a ZIP archive without a workbook in it, not an Excel workbook"),
    ("survey.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "an old Excel .xls"),
])
def test_a_file_that_is_not_text_or_a_spreadsheet_is_refused(cli, model_dir, tmp_path, name, content, fragment):
    src = tmp_path / name
    if content is None:
        with zipfile.ZipFile(src, "w") as z:
            z.writestr("report.txt", "not a workbook")
    else:
        src.write_bytes(content)
    before = src.read_bytes()
    assert_refused(cli("predict", src, "--model", model_dir), src, before, tmp_path, "Cannot read", fragment)


def test_a_column_of_numbers_is_refused_as_text_column_unless_forced(cli, model_dir, tmp_path):
    src = tmp_path / "survey.csv"
    src.write_bytes(EXAMPLE.read_bytes())
    result = cli("predict", src, "--text-column", "innbyggere", "--model", model_dir)
    assert_refused(result, src, EXAMPLE.read_bytes(), tmp_path, "Column 'innbyggere'", "mostly numbers, dates or codes",
                   "Columns with text there: 'svar'", "--force-text-column")
    code, _, err = cli("predict", src, "--text-column", "innbyggere", "--force-text-column", "--model", model_dir)
    assert code == 0, err
    assert (tmp_path / "survey_coded.csv").is_file()


def test_unwritable_output_folder_is_found_before_the_work(cli, model_dir, tmp_path, locked, monkeypatch):
    from classifier.cli import predict as predict_cmd

    def must_not_run(*a, **k):
        raise AssertionError("coding started before the output was checked")

    monkeypatch.setattr(predict_cmd, "code_texts", must_not_run)
    folder = tmp_path / "out"
    folder.mkdir()
    locked(folder)
    assert_one_line_error(cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir,
                              "--out", folder / "coded.csv"), "Cannot write output", "coded.csv")
    assert list(folder.iterdir()) == []


def test_unwritable_output_folder_in_a_real_process_prints_no_traceback(model_dir, tmp_path, locked):
    folder = tmp_path / "out"
    folder.mkdir()
    locked(folder)
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "predict", str(EXAMPLE), "--text-column", "svar",
                           "--model", str(model_dir), "--out", str(folder / "coded.csv")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert [line for line in proc.stderr.splitlines() if line.strip()][0].startswith("Error: Cannot write output")


def test_existing_output_is_not_overwritten_without_the_option(cli, model_dir, tmp_path):
    src = tmp_path / "survey.csv"
    src.write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "survey_coded.csv"
    out.write_text("corrected by hand", encoding="utf-8")
    assert_one_line_error(cli("predict", src, "--text-column", "svar", "--model", model_dir),
                          "survey_coded.csv already exists", "--overwrite")
    assert out.read_text(encoding="utf-8") == "corrected by hand"
    code, stdout, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--overwrite")
    assert code == 0, err
    assert "Replacing" in stdout and "labels" in read_table(out).frame.columns


def survey_export(path, first_sheet_empty=False):
    """A survey-tool XLSX: two title rows, numbers, dates, an answer column named in NFD, a second sheet."""
    wb = Workbook()
    ws = wb.active
    if first_sheet_empty:
        ws.title = "Forside"
        ws = wb.create_sheet("Svar")
    else:
        ws.title = "Svar"
    ws.append(["Kommuneundersøkelsen 2020"])
    ws.append(["Eksportert fra Nettskjema 2020-05-01"])
    ws.append(["respondent", "kommune", "innbyggere", "levert", ANSWER])
    answers = ["Vi trenger flere språkpraksisplasser", "Godkjenning av utdanning tar for lang tid",
               "=SUM(A1:A2)", "Mentorordning og samarbeid med bedrifter", ""]
    for i, text in enumerate(answers):
        ws.append([1000 + i, "Oslo", 709000 + i, dt.datetime(2020, 4, 1 + i), text])
        ws.cell(ws.max_row, 5).data_type = "s"
    wb.create_sheet("Metadata").append(["Spørsmål", "Q12a", 2020])
    wb.save(path)
    return path


def test_survey_tool_xlsx_is_coded_and_kept_whole(cli, model_dir, tmp_path):
    src = survey_export(tmp_path / "survey.xlsx")
    before = src.read_bytes()
    out = tmp_path / "coded.xlsx"
    code, stdout, err = cli("predict", src, "--model", model_dir, "--out", out, "--text-column", "åpent svar")
    assert code == 0, err
    assert "Header: row 3 of sheet 'Svar'" in stdout
    assert src.read_bytes() == before
    wb = load_workbook(out)
    assert wb.sheetnames == ["Svar", "Metadata"]
    ws = wb["Svar"]
    assert ws["A1"].value == "Kommuneundersøkelsen 2020" and ws["A2"].value.startswith("Eksportert")
    header = [c.value for c in ws[3]]
    assert header[:5] == ["respondent", "kommune", "innbyggere", "levert", ANSWER] and "labels" in header
    assert ws["A4"].value == 1000 and ws["C4"].value == 709000 and ws["D4"].value == dt.datetime(2020, 4, 1)
    assert ws["E6"].value == "=SUM(A1:A2)" and ws["E6"].data_type == "s"
    labels, confidence = header.index("labels") + 1, header.index("confidence") + 1
    assert all(ws.cell(r, labels).value for r in range(4, 8))  # the four answers coded
    assert ws.cell(8, labels).value is None  # the empty answer is not
    assert all(ws.cell(r, confidence).data_type == "n" for r in range(4, 8))  # numbers, not text
    assert all(0 <= ws.cell(r, confidence).value <= 1 for r in range(4, 8))
    p_cols = [j + 1 for j, h in enumerate(header) if str(h).startswith("p_")]
    assert p_cols and all(ws.cell(4, j).data_type == "n" and ws.cell(4, j).value is not None for j in p_cols)
    assert ws.max_row == 8  # the header was never coded as an answer
    assert [c.value for c in wb["Metadata"][1]] == ["Spørsmål", "Q12a", 2020]
    again = tmp_path / "again.xlsx"
    assert cli("predict", src, "--model", model_dir, "--out", again, "--text-column", "åpent svar")[0] == 0
    assert again.read_bytes() == out.read_bytes()


def test_text_column_is_guessed_below_the_title_rows(cli, model_dir, tmp_path):
    src = survey_export(tmp_path / "survey.xlsx")
    code, stdout, err = cli("predict", src, "--model", model_dir, "--out", tmp_path / "o.csv")
    assert code == 0, err
    assert f"Text column: {ANSWER}" in stdout
    assert len(read_table(tmp_path / "o.csv").frame) == 5


@pytest.mark.parametrize("args,fragments", [
    (["--header-row", "30"], ["--header-row 30 is outside", "sheet 'Svar'"]),
    (["--sheet", "Nope"], ["No sheet 'Nope'", "'Svar', 'Metadata'"]),
])
def test_bad_header_row_or_sheet(cli, model_dir, tmp_path, args, fragments):
    src = survey_export(tmp_path / "survey.xlsx")
    before = src.read_bytes()
    assert_refused(cli("predict", src, "--model", model_dir, *args), src, before, tmp_path, *fragments)


def test_empty_first_sheet_names_the_sheets_and_suggests_sheet(cli, model_dir, tmp_path):
    src = survey_export(tmp_path / "survey.xlsx", first_sheet_empty=True)
    before = src.read_bytes()
    assert_refused(cli("predict", src, "--model", model_dir), src, before, tmp_path,
                   "Sheet 'Forside'", "is empty", "'Forside', 'Svar', 'Metadata'", "--sheet 'Svar'")
    code, stdout, err = cli("predict", src, "--sheet", "Svar", "--model", model_dir, "--out", tmp_path / "o.csv")
    assert code == 0, err


def test_too_large_inputs_are_refused(cli, model_dir, tmp_path, monkeypatch):
    src = tmp_path / "survey.csv"
    src.write_bytes(EXAMPLE.read_bytes())
    monkeypatch.setenv("SURVEY_CODER_MAX_FILE_MB", "0.01")
    assert_refused(cli("predict", src, "--model", model_dir), src, EXAMPLE.read_bytes(), tmp_path,
                   "more than the 0.0 MB", "SURVEY_CODER_MAX_FILE_MB")
    bomb = tmp_path / "bomb.xlsx"
    src.unlink()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 1_000_000)
    assert_refused(cli("predict", bomb, "--model", model_dir), bomb, bomb.read_bytes(), tmp_path,
                   "is packed", "SURVEY_CODER_MAX_XLSX_RATIO")


def test_csv_with_spaces_and_letters_in_names_writes_a_sav(cli, model_dir, tmp_path):
    src = tmp_path / "survey.csv"
    src.write_text("Kommune navn;Fylke navn;Åpent svar\nOslo;Oslo;Flere praksisplasser\n"
                   "Bodø;Nordland;Bolig og tolk\nBø;Vestfold;-\n", encoding="utf-8")
    out = tmp_path / "coded.sav"
    code, _, err = cli("predict", src, "--text-column", "Åpent svar", "--model", model_dir, "--out", out)
    assert code == 0, err
    data, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names[:3] == ["Kommune_navn", "Fylke_navn", "AApent_svar"]
    assert meta.column_names_to_labels["Fylke_navn"] == "Fylke navn"
    assert data["AApent_svar"].tolist()[0] == "Flere praksisplasser"


def test_sav_in_sav_out_keeps_value_labels_and_user_missing(cli, model_dir, tmp_path):
    src = tmp_path / "survey.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"kjonn": [1.0, 2.0, 9.0], "svar": ["Flere praksisplasser", "Bolig", "Mentorer og språk"]}),
        str(src), file_label="Kommuneundersøkelsen", column_labels={"svar": "Hvilke tjenester?"},
        variable_value_labels={"kjonn": {1.0: "Mann", 2.0: "Kvinne", 9.0: "Ubesvart"}}, missing_ranges={"kjonn": [9.0]},
        variable_measure={"kjonn": "nominal"})
    before = src.read_bytes()
    out = tmp_path / "coded.sav"
    code, _, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--out", out)
    assert code == 0, err
    data, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert meta.file_label == "Kommuneundersøkelsen"
    assert meta.variable_value_labels["kjonn"] == {1.0: "Mann", 2.0: "Kvinne", 9.0: "Ubesvart"}
    assert meta.missing_ranges["kjonn"] == [{"lo": 9.0, "hi": 9.0}] and data["kjonn"].tolist() == [1.0, 2.0, 9.0]
    assert meta.variable_measure["kjonn"] == "nominal" and meta.column_names_to_labels["svar"] == "Hvilke tjenester?"
    assert src.read_bytes() == before
    time.sleep(1.0)  # a second later, the same bytes
    again = tmp_path / "again.sav"
    assert cli("predict", src, "--text-column", "svar", "--model", model_dir, "--out", again)[0] == 0
    assert again.read_bytes() == out.read_bytes()
