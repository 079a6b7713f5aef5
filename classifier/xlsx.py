"""XLSX files: reading a sheet as the table's text, and writing workbooks that keep their input.

Reading streams the sheet with openpyxl (read-only, cached formula values), finds the
header below any title rows (`sniff.find_header`) or takes the row given, and turns every
cell into text the way Excel shows it ("0301" stays "0301", 12 is "12", a date is
"2020-03-01"). The workbook's bytes are kept so that `write_kept` can write the coded table
into a copy of it: numbers stay numbers, dates stay dates, title rows, the sheet's name
and the other sheets stay as they were, and the tool's columns are appended.

Every workbook written has fixed document and zip times, so the same input gives the same
bytes, and every text cell the tool writes is a string cell, never a formula.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from .errors import Errors, UserError
from .sniff import HEADER_SCAN_ROWS, check_xlsx, find_header, norm

# Fixed times in XLSX output, so the same tables give the same bytes (the zip format starts at 1980).
XLSX_TIME = datetime(1980, 1, 1)
XLSX_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, without importing openpyxl).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_EXACT_NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d*[1-9])?")


@dataclass
class XlsxSource:
    """Where a table came from in a workbook, to write its coded copy into the same workbook."""

    data: bytes            # the workbook file as read
    sheet: str             # the data sheet's name
    header_row: int        # 1-based, as Excel numbers rows
    rows: list[int]        # the sheet row of each table row
    columns: list[str]     # the table's column names as read (sheet columns A, B, ...)


@dataclass
class SheetRead:
    frame: pd.DataFrame    # every cell as text, blank rows kept (tables drops them)
    source: XlsxSource
    header_found: bool     # the header is below title rows, found by looking


def read_xlsx(path: Path, sheet: int | str | None = 0, header_row: int | None = None) -> SheetRead:
    """The sheet `sheet` (a position from 0, or a name) of the workbook at `path` as text."""
    from openpyxl import load_workbook

    check_xlsx(path)
    data = path.read_bytes()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        name = _sheet_name(wb, path, 0 if sheet is None else sheet)
        rows = _rows(wb[name])
        if not any(_trim(r) for r in rows):
            _empty_sheet(wb, path, name)
        if header_row is not None:
            start = _given_header(rows, header_row, path, name)
        else:
            start = find_header(rows[:HEADER_SCAN_ROWS])
    finally:
        wb.close()
    header, body = _trim(rows[start]), [_trim(r) for r in rows[start + 1:]]
    width = max([len(header), *map(len, body)])
    columns = _column_names([header[j] if j < len(header) else None for j in range(width)])
    frame = pd.DataFrame([[cell_text(r[j]) if j < len(r) else "" for j in range(width)] for r in body],
                         columns=columns, dtype=object)
    first = next(i for i, r in enumerate(rows) if _trim(r))
    source = XlsxSource(data, name, start + 1, list(range(start + 2, start + 2 + len(body))), columns)
    return SheetRead(frame, source, header_found=header_row is None and start != first)


def _sheet_name(wb, path: Path, sheet: int | str) -> str:
    names = wb.sheetnames
    listed = ", ".join(f"'{n}'" for n in names)
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise UserError(Errors.UNKNOWN_SHEET.format(sheet=sheet, path=path, sheets=listed))
    if sheet in names:
        return sheet
    matches = [n for n in names if norm(n) == norm(sheet)]
    if len(matches) == 1:
        return matches[0]
    raise UserError(Errors.UNKNOWN_SHEET.format(sheet=sheet, path=path, sheets=listed))


def _rows(ws) -> list[tuple]:
    """Every row of a worksheet as a tuple of values (gaps as empty rows); none for a chart sheet."""
    if not hasattr(ws, "iter_rows"):
        return []
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # the stored dimensions may be wrong; read what is there
    return list(ws.iter_rows(values_only=True))


def _empty_sheet(wb, path: Path, name: str) -> None:
    """Raise: the chosen sheet is empty; name a sheet with data, if any."""
    others = [n for n in wb.sheetnames if n != name and _has_data(wb[n])]
    if not others:
        raise UserError(Errors.EMPTY_FILE.format(path=path))
    listed = ", ".join(f"'{n}'" for n in wb.sheetnames)
    raise UserError(Errors.SHEET_EMPTY.format(sheet=name, path=path, sheets=listed, suggest=others[0]))


def _has_data(ws) -> bool:
    if not hasattr(ws, "iter_rows"):
        return False
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    return any(_trim(r) for r in ws.iter_rows(values_only=True))


def _given_header(rows: list, header_row: int, path: Path, sheet: str) -> int:
    where = Errors.IN_SHEET.format(sheet=sheet)
    if header_row < 1 or header_row > len(rows):
        raise UserError(Errors.HEADER_ROW_PAST_END.format(row=header_row, path=path, where=where, n=len(rows)))
    if not _trim(rows[header_row - 1]):
        raise UserError(Errors.HEADER_ROW_EMPTY.format(row=header_row, path=path, where=where))
    return header_row - 1


def _trim(row) -> list:
    """A row without its trailing empty cells (a cell holding spaces is not empty: the
    columns the tool adds must not land on it)."""
    cells = list(row)
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    return cells


def _column_names(header: list) -> list[str]:
    """Header cells as column names the way pandas names them: 'Unnamed: 3' for an empty
    cell, 'svar.1' for the second 'svar'."""
    names, seen = [], set()
    for j, v in enumerate(header):
        name = cell_text(v).strip() or f"Unnamed: {j}"
        base, n = name, 0
        while name in seen:
            n += 1
            name = f"{base}.{n}"
        seen.add(name)
        names.append(name)
    return names


def cell_text(v: object) -> str:
    """A cell's value as text, the way Excel shows it (12.0 is '12'; a date without a time
    is '2020-03-01')."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return str(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    return str(v)


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path, numbers: bool = False) -> None:
    """Write one sheet per DataFrame; every text cell is a string cell, never a formula.
    With `numbers`, text columns of plain numbers are written as numbers (`numbers_kept`)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        ws.append([str(c) for c in df.columns])
        if numbers:
            columns = [numbers_kept(df.iloc[:, j]).tolist() for j in range(df.shape[1])]
            rows = zip(*columns) if columns else ([] for _ in range(len(df)))
        else:
            rows = df.itertuples(index=False)
        for row in rows:
            ws.append([_value(v) for v in row])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                _inert(cell)
    save_workbook(wb, path)


def write_kept(source: XlsxSource, df: pd.DataFrame, path: Path) -> None:
    """Write `df` (the table read from `source`, then the tool's columns) into a copy of the
    source workbook: the first len(source.columns) columns of `df` are the sheet's own, whose
    cells stay as they were (a header renamed by the tool is renamed in the sheet); the other
    columns are appended to the right of them, header in the header row."""
    from openpyxl import load_workbook

    n = len(source.columns)
    if len(df) != len(source.rows) or len(df.columns) < n:
        raise ValueError("the table does not match the sheet it was read from")
    wb = load_workbook(io.BytesIO(source.data))
    ws = wb[source.sheet]
    header = source.header_row
    for j, (name, was) in enumerate(zip(df.columns[:n], source.columns)):
        if name != was:
            _inert(ws.cell(header, j + 1, str(name)))
    style_from = ws.cell(header, n) if n else None
    for j, name in enumerate(df.columns[n:], start=n + 1):
        cell = ws.cell(header, j, str(name))
        _inert(cell)
        if style_from is not None and style_from.has_style:
            cell._style = copy(style_from._style)
        for r, v in zip(source.rows, numbers_kept(df[name]).tolist()):
            value = _value(v)
            if value is not None and value != "":
                _inert(ws.cell(r, j, value))
    save_workbook(wb, path)


def save_workbook(wb, path: Path) -> None:
    """Save with fixed document and zip times instead of the clock's."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = XLSX_TIME
    buf = io.BytesIO()
    # openpyxl's own save (wb.save) stamps `modified` with the clock; its writer does not.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", allowZip64=True) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_ZIP_TIME)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info))


def numbers_kept(s: pd.Series) -> pd.Series:
    """A text column whose filled cells are all plain numbers that Excel shows back exactly
    (no leading zeros, no trailing decimal zeros, no '+', at most 15 digits) as numbers;
    any other column as it is ("0301" keeps the column text)."""
    if not pd.api.types.is_string_dtype(s) and s.dtype != object:
        return s
    values = [None if v is None or (isinstance(v, float) and v != v) else v for v in s.tolist()]
    if not all(v is None or isinstance(v, str) for v in values):
        return s
    filled = [v for v in values if v]
    if not filled or not all(_EXACT_NUMBER.fullmatch(v) and sum(map(str.isdigit, v)) <= 15 for v in filled):
        return s
    out = [None if not v else int(v) if "." not in v else float(v) for v in values]
    if any(isinstance(x, float) and repr(x) != v for x, v in zip(out, values)) or "-0" in filled:
        return s
    return pd.Series(out, index=s.index, dtype=object)


def _inert(cell) -> None:
    """A text cell stays text: openpyxl would otherwise store '=...' as a formula."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"


def _value(v: object) -> object:
    """A value openpyxl can store: None for missing, Python scalars, and text without the
    control characters XML cannot hold (an answer may carry one from another export)."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    if isinstance(v, str):
        return _ILLEGAL.sub("", v)
    return v
