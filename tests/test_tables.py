"""Reading survey files: delimiters, encodings, XLSX; writing atomically."""

import csv
import time
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from classifier.errors import UserError
from classifier.tables import (
    YEAR_COLUMNS,
    check_output,
    check_text_column,
    find_column,
    guess_text_column,
    pick_column,
    read_numbers,
    read_table,
    text_columns,
    write_table,
)
from classifier.xlsx import XLSX_TIME, XLSX_ZIP_TIME

ROWS = [("K-001", "Oslo", "Vi trenger flere språkpraksisplasser, og bedre oppfølging"),
        ("K-002", "Bø", "Godkjenning av utdanning; NOKUT tar lang tid"),
        ("0301", "Åsnes", "Bolig og tolk")]


def write_csv(path, delimiter, encoding, crlf=False):
    lines = [delimiter.join(["id", "kommune", "svar"])]
    for r in ROWS:
        cells = [f'"{c}"' if (delimiter in c or ";" in c or "," in c) else c for c in r]
        lines.append(delimiter.join(cells))
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_delimiters_and_encodings(tmp_path, delimiter, encoding):
    p = write_csv(tmp_path / "s.csv", delimiter, encoding, crlf=encoding == "cp1252")
    t = read_table(p)
    assert list(t.frame.columns) == ["id", "kommune", "svar"]
    assert t.frame["svar"].tolist() == [r[2] for r in ROWS]
    assert t.frame["kommune"].tolist() == ["Oslo", "Bø", "Åsnes"]
    assert t.frame["id"].tolist()[2] == "0301"  # kept as text
    assert t.delimiter == delimiter
    assert t.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp1252": "cp1252"}[encoding]


def test_xlsx_roundtrip_keeps_text(tmp_path):
    df = pd.DataFrame(ROWS, columns=["id", "kommune", "svar"])
    p = write_table(df, tmp_path / "s.xlsx")
    t = read_table(p)
    assert t.frame["svar"].tolist() == df["svar"].tolist()
    assert t.frame["id"].tolist() == ["K-001", "K-002", "0301"]


def test_csv_output_is_excel_friendly(tmp_path):
    df = pd.DataFrame(ROWS, columns=["id", "kommune", "svar"])
    p = write_table(df, tmp_path / "o.csv", delimiter=";")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert read_table(p).frame.equals(df)


def test_empty_and_header_only_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(UserError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("id;svar\n", encoding="utf-8")
    with pytest.raises(UserError, match="empty"):
        read_table(tmp_path / "header.csv")


def test_missing_folder_and_unsupported(tmp_path):
    with pytest.raises(UserError, match="File not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="folder"):
        read_table(tmp_path)
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(UserError, match="unsupported file type"):
        read_table(tmp_path / "x.pdf")


def test_corrupt_xlsx_is_a_user_error(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(UserError, match="Cannot read"):
        read_table(tmp_path / "bad.xlsx")


def test_unknown_column_lists_the_columns(tmp_path):
    t = read_table(write_csv(tmp_path / "s.csv", ";", "utf-8"))
    with pytest.raises(UserError, match="Columns there are: id, kommune, svar"):
        pick_column(t, "answer")
    assert pick_column(t, "SVAR") == "svar"


def test_guess_text_column_and_no_text_column(tmp_path):
    t = read_table(write_csv(tmp_path / "s.csv", ";", "utf-8"))
    assert guess_text_column(t) == "svar"
    (tmp_path / "n.csv").write_text("id;antall\n1;3\n2;5\n", encoding="utf-8")
    with pytest.raises(UserError, match="No text column"):
        guess_text_column(read_table(tmp_path / "n.csv"))


def test_output_may_not_be_the_input(tmp_path):
    p = write_csv(tmp_path / "s.csv", ";", "utf-8")
    with pytest.raises(UserError, match="is the input"):
        check_output(p, [p])
    with pytest.raises(UserError, match="does not exist"):
        check_output(tmp_path / "nodir" / "o.csv")


def test_failed_write_leaves_no_file_and_keeps_old_one(tmp_path, monkeypatch):
    target = tmp_path / "o.csv"
    target.write_text("old", encoding="utf-8")

    def half_written(self, path, *a, **k):
        Path(path).write_text("half a fi", encoding="utf-8")
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_written)
    with pytest.raises(RuntimeError):
        write_table(pd.DataFrame({"a": ["x"]}), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_xlsx_holds_no_clock_time(tmp_path, monkeypatch):
    df = pd.DataFrame({"id": ["0301", "0302"], "svar": ["=1+1", "Bolig"], "p": [0.25, None]})
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_table(df, a)
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    write_table(df, b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {XLSX_ZIP_TIME}
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
    wb = load_workbook(a)
    assert wb.properties.created == wb.properties.modified == XLSX_TIME
    assert wb.active["B2"].data_type == "s" and wb.active["B2"].value == "=1+1"


def test_csv_title_lines_above_the_header_are_skipped(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("Kommuneundersøkelsen 2020;;\nEksport fra Questback\n\nid;kommune;svar\n"
                 "0301;Oslo;Praksis, og språk\n1103;Bø;Bolig\n", encoding="utf-8")
    t = read_table(p)
    assert (t.header_row, t.header_found, t.delimiter) == (4, True, ";")
    assert list(t.frame.columns) == ["id", "kommune", "svar"]
    assert t.frame["svar"].tolist() == ["Praksis, og språk", "Bolig"]
    assert read_table(p, header_row=5).frame.columns[0] == "0301"  # the option wins
    with pytest.raises(UserError, match="Row 3 of .* is empty"):
        read_table(p, header_row=3)
    with pytest.raises(UserError, match="--header-row 9 is outside"):
        read_table(p, header_row=9)


def test_csv_without_title_lines_reads_as_before(tmp_path):
    t = read_table(write_csv(tmp_path / "s.csv", ";", "utf-8"))
    assert (t.header_row, t.header_found) == (1, False)


def test_columns_match_after_nfc_and_trimming_and_ambiguity_is_named(tmp_path):
    nfd = unicodedata.normalize("NFD", "Åpent svar")
    p = tmp_path / "s.csv"
    p.write_text(f"id; {nfd} ;Svar;SVAR\n1;Praksis;a;b\n", encoding="utf-8")
    t = read_table(p)
    assert pick_column(t, "åpent svar") == nfd
    assert pick_column(t, "Svar") == "Svar"  # the exact name wins
    with pytest.raises(UserError, match="matches several columns .*'Svar', 'SVAR'"):
        pick_column(t, "svar")
    assert find_column(["x", unicodedata.normalize("NFD", "År")], YEAR_COLUMNS) == unicodedata.normalize("NFD", "År")


def test_a_column_of_numbers_dates_or_codes_is_not_a_text_column(tmp_path):
    p = tmp_path / "s.csv"
    rows = ["id;antall;dato;kode;svar;kommune"]
    for i in range(10):
        rows.append(f"K-{i:03d};{i * 7};0{i}.03.2020;A{i};Vi trenger flere praksisplasser {i};Oslo")
    rows.append("K-100;3;;;12;Bø")
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    t = read_table(p)
    for column in ("id", "antall", "dato", "kode"):
        with pytest.raises(UserError, match=f"Column '{column}' .* mostly numbers, dates or codes") as e:
            check_text_column(t, column)
        assert "Columns with text there: 'svar', 'kommune'." in str(e.value)
    check_text_column(t, "svar")  # one number among the answers is fine
    assert text_columns(t) == ["svar", "kommune"]
    assert guess_text_column(t) == "svar"


def test_existing_output_is_kept_unless_overwrite(tmp_path):
    out = tmp_path / "coded.csv"
    out.write_text("corrected by hand", encoding="utf-8")
    with pytest.raises(UserError, match="already exists .*--overwrite"):
        check_output(out, overwrite=False)
    assert check_output(out, overwrite=True) == out
    assert out.read_text(encoding="utf-8") == "corrected by hand"
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(UserError, match="is a folder"):
        check_output(tmp_path / "x.csv")


def test_unwritable_folder_and_unreplaceable_file_are_found_before_writing(tmp_path, locked):
    folder = tmp_path / "out"
    folder.mkdir()
    existing = folder / "old.csv"
    existing.write_text("x", encoding="utf-8")
    locked(existing)
    with pytest.raises(UserError, match="Cannot replace output .*old.csv"):
        check_output(existing)
    locked(folder)
    with pytest.raises(UserError, match="Cannot write output .*its folder does not take new files"):
        check_output(folder / "coded.csv")
    with pytest.raises(UserError, match="Cannot write .*new.csv"):  # and at writing time too
        write_table(pd.DataFrame({"a": ["x"]}), folder / "new.csv")


def test_a_write_that_fails_with_an_os_error_is_one_user_error(tmp_path, monkeypatch):
    def disk_full(self, path, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    with pytest.raises(UserError, match="Cannot write .*o.csv: no space left on device"):
        write_table(pd.DataFrame({"a": ["x"]}), tmp_path / "o.csv")
    assert list(tmp_path.iterdir()) == []


# -- numbers in the file's own convention (decimal comma or point) -------------------------
@pytest.mark.parametrize("delimiter,cells,expected", [
    (";", ["12.5", "0.25"], ","),          # a ';'-CSV is what Norwegian Excel writes, whatever its numbers
    (",", ["12,5", "0,25", "3"], ","),     # decimal commas in the numbers (quoted in a ','-CSV)
    ("\t", ["12,5", "7", "Bolig"], ","),
    (",", ["12.5", "0.25", "12,5"], "."),  # more points than commas
    ("\t", ["7", "Bolig", "2020"], "."),   # no decimals at all: a point
    (",", ["1,500", "52,000", "0.5"], "."),  # 1,500 may be a thousand: it says nothing
])
def test_a_csvs_decimal_mark_follows_its_delimiter_and_its_numbers(tmp_path, delimiter, cells, expected):
    src = tmp_path / "survey.csv"
    rows = [["svar", "andel"]] + [[f"Svar {i} om praksis", c] for i, c in enumerate(cells)]
    with open(src, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    table = read_table(src)
    assert table.delimiter == delimiter and table.decimal == expected
    assert table.frame["andel"].tolist() == cells  # the cells themselves are text, as written


def test_the_tools_own_numbers_read_back_in_either_convention():
    s = pd.Series(["0,9706", "0.9706", "1,0", "0", " 0,5 ", "", "n/a", "1,2,3"])
    got = read_numbers(s).tolist()
    assert got[:5] == [0.9706, 0.9706, 1.0, 0.0, 0.5]
    assert all(v != v for v in got[5:])  # blank, text and nonsense are missing, not guessed
    assert read_numbers(pd.Series([0.25, None])).tolist()[0] == 0.25  # numbers pass as they are


@pytest.mark.parametrize("decimal", [",", "."])
def test_only_number_columns_take_the_decimal_mark_and_the_text_stays_as_it_was(tmp_path, decimal):
    texts = ["1,5", "0.25", "-0,5", "=1+1", "Bolig"]
    df = pd.DataFrame({"svar": texts, "confidence": [0.9706, None, 0.5, 1.0, 0.0],
                       "p_other": pd.Series([0.97, 0.0001, None, 1.0, 0.5], dtype=object)})  # Python floats too
    out = tmp_path / "coded.csv"
    write_table(df, out, delimiter=";", decimal=decimal)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    assert [r[0] for r in rows] == ["1,5", "0.25", "-0,5", "'=1+1", "Bolig"]  # text untouched, formulas guarded
    expected = {",": (["0,9706", "", "0,5", "1,0", "0,0"], ["0,97", "0,0001", "", "1,0", "0,5"]),
                ".": (["0.9706", "", "0.5", "1.0", "0.0"], ["0.97", "0.0001", "", "1.0", "0.5"])}[decimal]
    assert ([r[1] for r in rows], [r[2] for r in rows]) == expected  # and no number quoted as a formula
    back = read_table(out).frame
    assert back["svar"].tolist() == texts
    assert read_numbers(back["confidence"]).equals(df["confidence"].astype(float))


def test_decimal_commas_are_written_as_pandas_writes_them(tmp_path):
    values = [0.9706, None, 1.0, 0.0, 0.0001, 0.5, 0.9706, 12345.678, -0.25, 1e-05]
    df = pd.DataFrame({"svar": [f"Svar {i}" for i in range(len(values))], "confidence": values,
                       "p_other": pd.Series(values[::-1], dtype=object)})
    out = tmp_path / "coded.csv"
    write_table(df, out, delimiter=";", decimal=",")
    pandas_way = df.astype({"p_other": float}).to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    assert out.read_bytes().decode("utf-8-sig") == pandas_way
