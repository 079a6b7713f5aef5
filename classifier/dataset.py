"""Coded answers for training and evaluation, read from CSV/XLSX files or folders.

Rows are checked against the code frame: an unknown code names its file and row.
The data's SHA-256 goes into the model's metadata, so a rerun can tell whether it
trained on the same answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .codeframe import CodeFrame, split_labels
from .errors import Errors, UserError
from .preprocess import is_non_answer
from .tables import ID_COLUMNS, SOURCE_COLUMNS, YEAR_COLUMNS, find_column, pick_column, read_table

DATA_SUFFIXES = (".csv", ".xlsx")


@dataclass
class CodedAnswers:
    texts: list[str]
    labels: list[list[str]]
    where: list[str] = field(default_factory=list)  # "file row n", for messages
    ids: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    skipped: int = 0
    notes: list[str] = field(default_factory=list)  # what the user should know (e.g. answers left out)
    groups: list[str] = field(default_factory=list)  # the `source` column (a writer, a municipality): "" if none

    def __len__(self) -> int:
        return len(self.texts)

    def indicator(self, frame: CodeFrame) -> np.ndarray:
        """answers x codes 0/1 matrix in frame order."""
        Y = np.zeros((len(self.labels), len(frame.keys)), dtype=int)
        index = {k: j for j, k in enumerate(frame.keys)}
        for i, labels in enumerate(self.labels):
            for k in labels:
                Y[i, index[k]] = 1
        return Y

    def hash(self) -> str:
        """SHA-256 over the (text, codes) pairs in order."""
        h = hashlib.sha256()
        for t, labels in zip(self.texts, self.labels):
            h.update(t.encode("utf-8"))
            h.update(b"\x1f")
            h.update(";".join(labels).encode("utf-8"))
            h.update(b"\x1e")
        return h.hexdigest()

    def subset(self, mask) -> CodedAnswers:
        idx = np.flatnonzero(np.asarray(mask))
        pick = lambda xs: [xs[i] for i in idx] if xs else []  # noqa: E731
        return CodedAnswers(pick(self.texts), pick(self.labels), pick(self.where), pick(self.ids), pick(self.years),
                            groups=pick(self.groups))

    def extend(self, other: CodedAnswers) -> CodedAnswers:
        return CodedAnswers(self.texts + other.texts, self.labels + other.labels, self.where + other.where,
                            self.ids + other.ids, self.years + other.years, self.skipped + other.skipped,
                            groups=self.groups + other.groups)

    def has_groups(self) -> bool:
        """Whether the answers come from two or more named sources (see `groups`)."""
        return len({g for g in self.groups if g}) >= 2


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given; folders become their .csv/.xlsx files, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in DATA_SUFFIXES and not f.name.startswith("."))
            if not found:
                raise UserError(Errors.NO_DATA_FILES.format(path=p))
            out.extend(found)
        elif not p.exists():
            raise UserError(Errors.FILE_NOT_FOUND.format(path=p))
        else:
            out.append(p)
    return out


def read_coded(paths: list[str | Path], text_column: str = "text", labels_column: str = "labels") -> CodedAnswers:
    """Read coded answers (raw code keys, not yet checked against a frame)."""
    data = CodedAnswers([], [])
    files = expand_paths(paths)
    for f in files:
        table = read_table(f)
        tcol = pick_column(table, text_column, "text-column")
        lcol = pick_column(table, labels_column, "labels-column")
        df = table.frame
        idcol = find_column(df.columns, ID_COLUMNS)
        yearcol = find_column(df.columns, YEAR_COLUMNS)
        sourcecol = find_column(df.columns, SOURCE_COLUMNS)
        for i, row in enumerate(df.itertuples(index=False), start=2):
            rec = dict(zip(df.columns, row))
            text, labels = rec[tcol], split_labels(rec[lcol])
            if is_non_answer(text) or not labels:
                data.skipped += 1
                continue
            data.texts.append(str(text).strip())
            data.labels.append(labels)
            data.where.append(f"{f.name} row {i}")
            data.ids.append(str(rec[idcol]) if idcol else f"{f.name}:{i}")
            data.years.append(str(rec[yearcol]) if yearcol else "")
            data.groups.append(str(rec[sourcecol]).strip() if sourcecol else "")
    if not data.texts:
        raise UserError(Errors.NO_TRAINING_ROWS.format(paths=", ".join(map(str, files)), column=labels_column))
    return data


def check_against_frame(data: CodedAnswers, frame: CodeFrame) -> CodedAnswers:
    """Validate and order each row's codes by the frame; raise naming the first bad row."""
    data.labels = [frame.parse_labels(";".join(lab), src) for lab, src in zip(data.labels, data.where)]
    return data

