"""SPSS .sav output in the shape survey tools use: one 0/1 variable per code.

`predict --out FILE.sav` writes every input column, then for each code a numeric
variable (1 = Nevnt, 0 = Ikke nevnt, system-missing for answers left empty) labelled
with the code's Norwegian name, then confidence, needs_review, the codes as text and
the probability of each code. SPSS variable names must start with a letter, hold only
letters, digits, `_` and `.`, be at most 64 bytes, be unique ignoring case and not be a
reserved word, so names are made valid and the renames are kept: returned, stored
as the variables' labels and written into the file's notes.
(Reading .sav files is `tables.read_table`.)
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .codeframe import CodeFrame, split_labels
from .coding import RESULT_COLUMNS, probability_columns
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
_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")


def spss_name(name: object, taken: set[str]) -> str:
    """A valid SPSS variable name for `name`, unique (ignoring case) among `taken`; adds it to `taken`."""
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


def sav_frame(df: pd.DataFrame, frame: CodeFrame | None = None, column_labels: dict | None = None,
              labels_column: str = "labels") -> tuple[pd.DataFrame, dict, dict, dict, dict]:
    """The table to write and its metadata: (data, {original: spss name}, variable labels,
    value labels, measures), all keyed by SPSS name."""
    column_labels = column_labels or {}
    keys = _code_keys(df, frame, labels_column)
    prob_cols = [c for c in probability_columns(keys) if c in df.columns]
    result = set(RESULT_COLUMNS) | set(prob_cols)
    inputs = [c for c in df.columns if c not in result]
    taken: set[str] = set()
    names: dict[str, str] = {}
    columns: dict[str, pd.Series] = {}
    var_labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    measures: dict[str, str] = {}

    def add(original: str, series: pd.Series, label: str | None, values: dict | None = None,
            measure: str | None = None) -> None:
        name = spss_name(original, taken)
        names[original] = name
        columns[name] = series.reset_index(drop=True)
        if label:
            var_labels[name] = label
        elif name != original:
            var_labels[name] = str(original)
        if values:
            value_labels[name] = values
        if measure:
            measures[name] = measure

    for c in inputs:
        add(str(c), _input_series(df[c]), column_labels.get(c))
    if labels_column in df.columns:
        codes = df[labels_column].map(split_labels)
        answered = codes.map(bool)
        for k in keys:
            flag = codes.map(lambda ks, k=k: 1.0 if k in ks else 0.0).where(answered, np.nan)
            name = frame.code(k).name if frame is not None and frame.code(k).name else k
            add(k if k not in df.columns else f"{k}_code", flag.astype(float), name, MENTIONED, "nominal")
    if "confidence" in df.columns:
        add("confidence", _float_series(df["confidence"]), LABEL_CONFIDENCE, None, "scale")
    if "needs_review" in df.columns:
        review = df["needs_review"].map(lambda v: {"true": 1.0, "false": 0.0}.get(str(v).strip().lower(), np.nan))
        add("needs_review", review.astype(float), LABEL_REVIEW, YES_NO, "nominal")
    if labels_column in df.columns:
        add(labels_column, df[labels_column].fillna("").astype(str), LABEL_CODES)
    for k, col in zip([c[2:] for c in prob_cols], prob_cols, strict=True):
        name = frame.code(k).name if frame is not None and k in frame.keys and frame.code(k).name else k
        add(col, _float_series(df[col]), LABEL_PROBABILITY.format(name=name), None, "scale")
    return pd.DataFrame(columns), names, var_labels, value_labels, measures


def write_sav(df: pd.DataFrame, path: str | Path, frame: CodeFrame | None = None, column_labels: dict | None = None,
              labels_column: str = "labels", file_label: str | None = None) -> dict[str, str]:
    """Write a coded table as SPSS .sav at `path`; returns {original column: SPSS name}.

    `frame` gives the code order and Norwegian names (without it, codes are taken from the
    p_<code> columns or the labels present); `column_labels` are variable labels of the
    input columns (as read from an input .sav).
    """
    import pyreadstat

    data, names, var_labels, value_labels, measures = sav_frame(df, frame, column_labels, labels_column)
    renamed = [f"{o} -> {n}" for o, n in names.items() if o != n]
    notes = ["Variable names changed to be valid in SPSS: " + "; ".join(renamed)] if renamed else None
    if file_label is None:
        file_label = f"Kodet med survey-coder: {frame.name} v{frame.version}" if frame is not None else ""
    try:
        pyreadstat.write_sav(
            data, str(path), file_label=file_label[:64], column_labels=var_labels, note=notes,
            variable_value_labels=value_labels, variable_measure=measures,
        )
    except Exception as e:  # pyreadstat raises its own error types for values it cannot store
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UserError(Errors.SAV_WRITE_FAILED.format(path=path, reason=reason)) from None
    return names


def _code_keys(df: pd.DataFrame, frame: CodeFrame | None, labels_column: str) -> list[str]:
    if frame is not None:
        return list(frame.keys)
    from_probs = [c[2:] for c in df.columns if str(c).startswith("p_")]
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
