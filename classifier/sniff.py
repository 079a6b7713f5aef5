"""What an input file holds, found before it is parsed: its kind, its text encoding,
its CSV delimiter, the row that names its columns, and whether it is small enough.

Excel's "Unicode text" export is UTF-16 LE with a byte-order mark and tabs; other tools
write UTF-16 or UTF-32 with or without one. A file that is neither text nor a spreadsheet
(an image, an archive, an old .xls, binary data) is named as such instead of being decoded
into garbage and coded. Survey tools put title rows above the header; `find_header` finds
the header below them. The size limits guard memory: module constants, each of which an
environment variable can raise.
"""

from __future__ import annotations

import csv
import math
import os
import re
import unicodedata
import zipfile
from pathlib import Path

from .errors import Errors, UserError

# Size limits. CSV/text and .sav: the file's size. XLSX: the sum of its zip entries'
# uncompressed sizes (what openpyxl would inflate), and each large entry's compression ratio.
MAX_FILE_MB = 200
MAX_XLSX_MB = 250
MAX_XLSX_RATIO = 200
LIMIT_ENV = {
    "MAX_FILE_MB": "SURVEY_CODER_MAX_FILE_MB",
    "MAX_XLSX_MB": "SURVEY_CODER_MAX_XLSX_MB",
    "MAX_XLSX_RATIO": "SURVEY_CODER_MAX_XLSX_RATIO",
}
_RATIO_MIN_BYTES = 1 << 20  # the ratio is only judged for entries that inflate beyond 1 MB
_MB = 1 << 20

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
# Signatures of files people rename or save by mistake; Errors.KINDS says what each is.
_MAGIC = (
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0", "xls"), (b"$FL2", "sav"), (b"$FL3", "sav"), (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"), (b"7z\xbc\xaf", "7z"), (b"Rar!", "rar"), (b"SQLite format 3", "sqlite"),
)
_DELIMITERS = ";,\t|"
_SAMPLE = 64 * 1024
HEADER_SCAN_ROWS = 20  # title rows are looked for this far down
_NUMBER = re.compile(r"[+-]?(\d[\d  ]*)?\d([.,]\d+)?%?")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?|\d{1,2}:\d{2}(:\d{2})?")


def limit(name: str) -> float:
    """The size limit `name` (one of LIMIT_ENV), from its environment variable if set."""
    var = LIMIT_ENV[name]
    raw = os.environ.get(var, "").strip()
    if not raw:
        return globals()[name]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value > 0:
        raise UserError(Errors.BAD_LIMIT.format(var=var, value=raw))
    return value


def check_size(path: Path) -> None:
    """Refuse a CSV/text/.sav file larger than MAX_FILE_MB, before it is read."""
    size = path.stat().st_size
    if size > limit("MAX_FILE_MB") * _MB:
        raise UserError(Errors.FILE_TOO_LARGE.format(
            path=path, size=_mb(size), limit=_mb(limit("MAX_FILE_MB") * _MB), var=LIMIT_ENV["MAX_FILE_MB"]))


def check_xlsx(path: Path) -> None:
    """Refuse a file that is not an XLSX workbook, or that would inflate beyond the limits,
    from its zip directory alone (before openpyxl opens it)."""
    with open(path, "rb") as f:
        head = f.read(8)
    if not head.startswith(b"PK"):
        raise UserError(Errors.NOT_A_WORKBOOK.format(path=path, what=kind_of(head) or Errors.KINDS["not_zip"]))
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise UserError(Errors.UNREADABLE_FILE.format(path=path, reason=Errors.KINDS["damaged_zip"].format(reason=e))) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise UserError(Errors.NOT_A_WORKBOOK.format(path=path, what=Errors.KINDS["zip_no_workbook"]))
    total = sum(i.file_size for i in infos)
    if total > limit("MAX_XLSX_MB") * _MB:
        raise UserError(Errors.XLSX_TOO_LARGE.format(
            path=path, size=_mb(total), limit=_mb(limit("MAX_XLSX_MB") * _MB), var=LIMIT_ENV["MAX_XLSX_MB"]))
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > _RATIO_MIN_BYTES and ratio > limit("MAX_XLSX_RATIO"):
            raise UserError(Errors.XLSX_RATIO.format(
                path=path, entry=i.filename, ratio=f"{ratio:,.0f}", limit=f"{limit('MAX_XLSX_RATIO'):,.0f}",
                var=LIMIT_ENV["MAX_XLSX_RATIO"]))


def _mb(size: float) -> str:
    return f"{size / _MB:,.0f} MB" if size >= 10 * _MB else f"{size / _MB:,.1f} MB"


def kind_of(head: bytes) -> str | None:
    """What a file whose first bytes are `head` is (Errors.KINDS' words), if a known non-text kind."""
    return next((Errors.KINDS[kind] for magic, kind in _MAGIC if head.startswith(magic)), None)


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name).

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); without one, UTF-16 is recognised by
    its NUL bytes (every other byte, for Latin text), then UTF-8, then Windows-1252.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding.replace("-sig", ""), errors="replace"), encoding
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return raw.decode(utf16, errors="replace"), utf16
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the NUL bytes fall on one side of the byte pairs."""
    sample = raw[:_SAMPLE - _SAMPLE % 2] if len(raw) >= 2 else b""
    sample = sample[: len(sample) - len(sample) % 2]
    if not sample or b"\x00" not in sample:
        return None
    pairs = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for nuls, other, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= 0.3 * pairs and other <= 0.02 * pairs:
            try:
                sample.decode(name)
            except UnicodeDecodeError:
                return None
            return name
    return None


def read_text(path: Path) -> tuple[str, str]:
    """The text of a CSV/text file and its encoding; refuses a file that is not text."""
    check_size(path)
    raw = path.read_bytes()
    what = kind_of(raw[:16])
    if what:
        raise UserError(Errors.NOT_TEXT.format(path=path, what=what))
    text, encoding = decode(raw)
    if _looks_binary(text):
        raise UserError(Errors.NOT_TEXT.format(path=path, what=Errors.KINDS["binary"]))
    return text, encoding


def _looks_binary(text: str) -> bool:
    """NUL characters, or many other control characters, in the decoded text."""
    sample = text[:_SAMPLE]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    return controls > max(2, 0.01 * len(sample))


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: csv.Sniffer on the first lines, else the delimiter that
    occurs the same number of times (more than zero) on the most lines (title lines above
    the header hold none)."""
    head = text[:_SAMPLE * 4]
    lines = head.splitlines()[:50]
    if len(head) < len(text) and len(lines) < 50:
        lines = lines[:-1]  # the last line may be cut short
    lines = [line for line in lines if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    best, best_lines = ",", 0
    for d in _DELIMITERS:
        counts = [line.count(d) for line in lines if line.count(d)]
        if counts:
            mode_lines = max(counts.count(c) for c in set(counts))
            if mode_lines > best_lines:
                best, best_lines = d, mode_lines
    return best


def norm(name: object) -> str:
    """A column name as it is compared: NFC, trimmed, case-folded (a Mac types NFD)."""
    return unicodedata.normalize("NFC", str(name)).strip().casefold()


def _filled(row) -> list:
    return [v for v in row if v is not None and str(v).strip() != ""]


def _is_label(value: object) -> bool:
    """Could this cell name a column: text that is not a number or a date."""
    if not isinstance(value, str):
        return False
    v = value.strip()
    return bool(v) and not _NUMBER.fullmatch(v) and not _DATE.fullmatch(v)


def find_header(rows: list) -> int:
    """The 0-based index among `rows` (the first rows of a sheet or CSV, as cell lists) of
    the row that names the columns.

    Title rows are sparse (a cell or two where the data fill the width), so the header is
    the first row at least half as full as the fullest row (and with two cells or more);
    it must hold distinct texts that are not numbers or dates, mostly short, with a
    non-empty row below it. When the first rows are not sparse, or the candidate is not
    like a header, the answer is the first non-empty row, as before.
    """
    filled = [len(_filled(r)) for r in rows]
    first = next((i for i, n in enumerate(filled) if n), 0)
    width = max(filled, default=0)
    if width < 2:
        return first
    need = max(2, math.ceil(width / 2))
    candidate = next((i for i, n in enumerate(filled) if n >= need), None)
    if candidate is None or candidate == first:
        return first
    cells = _filled(rows[candidate])
    texts = [str(v).strip() for v in cells]
    looks_like_header = (
        all(_is_label(v) for v in cells)
        and len({norm(t) for t in texts}) == len(texts)
        and sum(len(t) <= 60 for t in texts) * 2 >= len(texts)
        and any(filled[candidate + 1:])
    )
    return candidate if looks_like_header else first
