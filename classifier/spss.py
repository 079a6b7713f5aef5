"""SPSS .sav output in the shape survey tools use: one 0/1 variable per code.

`predict --out FILE.sav` writes every input column, then for each code a numeric
variable (1 = Nevnt, 0 = Ikke nevnt, system-missing for answers left empty) labelled
with the code's Norwegian name, then confidence, needs_review, the codes as text and
the probability of each code. SPSS variable names must start with a letter, hold only
letters, digits, `_` and `.`, be at most 64 bytes, be unique ignoring case and not be a
reserved word, so names are made valid and the renames are kept: returned, stored
as the variables' labels and listed in the file's notes (one short line each).

A .sav input (`read_sav`, called by `tables.read_table`) keeps its typed values and its
metadata, so a .sav written from it keeps its variable names, value labels, user-missing
values, measure levels, formats, variable labels and file label. The header's creation
date and time are fixed, so the same input gives the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .coded_columns import RESULT_COLUMNS, probability_columns
from .codeframe import CodeFrame, split_labels
from .errors import Errors, UserError

MAX_NAME = 64
RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
MENTIONED = {0.0: "Ikke nevnt", 1.0: "Nevnt"}
YES_NO = {0.0: "Nei", 1.0: "Ja"}
LABEL_CONFIDENCE = "Sikkerhet (0-1) for at kodene er riktige"
LABEL_REVIEW = "Bør gjennomgås manuelt"
LABEL_CODES = "Koder (nøkler skilt med ;)"
LABEL_PROBABILITY = "Sannsynlighet: {name}"
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "AE", "Ø": "OE", "Å": "AA"})
_INVALID = re.compile(r"[^A-Za-z0-9_.]+")
NOTE_BYTES = 80  # an SPSS document line; pyreadstat refuses a longer note
FILE_LABEL_BYTES = 64
RENAMES_NOTE = "Variable names changed to be valid in SPSS (old -> new):"
# The header's creation date and time (bytes 92-108 of a .sav), fixed instead of the clock's.
SAV_CREATED = b"01 Jan 80" + b"00:00:00"
_CREATED_AT = 92
_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")


@dataclass
class SavSource:
    """A .sav input as read: its typed values (user-missing values as they are) and the
    metadata that `write_sav` writes back, keyed by variable name."""

    data: pd.DataFrame
    rows: list[int]                 # positions in `data` of the table's rows (blank rows dropped)
    columns: list[str]
    file_label: str = ""
    labels: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)   # as write_sav's missing_ranges
    measures: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)   # numeric variables only
    widths: dict = field(default_factory=dict)


def read_sav(path: Path) -> tuple[pd.DataFrame, dict, SavSource]:
    """(the values as text, user-missing values blank; variable labels; the SavSource)."""
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    missing = {var: [r["lo"] if r["lo"] == r["hi"] else {"lo": r["lo"], "hi": r["hi"]} for r in ranges]
               for var, ranges in (meta.missing_ranges or {}).items()}
    numeric = {v for v, t in (meta.readstat_variable_types or {}).items() if t == "double"}
    source = SavSource(
        df, list(range(len(df))), list(df.columns), meta.file_label or "",
        labels={k: v for k, v in meta.column_names_to_labels.items() if v},
        value_labels=dict(meta.variable_value_labels or {}), missing=missing,
        measures={k: v for k, v in (meta.variable_measure or {}).items() if v in ("nominal", "ordinal", "scale")},
        formats={k: v for k, v in (meta.original_variable_types or {}).items() if k in numeric},
        widths=dict(meta.variable_display_width or {}),
    )
    text = df.copy()
    for col in text.columns:
        s = text[col]
        for r in (meta.missing_ranges or {}).get(col, []):
            if pd.api.types.is_numeric_dtype(s):
                s = s.mask((s >= r["lo"]) & (s <= r["hi"]))
            elif col not in numeric:
                s = s.mask(s == r["lo"])
        if pd.api.types.is_float_dtype(s) and s.dropna().apply(float.is_integer).all():
            s = s.map(lambda v: "" if pd.isna(v) else str(int(v)))
        text[col] = s
    return text, source.labels, source


def spss_name(name: object, taken: set[str], keep: bool = False) -> str:
    """A valid SPSS variable name for `name`, unique (ignoring case) among `taken`; adds it to
    `taken`. With `keep` (a name from a .sav input), a name SPSS takes as it is stays."""
    if keep and _valid_as_is(str(name)) and str(name).upper() not in taken:
        taken.add(str(name).upper())
        return str(name)
    text = unicodedata.normalize("NFKD", str(name).translate(_FOLD)).encode("ascii", "ignore").decode()
    text = re.sub(r"_+", "_", _INVALID.sub("_", text)).strip("._")
    if not text or not text[0].isalpha():
        text = f"v_{text}" if text else "v"
    if text.upper() in RESERVED:
        text = f"v_{text}"
    text = text[:MAX_NAME].rstrip("._")
    candidate, n = text, 1
    while candidate.upper() in taken:
        n += 1
        suffix = f"_{n}"
        candidate = text[: MAX_NAME - len(suffix)].rstrip("._") + suffix
    taken.add(candidate.upper())
    return candidate


def _valid_as_is(name: str) -> bool:
    """Whether SPSS (and pyreadstat) take `name` unchanged: a letter first, then letters,
    digits, '_', '.', '@', '#' or '$', not ending in '.', at most 64 bytes, not reserved."""
    return (bool(name) and name[0].isalpha() and len(name.encode()) <= MAX_NAME and not name.endswith(".")
            and all(ch.isalnum() or ch in "_.@#$" for ch in name) and name.upper() not in RESERVED)


@dataclass
class Coded:
    """One coded question in the table: the prefix of its columns ('' for a table coded
    without questions), its code frame, its codes, and the 0/1 variables made for them."""

    prefix: str
    frame: CodeFrame | None
    keys: list[str]
    flags: list[str] = field(default_factory=list)  # SPSS names of the 0/1 variables, in code order
    label: str = ""

    def col(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def columns(self) -> list[str]:
        """The columns this question's coding adds (those it knows how to write)."""
        return [self.col(c) for c in (*RESULT_COLUMNS, *probability_columns(self.keys))]


def sav_frame(df: pd.DataFrame, frame: CodeFrame | None = None, column_labels: dict | None = None,
              labels_column: str = "labels", source: SavSource | None = None,
              questions: list | None = None) -> tuple[pd.DataFrame, dict, dict, list[Coded]]:
    """The table to write, {original column: SPSS name}, pyreadstat.write_sav's metadata
    arguments (labels, value labels, measures, and from `source` user-missing values,
    formats and display widths, all keyed by SPSS name), and the coded questions.

    `questions` ([(key, frame) or (key, frame, label)]) names the questions whose columns
    carry `<key>_` (as `predict` writes several; the label names the question's
    multiple-response set, default: the frame's question); without it the table's coded columns have no prefix. With
    `source` (the .sav `df` was read from: its columns first), those columns are written
    with the source's typed values and metadata."""
    column_labels = column_labels or {}
    groups = [Coded(f"{q[0]}_", q[1], [], label=q[2] if len(q) > 2 else "") for q in questions] if questions \
        else [Coded("", frame, [])]
    for g in groups:
        g.keys = _code_keys(df, g.frame, g.col(labels_column) if g.prefix else labels_column, g.prefix)
        g.label = g.label or (g.frame.question if g.frame is not None else "")
    result = {c for g in groups for c in g.columns()}
    if not questions:
        result = (result - {"labels"}) | {labels_column}
    inputs = [c for c in df.columns if c not in result]
    from_source = dict(zip(df.columns[:len(source.columns)], source.columns)) if source is not None else {}
    if source is not None and len(df) != len(source.rows):
        raise ValueError("the table does not match the .sav file it was read from")
    taken: set[str] = set()
    names: dict[str, str] = {}
    columns: dict[str, pd.Series] = {}
    meta: dict[str, dict] = {k: {} for k in ("column_labels", "variable_value_labels", "variable_measure",
                                            "missing_ranges", "variable_format", "variable_display_width")}

    def add(original: str, series: pd.Series, label: str | None, values: dict | None = None,
            measure: str | None = None, var: str | None = None) -> str:
        name = spss_name(original, taken, keep=var == original)
        names[original] = name
        columns[name] = series.reset_index(drop=True)
        if label:
            meta["column_labels"][name] = label
        elif name != original:
            meta["column_labels"][name] = str(original)
        if values:
            meta["variable_value_labels"][name] = values
        if measure:
            meta["variable_measure"][name] = measure
        if var is not None:
            for key, held in (("missing_ranges", source.missing), ("variable_format", source.formats),
                              ("variable_display_width", source.widths)):
                if var in held:
                    meta[key][name] = held[var]
        return name

    for c in inputs:
        var = from_source.get(c)
        if var is not None:
            add(str(c), source.data[var].iloc[source.rows], source.labels.get(var),
                source.value_labels.get(var), source.measures.get(var), var)
        else:
            add(str(c), _input_series(df[c]), column_labels.get(c))
    for g in groups:
        _add_coded(df, g, g.col(labels_column) if g.prefix else labels_column, add)
    return pd.DataFrame(columns), names, meta, groups


def _add_coded(df: pd.DataFrame, g: Coded, labels: str, add) -> None:
    """One question's variables: a 0/1 variable per code, confidence, needs_review, the codes
    as text, and the probability of each code."""
    frame = g.frame

    def code_name(k: str) -> str:
        return frame.code(k).name if frame is not None and k in frame.keys and frame.code(k).name else k

    if labels in df.columns:
        codes = df[labels].map(split_labels)
        answered = codes.map(bool)
        for k in g.keys:
            flag = codes.map(lambda ks, k=k: 1.0 if k in ks else 0.0).where(answered, np.nan)
            original = g.col(k)
            original = original if original not in df.columns else f"{original}_code"
            g.flags.append(add(original, flag.astype(float), code_name(k), MENTIONED, "nominal"))
    if g.col("confidence") in df.columns:
        add(g.col("confidence"), _float_series(df[g.col("confidence")]), LABEL_CONFIDENCE, None, "scale")
    if g.col("needs_review") in df.columns:
        review = df[g.col("needs_review")].map(
            lambda v: {"true": 1.0, "false": 0.0}.get(str(v).strip().lower(), np.nan))
        add(g.col("needs_review"), review.astype(float), LABEL_REVIEW, YES_NO, "nominal")
    if labels in df.columns:
        add(labels, df[labels].fillna("").astype(str), LABEL_CODES)
    for k in g.keys:
        col = g.col(f"p_{k}")
        if col in df.columns:
            add(col, _float_series(df[col]), LABEL_PROBABILITY.format(name=code_name(k)), None, "scale")


def write_sav(df: pd.DataFrame, path: str | Path, frame: CodeFrame | None = None, column_labels: dict | None = None,
              labels_column: str = "labels", file_label: str | None = None, source: SavSource | None = None,
              target: str | Path | None = None, questions: list | None = None) -> dict[str, str]:
    """Write a coded table as SPSS .sav at `path`; returns {original column: SPSS name}.

    `frame` gives the code order and Norwegian names (without it, codes are taken from the
    p_<code> columns or the labels present); `questions` ([(key, frame[, label])]) the questions of
    a table coded per question (their columns start with `<key>_`). Each question's 0/1
    variables are grouped as an SPSS multiple-response set (`sav_mrsets`). `column_labels`
    are variable labels of the input columns; `source` is the .sav input whose values and
    metadata are kept (its file label too, unless `file_label` is given). `target` is the
    path named in errors (`path` may be a temporary file).
    """
    import pyreadstat

    from .sav_mrsets import MultipleResponseSet, add_mrsets

    data, names, meta, groups = sav_frame(df, frame, column_labels, labels_column, source, questions)
    renamed = [_clip(f"{o} -> {n}", NOTE_BYTES) for o, n in names.items() if o != n]
    notes = [RENAMES_NOTE, *renamed] if renamed else None
    frame = frame if frame is not None else (groups[0].frame if len(groups) == 1 else None)
    if file_label is None:
        file_label = source.file_label if source is not None and source.file_label else (
            f"Kodet med survey-coder: {frame.name} v{frame.version}" if frame is not None else
            f"Kodet med survey-coder: {', '.join(g.prefix.rstrip('_') for g in groups)}")
    try:
        pyreadstat.write_sav(data, str(path), file_label=_clip(file_label, FILE_LABEL_BYTES), note=notes,
                             **{k: v for k, v in meta.items() if v})
    except Exception as e:  # pyreadstat raises its own error types for values it cannot store
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UserError(Errors.SAV_WRITE_FAILED.format(path=target or path, reason=reason)) from None
    sets = [MultipleResponseSet(mrset_name(g.prefix), g.label or LABEL_CODES, g.flags) for g in groups if g.flags]
    add_mrsets(Path(path), sets)
    _fix_created(Path(path))
    return names


def mrset_name(prefix: str) -> str:
    """The multiple-response set of a question: $<key>, or $koder without questions."""
    return "$" + (prefix.rstrip("_") or "koder")


def _clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, never inside a character."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[:limit - 3].decode(errors="ignore") + "..."


def _fix_created(path: Path) -> None:
    """Overwrite the header's creation date and time (readstat writes the clock's) with
    SAV_CREATED, so that the same table gives the same bytes."""
    with open(path, "r+b") as f:
        if f.read(4) in (b"$FL2", b"$FL3"):
            f.seek(_CREATED_AT)
            f.write(SAV_CREATED)


def _code_keys(df: pd.DataFrame, frame: CodeFrame | None, labels_column: str, prefix: str = "") -> list[str]:
    if frame is not None:
        return list(frame.keys)
    from_probs = [c[len(prefix) + 2:] for c in df.columns if str(c).startswith(f"{prefix}p_")]
    if from_probs:
        return from_probs
    if labels_column not in df.columns:
        return []
    seen: list[str] = []
    for cell in df[labels_column]:
        for k in split_labels(cell):
            if k not in seen:
                seen.append(k)
    return sorted(seen)


def _input_series(s: pd.Series) -> pd.Series:
    """Numbers stay numbers (no leading zeros, so ids like '0301' stay text); the rest is text."""
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    text = s.fillna("").astype(str)
    filled = text[text.str.strip() != ""]
    if len(filled) and filled.str.strip().str.match(_NUMBER).all():
        return pd.to_numeric(text.str.strip().replace("", np.nan), errors="coerce").astype(float)
    return text


def _float_series(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", np.nan), errors="coerce").astype(float)
