"""Reading and writing survey files as analysts have them: CSV, XLSX and SPSS .sav.

CSV input: the encoding (UTF-8, UTF-8 with BOM, Windows-1252) and the delimiter
(`;` from Norwegian Excel, `,`, tab, `|`) are detected. Every cell is read as text so
ids like "0301" keep their zeros. Output is written to a temporary file beside the
target and moved into place, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from .errors import Errors, UserError

READABLE = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav")
WRITABLE = (".csv", ".xlsx", ".sav")
_DELIMITERS = ";,\t|"
# Cells starting with these may run as formulas in Excel or LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_PATTERN = r"[+-]?\d+([.,]\d+)?"
_NUMBER = re.compile(f"^{_NUMBER_PATTERN}$")
_FORMULA_PATTERN = r"[=+\-@\t\r]"
# Fixed times in XLSX output, so the same tables give the same bytes (the zip format starts at 1980).
XLSX_TIME = datetime(1980, 1, 1)
XLSX_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# Column names that mean the same thing in survey files, lower-cased.
YEAR_COLUMNS = ("year", "år", "aar", "survey_year")
ID_COLUMNS = ("id", "respondent_id", "respondent")


def find_column(columns, names) -> str | None:
    """The first of `columns` whose lower-cased name is one of `names`."""
    return next((c for c in columns if str(c).lower() in names), None)


@dataclass
class Table:
    """A read file: its rows as strings, and how it was written, to write back alike."""

    frame: pd.DataFrame
    path: Path
    delimiter: str = ";"
    encoding: str = "utf-8"
    column_labels: dict = field(default_factory=dict)  # variable labels from .sav


def check_input(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(Errors.FILE_NOT_FOUND.format(path=p))
    if p.is_dir():
        raise UserError(Errors.NOT_A_FILE.format(path=p))
    if p.suffix.lower() not in READABLE:
        raise UserError(Errors.UNSUPPORTED_FORMAT.format(path=p, suffix=p.suffix or "(none)"))
    return p


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name): UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: csv.Sniffer on the first lines, else the most frequent."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_table(path: str | Path, sheet: str | int | None = 0) -> Table:
    """Read a CSV, XLSX or SAV file into a Table of strings (empty cells are "")."""
    p = check_input(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, sheet_name=sheet if sheet is not None else 0, dtype=str, engine="openpyxl")
            table = Table(_clean(df), p)
        elif suffix == ".sav":
            table = _read_sav(p)
        else:
            text, encoding = decode(p.read_bytes())
            if not text.strip():
                raise UserError(Errors.EMPTY_FILE.format(path=p))
            delimiter = sniff_delimiter(text)
            df = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False
            )
            table = Table(_unguard(_clean(df)), p, delimiter=delimiter, encoding=encoding)
    except UserError:
        raise
    except (pd.errors.ParserError, ValueError, OSError, KeyError) as e:
        if isinstance(e, pd.errors.EmptyDataError):
            raise UserError(Errors.EMPTY_FILE.format(path=p)) from None
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UserError(Errors.UNREADABLE_FILE.format(path=p, reason=reason)) from None
    except Exception as e:  # zipfile.BadZipFile, openpyxl's own errors, ...
        raise UserError(Errors.UNREADABLE_FILE.format(path=p, reason=type(e).__name__)) from None
    if table.frame.empty:
        raise UserError(Errors.EMPTY_FILE.format(path=p))
    return table


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    df = df.astype(object).fillna("").astype(str)  # object first: "" is no float fill value
    # Drop rows that are blank in every cell (Excel leaves them at the end).
    # Column by column (vectorised): a row-wise apply built a Series per row, ~0.8 s per 100,000 rows.
    keep = (df.apply(lambda col: col.str.strip()) != "").any(axis=1) if len(df.columns) else []
    return df[keep].reset_index(drop=True) if len(df) else df


def _read_sav(p: Path) -> Table:
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(p), apply_value_formats=False)
    labels = dict(zip(meta.column_names, meta.column_labels or []))
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s) and s.dropna().apply(float.is_integer).all():
            out[col] = s.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return Table(_clean(out), p, column_labels={k: v for k, v in labels.items() if v})


def pick_column(table: Table, column: str | None, option: str = "text-column") -> str:
    """Return `column` if it exists; with None, guess the text column (longest texts)."""
    cols = list(table.frame.columns)
    if column is not None:
        if column in cols:
            return column
        lowered = {c.lower(): c for c in cols}
        if column.lower() in lowered:
            return lowered[column.lower()]
        raise UserError(
            Errors.UNKNOWN_COLUMN.format(column=column, path=table.path, columns=", ".join(cols), option=option)
        )
    return guess_text_column(table)


def guess_text_column(table: Table) -> str:
    """The column whose cells are longest on average and mostly not numbers."""
    best, best_len = None, 0.0
    for c in table.frame.columns:
        s = table.frame[c].astype(str).str.strip()
        filled = s[s != ""]
        if filled.empty or filled.str.fullmatch(r"[\d.,:/ -]+").mean() > 0.5:
            continue
        mean_len = filled.str.len().mean()
        if mean_len > best_len:
            best, best_len = c, mean_len
    if best is None or best_len < 3:
        raise UserError(
            Errors.NO_TEXT_COLUMN.format(path=table.path, columns=", ".join(map(str, table.frame.columns)))
        )
    return best


def guard_formula(value: object) -> object:
    """Prefix a quote to text a spreadsheet would run as a formula; numbers pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value) \
            and value not in ("-", "+"):  # a lone dash is a common non-answer, never a formula
        return "'" + value
    return value


def unguard_formula(value: object) -> object:
    """Undo `guard_formula` when reading a CSV back, so the text round-trips unchanged."""
    if isinstance(value, str) and value.startswith("'") and guard_formula(value[1:]) == value:
        return value[1:]
    return value


def _guard_mask(s: pd.Series) -> pd.Series:
    """Which cells of a text column `guard_formula` would quote (vectorised)."""
    mask = s.str.startswith(_FORMULA_START, na=False).astype(bool)
    if mask.any():
        cand = s[mask]
        mask[mask] = ~cand.str.fullmatch(_NUMBER_PATTERN, na=False) & ~cand.isin(["-", "+"])
    return mask


def _text_columns(df: pd.DataFrame):
    """Columns holding text (some cells at least), where a formula could hide."""
    for c in df.columns:
        if pd.api.types.infer_dtype(df[c], skipna=True) in ("string", "mixed", "mixed-integer"):
            yield c


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`guard_formula` over every text cell and header, column by column (fast on big files)."""
    out = df.copy()
    for c in _text_columns(out):
        mask = _guard_mask(out[c])
        if mask.any():
            out[c] = out[c].astype(object)
            out.loc[mask, c] = "'" + out.loc[mask, c].astype(str)
    out.columns = [guard_formula(str(c)) for c in out.columns]
    return out


def _unguard(df: pd.DataFrame) -> pd.DataFrame:
    """Undo `guard_frame` on a table read back from CSV."""
    out = df.copy()
    for c in _text_columns(out):
        quoted = out[c].str.startswith("'", na=False).astype(bool)
        if quoted.any():
            mask = quoted.copy()
            mask[quoted] = _guard_mask(out.loc[quoted, c].str[1:])
            out.loc[mask, c] = out.loc[mask, c].str[1:]
    out.columns = [unguard_formula(c) for c in df.columns]
    return out


def check_output(out: str | Path, inputs: list[Path] | tuple = (), suffixes: tuple = WRITABLE) -> Path:
    """`out` if it can be written: a known file type, an existing folder, and none of `inputs`."""
    o = Path(out)
    if o.suffix.lower() not in suffixes:
        raise UserError(Errors.UNSUPPORTED_OUTPUT.format(path=o, suffix=o.suffix or "(none)"))
    if not o.resolve().parent.is_dir():
        raise UserError(Errors.OUTPUT_DIR_MISSING.format(path=o))
    for i in inputs:
        if Path(i).exists() and o.exists() and o.resolve() == Path(i).resolve():
            raise UserError(Errors.OUTPUT_IS_INPUT.format(path=o))
    return o


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; move it into place only on success."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.resolve().parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any new file
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_table(df: pd.DataFrame, out: str | Path, delimiter: str = ";", sav_options: dict | None = None) -> Path:
    """Write `df` atomically as CSV (UTF-8 with BOM, for Excel), XLSX or SAV.

    Text that looks like a formula is made inert: quoted in CSV, a string cell in XLSX.
    """
    o = Path(out)
    suffix = o.suffix.lower()
    with atomic_path(o) as tmp:
        if suffix == ".csv":
            guard_frame(df).to_csv(tmp, sep=delimiter, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        elif suffix == ".xlsx":
            write_xlsx({"data": df}, tmp)
        elif suffix == ".sav":
            from .spss import write_sav  # noqa: PLC0415 - pyreadstat only when needed

            write_sav(df, tmp, **(sav_options or {}))
        else:
            raise UserError(Errors.UNSUPPORTED_OUTPUT.format(path=o, suffix=o.suffix or "(none)"))
    return o


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Write one sheet per DataFrame; every text cell is a string cell, never a formula.

    The same tables give the same bytes: the document's created/modified times and the
    zip entries' times are fixed instead of the clock's.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([_xlsx_value(v) for v in row])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"
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


def _xlsx_value(v: object) -> object:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v
