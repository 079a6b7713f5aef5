"""XLSX in and out: survey-tool exports with title rows, sheets, and coded copies that keep the workbook."""

import datetime as dt
import io
import time
import unicodedata
import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from classifier.errors import UserError
from classifier.tables import pick_column, read_table, write_table
from classifier.xlsx import XLSX_TIME, numbers_kept

ANSWER = unicodedata.normalize("NFD", "Åpent svar")  # as typed on a Mac


def survey_export(path, titles=2, first_sheet_empty=False):
    """A workbook as survey tools export it: title rows, a header, numbers, dates, a formula-like
    answer stored as text, a blank row, and a second sheet."""
    wb = Workbook()
    ws = wb.active
    if first_sheet_empty:
        ws.title = "Forside"
        ws = wb.create_sheet("Svar")
    else:
        ws.title = "Svar"
    for i in range(titles):
        ws.append([f"Kommuneundersøkelsen 2020 – tittel {i + 1}"])
    ws.append(["id", "kommune", "innbyggere", "dato", ANSWER])
    ws.append([301, "Oslo", 709000, dt.datetime(2020, 3, 1), "Vi trenger flere praksisplasser"])
    ws.append([1103, "Stavanger", 144000.5, dt.datetime(2020, 3, 2, 10, 30), "=SUM(A1:A2) fagbrev"])
    ws.cell(ws.max_row, 5).data_type = "s"  # text, as Excel stores an answer typed with a leading '
    ws.append([None] * 5)
    ws.append([5001, "Trondheim", 212000, dt.datetime(2020, 3, 3), "Bolig og tolk"])
    about = wb.create_sheet("Om undersøkelsen")
    about.append(["Spørsmål", "Q12a", dt.date(2020, 1, 15)])
    about["B3"] = "=1+2"
    wb.save(path)
    return path


def test_header_below_title_rows_is_found_and_said(tmp_path):
    t = read_table(survey_export(tmp_path / "s.xlsx"))
    assert t.header_found and t.header_row == 3 and t.sheet == "Svar"
    assert list(t.frame.columns) == ["id", "kommune", "innbyggere", "dato", ANSWER]
    assert t.frame["id"].tolist() == ["301", "1103", "5001"]  # the header is never a row of data
    assert t.frame["innbyggere"].tolist() == ["709000", "144000.5", "212000"]
    assert t.frame["dato"].tolist() == ["2020-03-01", "2020-03-02 10:30:00", "2020-03-03"]
    assert t.frame[ANSWER].tolist()[1] == "=SUM(A1:A2) fagbrev"


def test_no_title_rows_means_nothing_to_say(tmp_path):
    t = read_table(survey_export(tmp_path / "s.xlsx", titles=0))
    assert not t.header_found and t.header_row == 1 and len(t.frame) == 3


def test_header_row_option_overrides(tmp_path):
    path = survey_export(tmp_path / "s.xlsx")
    t = read_table(path, header_row=4)  # the first data row as header (1-based, as Excel shows)
    assert not t.header_found and list(t.frame.columns)[:2] == ["301", "Oslo"] and len(t.frame) == 2
    with pytest.raises(UserError, match="--header-row 40 is outside"):
        read_table(path, header_row=40)
    with pytest.raises(UserError, match="Row 6 of .* is empty"):
        read_table(path, header_row=6)


def test_column_names_match_after_unicode_normalisation_and_trimming(tmp_path):
    t = read_table(survey_export(tmp_path / "s.xlsx"))
    typed = unicodedata.normalize("NFC", " åpent SVAR ")
    assert pick_column(t, typed) == ANSWER


def test_empty_first_sheet_names_the_sheets(tmp_path):
    path = survey_export(tmp_path / "s.xlsx", first_sheet_empty=True)
    with pytest.raises(UserError) as e:
        read_table(path)
    assert "Sheet 'Forside'" in str(e.value) and "'Svar'" in str(e.value) and "--sheet 'Svar'" in str(e.value)
    assert read_table(path, sheet="Svar").header_row == 3


@pytest.mark.parametrize("sheet", ["Nope", 7])
def test_unknown_sheet_lists_the_sheets(tmp_path, sheet):
    with pytest.raises(UserError, match="Sheets there: 'Svar', 'Om undersøkelsen'"):
        read_table(survey_export(tmp_path / "s.xlsx"), sheet=sheet)


def test_sheet_names_match_like_column_names(tmp_path):
    assert read_table(survey_export(tmp_path / "s.xlsx"), sheet="svar").sheet == "Svar"


def coded(table: "pd.DataFrame") -> pd.DataFrame:
    out = table.copy()
    out["labels"] = ["practice_placements", "=HYPERLINK(\"x\")", "other"]
    out["confidence"] = [0.9731, None, 0.5]
    out["needs_review"] = ["false", "false", "true"]
    out["p_other"] = [0.01, None, 0.97]
    return out


def test_xlsx_out_from_xlsx_in_keeps_the_workbook_whole(tmp_path):
    src = survey_export(tmp_path / "s.xlsx")
    t = read_table(src)
    out = write_table(coded(t.frame), tmp_path / "o.xlsx", source=t)
    before, after = load_workbook(src), load_workbook(out)
    assert after.sheetnames == ["Svar", "Om undersøkelsen"]
    ws, old = after["Svar"], before["Svar"]
    for r in range(1, old.max_row + 1):  # every input cell as it was: titles, numbers, dates, text
        for c in range(1, old.max_column + 1):
            assert (ws.cell(r, c).value, ws.cell(r, c).data_type) == (old.cell(r, c).value, old.cell(r, c).data_type)
    assert isinstance(ws["C5"].value, float) and isinstance(ws["D4"].value, dt.datetime)
    assert [ws.cell(3, c).value for c in range(6, 10)] == ["labels", "confidence", "needs_review", "p_other"]
    assert ws["F5"].value == '=HYPERLINK("x")' and ws["F5"].data_type == "s"  # inert text
    assert ws["G4"].value == 0.9731 and ws["G4"].data_type == "n" and ws["G5"].value is None
    assert ws["I7"].value == 0.97 and ws["F6"].value is None  # the blank row stays blank
    assert [[c.value for c in row] for row in after["Om undersøkelsen"].iter_rows()] == \
           [[c.value for c in row] for row in before["Om undersøkelsen"].iter_rows()]
    assert after["Om undersøkelsen"]["B3"].data_type == "f"  # the workbook's own formula stays one
    back = read_table(out)
    assert back.header_row == 3 and back.frame["labels"].tolist() == coded(t.frame)["labels"].tolist()


def test_renamed_input_column_is_renamed_in_the_sheet(tmp_path):
    src = tmp_path / "s.xlsx"
    pd.DataFrame({"labels": ["x", "y"], "svar": ["Praksis", "Bolig"]}).to_excel(src, index=False)
    t = read_table(src)
    df = t.frame.rename(columns={"labels": "labels_input"})
    df["labels"] = ["a", "b"]
    ws = load_workbook(write_table(df, tmp_path / "o.xlsx", source=t)).active
    assert [c.value for c in ws[1]] == ["labels_input", "svar", "labels"]


def test_kept_workbook_is_the_same_byte_for_byte(tmp_path, monkeypatch):
    src = survey_export(tmp_path / "s.xlsx")
    t = read_table(src)
    a = write_table(coded(t.frame), tmp_path / "a.xlsx", source=t)
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    b = write_table(coded(read_table(src).frame), tmp_path / "b.xlsx", source=read_table(src))
    assert a.read_bytes() == b.read_bytes()
    assert load_workbook(a).properties.modified == XLSX_TIME


def test_xlsx_from_csv_writes_plain_numbers_as_numbers(tmp_path):
    df = pd.DataFrame({"id": ["0301", "1103"], "innbyggere": ["709000", "144000.5"], "andel": ["12,5", "3"],
                       "svar": ["Praksis", "=1+1"], "year": ["2020", ""]})
    ws = load_workbook(write_table(df, tmp_path / "o.xlsx")).active
    assert [c.value for c in ws[2]] == ["0301", 709000, "12,5", "Praksis", 2020]
    assert ws["B3"].value == 144000.5 and ws["D3"].data_type == "s" and ws["E3"].value is None


@pytest.mark.parametrize("values,expected", [
    (["1", "20", ""], [1, 20, None]),
    (["0301", "1103"], ["0301", "1103"]),      # a leading zero keeps the whole column text
    (["1.50", "2"], ["1.50", "2"]),            # a trailing zero would be lost
    (["+3", "4"], ["+3", "4"]), (["-0"], ["-0"]), (["1e5"], ["1e5"]),
    (["1234567890123456"], ["1234567890123456"]),  # more digits than Excel keeps
    (["-7", "0.25"], [-7, 0.25]),
])
def test_numbers_kept_only_when_they_read_back_exactly(values, expected):
    assert numbers_kept(pd.Series(values)).tolist() == expected


def test_defusedxml_guards_openpyxl():
    assert openpyxl.DEFUSEDXML is True


def zipped(entries: dict, level=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(zipped({"notes.txt": "hei"}))
    with pytest.raises(UserError, match="ZIP archive without a workbook in it, not an Excel workbook"):
        read_table(path)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(UserError, match="it is a PNG image, not an Excel workbook"):
        read_table(path)


def test_workbook_that_inflates_too_far_is_refused_before_opening(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
                             "xl/worksheets/sheet1.xml": b"<row/>" * 2_000_000}))  # 12 MB of XML in ~12 KB
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    with pytest.raises(UserError, match=r"packed [\d,]+ to 1 .*SURVEY_CODER_MAX_XLSX_RATIO"):
        read_table(path)
    monkeypatch.setenv("SURVEY_CODER_MAX_XLSX_RATIO", "100000")
    monkeypatch.setenv("SURVEY_CODER_MAX_XLSX_MB", "5")
    with pytest.raises(UserError, match=r"unpacks to 11 MB, more than the 5\.0 MB .*SURVEY_CODER_MAX_XLSX_MB"):
        read_table(path)
    assert not opened


def test_control_characters_xml_cannot_hold_are_dropped_not_fatal(tmp_path):
    df = pd.DataFrame({"svar": ["Praksis\x0b og spr\x01åk", "Bolig\ttolk\nmentor"]})
    ws = load_workbook(write_table(df, tmp_path / "o.xlsx")).active
    assert [ws["A2"].value, ws["A3"].value] == ["Praksis og spr" + "åk", "Bolig\ttolk\nmentor"]
