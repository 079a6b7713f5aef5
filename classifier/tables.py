"""Reading and writing survey files as analysts have them: CSV, XLSX and SPSS .sav.

CSV input: the encoding (UTF-8 with or without BOM, UTF-16/UTF-32, Windows-1252) and the
delimiter (`;` from Norwegian Excel, `,`, tab, `|`) are detected, and a file that is not
text is refused (`sniff`). Every cell is read as text so ids like "0301" keep their zeros.
Title rows above the header are skipped in CSV and XLSX (`sniff.find_header`). A Table
keeps what it needs to write its coded copy alike: the workbook of an XLSX (`xlsx`), the
typed values and metadata of a .sav (`spss`). Output is checked to be writable before the
work starts, written to a temporary file beside the target and moved into place.
The numbers the tool adds to a CSV take the input's decimal mark (`Table.decimal`), and read
back in either convention (`read_numbers`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Errors, UserError
from .sniff import HEADER_SCAN_ROWS, check_size, find_header, norm, read_text, sniff_delimiter
from .xlsx import XlsxSource, read_xlsx, write_kept, write_xlsx

READABLE = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav")
WRITABLE = (".csv", ".xlsx", ".sav")
# Cells starting with these may run as formulas in Excel or LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_PATTERN = r"[+-]?\d+([.,]\d+)?"
_NUMBER = re.compile(f"^{_NUMBER_PATTERN}$")
# Cells that are not written answers: numbers, dates, times, code lists, or one token with a digit.
_NOT_TEXT = r"[\d\s.,:;/+\-%]*\d[\d\s.,:;/+\-%]*|(?=\S*\d)\S{1,20}"
# The decimal mark of the numbers the tool writes into a CSV (`predict --decimal`).
DECIMAL_MARKS = {"comma": ",", "point": "."}
# Numbers with a decimal comma or point; 1,500 and 1.500 may be thousands, so they tell nothing.
_DECIMAL_NUMBER = {mark: rf"[+-]?\d+\{mark}\d+" for mark in (",", ".")}
_THOUSANDS = r"[+-]?[1-9]\d{0,2}[.,]\d{3}"
DECIMAL_SCAN_ROWS = 1000  # enough rows to see a file's convention, few enough to stay fast


# Column names that mean the same thing in survey files, lower-cased.
YEAR_COLUMNS = ("year", "år", "aar", "survey_year")
ID_COLUMNS = ("id", "respondent_id", "respondent")
SOURCE_COLUMNS = ("source", "kilde")  # who wrote the answers, or where they come from


def find_column(columns, names) -> str | None:
    """The first of `columns` whose name (normalised: NFC, trimmed, any case) is one of `names`."""
    return next((c for c in columns if norm(c) in names), None)


@dataclass
class Table:
    """A read file: its rows as strings, and how it was written, to write back alike."""

    frame: pd.DataFrame
    path: Path
    delimiter: str = ";"
    encoding: str = "utf-8"
    column_labels: dict = field(default_factory=dict)  # variable labels from .sav
    header_row: int = 1          # the row naming the columns, 1-based as Excel shows it
    header_found: bool = False   # True when it was found below title rows (worth saying)
    sheet: str | None = None     # the sheet read from an XLSX
    xlsx: XlsxSource | None = None  # an XLSX input's workbook, for `write_table(source=...)`
    sav: object | None = None    # a .sav input's typed values and metadata (spss.SavSource)
    decimal: str = ","           # decimal mark of the numbers the tool adds to a CSV written alike


def check_input(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(Errors.FILE_NOT_FOUND.format(path=p))
    if p.is_dir():
        raise UserError(Errors.NOT_A_FILE.format(path=p))
    if p.suffix.lower() not in READABLE:
        raise UserError(Errors.UNSUPPORTED_FORMAT.format(path=p, suffix=p.suffix or "(none)"))
    return p


def read_table(path: str | Path, sheet: str | int | None = 0, header_row: int | None = None) -> Table:
    """Read a CSV, XLSX or SAV file into a Table of strings (empty cells are "").

    `header_row` (1-based, as Excel numbers rows) names the row that holds the column
    names; without it, title rows above the header are skipped (CSV and XLSX).
    """
    p = check_input(path)
    suffix = p.suffix.lower()
    if header_row is not None and suffix == ".sav":
        raise UserError(Errors.HEADER_ROW_NOT_FOR_SAV.format(path=p))
    try:
        if suffix in (".xlsx", ".xlsm"):
            read = read_xlsx(p, sheet, header_row)
            frame, kept = _clean(read.frame)
            read.source.rows = [read.source.rows[i] for i in kept]
            table = Table(frame, p, header_row=read.source.header_row, header_found=read.header_found,
                          sheet=read.source.sheet, xlsx=read.source)
        elif suffix == ".sav":
            from .spss import read_sav  # noqa: PLC0415 - pyreadstat only when needed

            check_size(p)
            raw, labels, source = read_sav(p)
            frame, kept = _clean(raw)
            source.rows = kept
            table = Table(frame, p, column_labels=labels, sav=source)
        else:
            table = _read_csv(p, header_row)
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


def _read_csv(p: Path, header_row: int | None) -> Table:
    """A CSV/text file: title lines above the header are skipped (or up to `header_row`)."""
    text, encoding = read_text(p)
    if not text.strip():
        raise UserError(Errors.EMPTY_FILE.format(path=p))
    delimiter = sniff_delimiter(text)
    records, ends = _first_records(text, delimiter, max(HEADER_SCAN_ROWS, header_row or 0))
    first = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), 0)
    if header_row is not None:
        if header_row < 1 or header_row > len(records):
            raise UserError(Errors.HEADER_ROW_PAST_END.format(row=header_row, path=p, where="", n=len(records)))
        if not any(c.strip() for c in records[header_row - 1]):
            raise UserError(Errors.HEADER_ROW_EMPTY.format(row=header_row, path=p, where=""))
        start = header_row - 1
    else:
        start = find_header(records)
    body = text[ends[start - 1]:] if start > first else text
    df = pd.read_csv(io.StringIO(body), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False)
    frame, _ = _clean(df)
    return Table(_unguard(frame), p, delimiter=delimiter, encoding=encoding, header_row=start + 1,
                 header_found=header_row is None and start > first, decimal=file_decimal(frame, delimiter))


def file_decimal(frame: pd.DataFrame, delimiter: str) -> str:
    """The decimal mark of a CSV's numbers: ',' in a `;`-CSV (what Norwegian Excel writes), else
    ',' when more of the numbers in its first rows have a decimal comma than a decimal point."""
    if delimiter == ";":
        return ","
    head = frame.head(DECIMAL_SCAN_ROWS)
    found = dict.fromkeys(_DECIMAL_NUMBER, 0)
    for c in head.columns:
        cells = head[c].str.strip()
        cells = cells[~cells.str.fullmatch(_THOUSANDS)]
        for mark, pattern in _DECIMAL_NUMBER.items():
            found[mark] += int(cells.str.fullmatch(pattern).sum())
    return "," if found[","] > found["."] else "."


def read_numbers(s: pd.Series) -> pd.Series:
    """Floats from one of the tool's own numeric columns (`confidence`, `p_<code>`) read back as
    text, written with a decimal point or a decimal comma; NaN where blank or not a number.
    Only for those columns: an input's own cells such as "1,5" stay text everywhere else."""
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    text = s.astype(str).str.strip().str.replace(",", ".", n=1, regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def _first_records(text: str, delimiter: str, n: int) -> tuple[list[list[str]], list[int]]:
    """The first `n` CSV records of `text` (a blank line is an empty record, as Excel shows it),
    and the character offset where each ends (a quoted cell may span lines)."""
    offset = 0

    def lines():  # lazily: only the lines the reader asks for, endings kept so lengths add up
        nonlocal offset
        while offset < len(text):
            end = text.find("\n", offset)
            end = len(text) if end < 0 else end + 1
            line, offset = text[offset:end], end
            yield line

    records, ends = [], []
    try:
        for record in csv.reader(lines(), delimiter=delimiter):
            records.append(record)
            ends.append(offset)
            if len(records) >= n:
                break
    except csv.Error:
        pass  # pandas reads the file and names what is wrong
    return records, ends


def _clean(df: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """Text cells, trimmed column names, blank rows dropped; and the positions of the rows kept."""
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    df = df.astype(object).fillna("").astype(str)  # object first: "" is no float fill value
    if not len(df) or not len(df.columns):
        return df, list(range(len(df)))
    # Drop rows that are blank in every cell (Excel leaves them at the end).
    # Column by column (vectorised): a row-wise apply built a Series per row, ~0.8 s per 100,000 rows.
    keep = (df.apply(lambda col: col.str.strip()) != "").any(axis=1).to_numpy()
    return df[keep].reset_index(drop=True), [i for i, k in enumerate(keep) if k]


def pick_column(table: Table, column: str | None, option: str = "text-column") -> str:
    """Return the column named `column` (matched as typed, else normalised: NFC, trimmed, any
    case); with None, guess the text column (longest texts)."""
    cols = list(table.frame.columns)
    if column is not None:
        matches = column_matches(cols, column)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UserError(Errors.AMBIGUOUS_COLUMN.format(
                column=column, path=table.path, matches=", ".join(f"'{c}'" for c in matches), option=option))
        raise UserError(
            Errors.UNKNOWN_COLUMN.format(column=column, path=table.path, columns=", ".join(cols), option=option)
        )
    return guess_text_column(table)


def column_matches(columns: list, column: str) -> list:
    """The columns named `column`: the one typed exactly, else all that match it normalised
    (NFC, trimmed, any case)."""
    if column in columns:
        return [column]
    return [c for c in columns if norm(c) == norm(column)]


def _text_profile(s: pd.Series) -> tuple[int, int, float]:
    """(filled cells, cells that are numbers, dates or codes, mean length of the filled cells)."""
    s = s.astype(str).str.strip()
    filled = s[s != ""]
    if filled.empty:
        return 0, 0, 0.0
    return len(filled), int(filled.str.fullmatch(_NOT_TEXT).sum()), float(filled.str.len().mean())


def text_columns(table: Table) -> list[str]:
    """Columns that hold written text (mostly not numbers, dates or codes), longest texts first."""
    found = []
    for c in table.frame.columns:
        n, not_text, mean_len = _text_profile(table.frame[c])
        if n and not_text * 2 <= n and mean_len >= 3:
            found.append((mean_len, c))
    return [c for _, c in sorted(found, key=lambda x: -x[0])]


def guess_text_column(table: Table) -> str:
    """The column whose cells are longest on average and mostly not numbers, dates or codes."""
    found = text_columns(table)
    if not found:
        raise UserError(
            Errors.NO_TEXT_COLUMN.format(path=table.path, columns=", ".join(map(str, table.frame.columns)))
        )
    return found[0]


def check_text_column(table: Table, column: str) -> None:
    """Refuse a text column whose filled cells are mostly numbers, dates or codes: coding
    them gives confident nonsense. Names the columns that do hold text."""
    n, not_text, _ = _text_profile(table.frame[column])
    if not n or not_text * 2 <= n:
        return
    others = [f"'{c}'" for c in text_columns(table) if c != column][:5]
    suggest = Errors.TEXT_COLUMNS_FOUND.format(columns=", ".join(others)) if others else Errors.NO_TEXT_COLUMNS_FOUND
    raise UserError(Errors.NOT_A_TEXT_COLUMN.format(column=column, path=table.path, n=not_text, total=n,
                                                    suggest=suggest))


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


def check_output(out: str | Path, inputs: list[Path] | tuple = (), suffixes: tuple = WRITABLE,
                 overwrite: bool = True) -> Path:
    """`out` if it can be written, checked before any work is done: a known file type, a
    folder that exists and takes new files, none of `inputs`, and, if the file exists,
    `overwrite` allowed and the file replaceable."""
    o = Path(out)
    if o.suffix.lower() not in suffixes:
        raise UserError(Errors.UNSUPPORTED_OUTPUT.format(path=o, suffix=o.suffix or "(none)"))
    folder = o.resolve().parent
    if not folder.is_dir():
        raise UserError(Errors.OUTPUT_DIR_MISSING.format(path=o))
    if o.is_dir():
        raise UserError(Errors.OUTPUT_IS_FOLDER.format(path=o))
    for i in inputs:
        if Path(i).exists() and o.exists() and o.resolve() == Path(i).resolve():
            raise UserError(Errors.OUTPUT_IS_INPUT.format(path=o))
    if o.exists() and not overwrite:
        raise UserError(Errors.OUTPUT_EXISTS.format(path=o))
    try:  # the real test: permissions, read-only or full file systems, and more
        fd, probe = tempfile.mkstemp(prefix=f".{o.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise UserError(Errors.OUTPUT_NOT_WRITABLE.format(path=o, reason=_reason(e))) from None
    if o.exists():
        try:  # opened for writing, not changed: fails for a read-only or locked file
            with open(o, "r+b"):
                pass
        except OSError as e:
            raise UserError(Errors.OUTPUT_NOT_REPLACEABLE.format(path=o, reason=_reason(e))) from None
    return o


def _reason(e: OSError) -> str:
    """'permission denied', 'no space left on device', ..."""
    return e.strerror.lower() if e.strerror else str(e) or type(e).__name__


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; move it into place only on success."""
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.resolve().parent)
    except OSError as e:
        raise UserError(Errors.WRITE_FAILED.format(path=target, reason=_reason(e))) from None
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any new file
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except OSError as e:
            raise UserError(Errors.WRITE_FAILED.format(path=target, reason=_reason(e))) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _numbers_as_text(df: pd.DataFrame, decimal: str) -> pd.DataFrame:
    """`df`'s float columns (those the tool added: every cell read is text) as text with `decimal`,
    as pandas' `to_csv(decimal=)` writes them, each distinct value formatted once (faster)."""
    out = df.copy()
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_float_dtype(s) or (s.dtype == object and pd.api.types.infer_dtype(
                s, skipna=True) in ("floating", "mixed-integer-float")):
            codes, values = pd.factorize(s.astype(float))
            text = np.array([repr(v).replace(".", decimal) for v in values.tolist()] + [""], dtype=object)
            out[c] = text[codes]  # code -1 (a blank) is the last
    return out


def write_table(df: pd.DataFrame, out: str | Path, delimiter: str = ";", sav_options: dict | None = None,
                source: Table | None = None, decimal: str = ".") -> Path:
    """Write `df` atomically as CSV (UTF-8 with BOM, for Excel), XLSX or SAV.

    Text that looks like a formula is made inert: quoted in CSV, a string cell in XLSX.
    A CSV writes the numbers of `df` with `decimal` as decimal mark, its text as it is.
    With `source`, the Table `df` was made from (its columns first, then new ones): XLSX
    from XLSX is written into a copy of the input workbook (`xlsx.write_kept`), SAV from
    SAV keeps the input's values and metadata. XLSX otherwise: text columns of plain
    numbers become numbers (`xlsx.numbers_kept`).
    """
    o = Path(out)
    suffix = o.suffix.lower()
    if suffix not in WRITABLE:
        raise UserError(Errors.UNSUPPORTED_OUTPUT.format(path=o, suffix=o.suffix or "(none)"))
    with atomic_path(o) as tmp:
        try:
            if suffix == ".csv":
                guarded = guard_frame(df)  # the numbers after the guard: 0,97 is never text to quote
                if decimal != ".":
                    guarded = _numbers_as_text(guarded, decimal)
                guarded.to_csv(tmp, sep=delimiter, index=False, encoding="utf-8-sig", lineterminator="\r\n")
            elif suffix == ".xlsx" and source is not None and source.xlsx is not None:
                write_kept(source.xlsx, df, tmp)
            elif suffix == ".xlsx":
                write_xlsx({"data": df}, tmp, numbers=True)
            else:
                from .spss import write_sav  # noqa: PLC0415 - pyreadstat only when needed

                write_sav(df, tmp, **(sav_options or {}), source=source.sav if source is not None else None,
                          target=o)
        except OSError as e:
            raise UserError(Errors.WRITE_FAILED.format(path=o, reason=_reason(e))) from None
    return o
