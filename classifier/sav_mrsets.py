"""SPSS multiple-response sets in a .sav file that pyreadstat wrote.

A question's codes are 0/1 variables; SPSS groups such variables as a multiple-response
set (a "multiple dichotomy" set counting the value 1), so MULT RESPONSE and CTABLES treat
them as one question. pyreadstat (ReadStat) cannot write these sets, so `add_mrsets`
inserts the record that holds them (type 7, subtype 7, as the system-file format
describes it) before the dictionary's end in the file pyreadstat wrote, naming the
variables by their short names as that file's dictionary records them. Only uncompressed
files are changed (the tool writes them so); the data after the dictionary is untouched.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 176
COUNTED = "1"  # the value a dichotomy set counts: 1 = Nevnt


@dataclass(frozen=True)
class MultipleResponseSet:
    name: str  # "$tjenester"
    label: str
    variables: list[str]  # the (long) variable names, in order


class SavLayoutError(ValueError):
    """The file is not laid out as this module reads it (it is left as it was)."""


def _counted(text: str) -> str:
    """A string in the record's own form: its length in bytes, a space, the string."""
    return f"{len(text.encode())} {text}"


def mrsets_record(sets: list[MultipleResponseSet], short: dict[str, str], endian: str = "<") -> bytes:
    """The type 7, subtype 7 record for `sets`; `short` maps long variable names to short."""
    lines = []
    for s in sets:
        label = " ".join(s.label.split())
        names = " ".join(short[v].lower() for v in s.variables)
        lines.append(f"{s.name}=D{_counted(COUNTED)} {_counted(label)} {names}\n")
    body = "".join(lines).encode()
    return struct.pack(f"{endian}iiii", 7, 7, 1, len(body)) + body


def add_mrsets(path: Path, sets: list[MultipleResponseSet]) -> None:
    """Insert the multiple-response sets into the uncompressed .sav at `path`."""
    if not sets:
        return
    raw = path.read_bytes()
    endian, end, short = _dictionary(raw)
    record = mrsets_record(sets, short, endian)
    path.write_bytes(raw[:end] + record + raw[end:])


def _dictionary(raw: bytes) -> tuple[str, int, dict[str, str]]:
    """(byte order, offset of the dictionary's end record, {long name: short name})."""
    if raw[:4] not in (b"$FL2", b"$FL3") or len(raw) < HEADER_BYTES:
        raise SavLayoutError("not a system file")
    endian = "<" if struct.unpack("<i", raw[64:68])[0] in (2, 3) else ">"
    if struct.unpack(f"{endian}i", raw[72:76])[0] != 0:
        raise SavLayoutError("compressed")

    def ints(at: int, n: int = 1):
        return struct.unpack(f"{endian}{n}i", raw[at:at + 4 * n])

    pos, names, long_names = HEADER_BYTES, [], {}
    while pos < len(raw):
        (kind,) = ints(pos)
        if kind == 2:
            _, width, has_label, n_missing, _, _ = ints(pos, 6)
            name = raw[pos + 24:pos + 32].decode("ascii", "replace").rstrip()
            if width >= 0:
                names.append(name)
            pos += 32
            if has_label:
                (length,) = ints(pos)
                pos += 4 + (length + 3) // 4 * 4
            pos += 8 * abs(n_missing)
        elif kind == 3:
            (count,) = ints(pos + 4)
            pos += 8
            for _ in range(count):
                length = raw[pos + 8]
                pos += 8 + (length + 1 + 7) // 8 * 8
        elif kind == 4:
            (count,) = ints(pos + 4)
            pos += 8 + 4 * count
        elif kind == 6:
            (lines,) = ints(pos + 4)
            pos += 8 + 80 * lines
        elif kind == 7:
            _, subtype, size, count = ints(pos, 4)
            body = raw[pos + 16:pos + 16 + size * count]
            if subtype == 13:  # long variable names: SHORT=Long, tab-separated
                for pair in body.decode("utf-8", "replace").split("\t"):
                    if "=" in pair:
                        s, long = pair.split("=", 1)
                        long_names[s] = long
            pos += 16 + size * count
        elif kind == 999:
            short = {long_names.get(n, n): n for n in names}
            return endian, pos, short
        else:
            raise SavLayoutError(f"record type {kind} at byte {pos}")
    raise SavLayoutError("no end of the dictionary")
