"""Apply a model to a survey table: codes, confidence, review flag and why, per-code probability.

Non-answers ("", "-", ".") get no codes and no review and are counted apart. Repeated
texts are coded once. An answer is coded automatically only when nothing says otherwise;
the first reason that applies goes into `review_reason`:

1. it is not an answer a model should be trusted with (`screening`: not text, a formula,
   the survey question echoed, another language);
2. `unknown words`: the model knows little of its wording;
3. `contradicts probabilities`: its codes disagree with p >= 0.5 (the fallback rule);
4. its confidence is below the cutoff for the target precision: `several topics` when it
   was given two or more codes or one of its sentences wants another code, else
   `low confidence`.

Output is a copy of the input with new columns; an input column that has a new column's
name is kept as `<name>_input`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .coded_columns import RESULT_COLUMNS, probability_columns
from .codeframe import join_labels
from .coders import Scores
from .errors import Errors, UserError
from .evaluation import auto_coding_of, code_metrics, slices
from .preprocess import is_non_answer
from .screening import screen
from .tables import read_numbers

UNKNOWN_WORDS = "unknown words"
CONTRADICTS = "contradicts probabilities"
SEVERAL_TOPICS = "several topics"
LOW_CONFIDENCE = "low confidence"

CHUNK = 5000


@dataclass
class CodedTexts:
    labels: list[list[str]]
    proba: np.ndarray        # rows x codes (NaN for non-answers)
    confidence: np.ndarray   # NaN for non-answers
    needs_review: np.ndarray  # bool
    empty: np.ndarray        # bool
    distinct: Scores | None = None  # per distinct answer, in order of first appearance
    reasons: list[str] | None = None  # why each row needs review ("" when it does not)


@dataclass
class CodingSummary:
    n_rows: int
    n_empty: int
    n_review: int
    counts: dict
    target_precision: float
    cutoff: float | None
    reasons: dict | None = None  # review reason -> answers

    @property
    def n_answers(self) -> int:
        return self.n_rows - self.n_empty


def check_target(target: float) -> float:
    if not 0.5 <= target <= 1.0:
        raise UserError(Errors.BAD_TARGET.format(value=target))
    return target


def code_texts(coder, texts, target_precision: float = 0.95, progress=None) -> CodedTexts:
    """Code each distinct answer once and spread the results to its rows (survey answers
    repeat). Non-answers get no codes. `progress(done, total)` is told after each chunk."""
    check_target(target_precision)
    stripped = pd.Series(["" if t is None else str(t).strip() for t in texts], dtype=object)
    rows, distinct = pd.factorize(stripped) if len(stripped) else (np.zeros(0, dtype=int), [])
    is_answer = np.array([not is_non_answer(t) for t in distinct], dtype=bool)
    answers = [t for t, ok in zip(distinct, is_answer) if ok]
    keys = coder.frame.keys
    chunks = []
    for start in range(0, len(answers), CHUNK):
        chunks.append(coder.assess(answers[start:start + CHUNK]))
        if progress:
            progress(min(start + CHUNK, len(answers)), len(answers))
    scores = Scores.concat(chunks) if chunks else Scores.empty(len(keys))
    P, D, conf = scores.proba, scores.codes, scores.confidence
    why = review_reasons(scores, answers, coder.frame.question, coder.review_cutoff(target_precision))
    # distinct text -> row of P (-1 for non-answers), then per input row.
    where = np.full(len(distinct), -1)
    where[is_answer] = np.arange(len(answers))
    row_pos = where[rows]
    filled = np.flatnonzero(row_pos >= 0)
    n = len(stripped)
    proba = np.full((n, len(keys)), np.nan)
    confidence = np.full(n, np.nan)
    proba[filled] = P[row_pos[filled]]
    confidence[filled] = conf[row_pos[filled]]
    reasons = ["" if i < 0 else why[i] for i in row_pos.tolist()]
    review = np.array([r != "" for r in reasons], dtype=bool)
    label_sets = [[k for k, d in zip(keys, D[i]) if d] for i in range(len(answers))]
    labels = [[] if i < 0 else list(label_sets[i]) for i in row_pos.tolist()]
    return CodedTexts(labels, proba, confidence, review, row_pos < 0, scores, reasons)


def review_reasons(scores: Scores, texts: list[str], question: str, cutoff: float) -> list[str]:
    """Why each answer must go to review, '' when it may be coded automatically (see the
    module docstring for the order)."""
    screened = screen(texts, question)
    out = []
    for i, first in enumerate(screened):
        if not first:
            if scores.unfamiliar[i]:
                first = UNKNOWN_WORDS
            elif scores.contradicts[i]:
                first = CONTRADICTS
            elif scores.confidence[i] < cutoff:
                first = SEVERAL_TOPICS if scores.several[i] else LOW_CONFIDENCE
        out.append(first)
    return out


def evaluate_model(coder, texts: list[str], Y: np.ndarray, target_precision: float = 0.95,
                   groups=None) -> dict:
    """Score `coder` on gold answers as `predict` would code them: code metrics, the share
    coded automatically at `target_precision` and the accuracy reached on those answers,
    overall and per slice (length, number of codes, source when `groups` names them)."""
    coded = code_texts(coder, texts, target_precision)
    keys = coder.frame.keys
    D = np.array([[int(k in labels) for k in keys] for labels in coded.labels], dtype=int).reshape(len(texts), len(keys))
    Y = np.asarray(Y, dtype=int)
    correct = (D == Y).all(axis=1)
    auto = ~coded.needs_review & ~coded.empty
    result = code_metrics(Y, D, keys)
    result["target_precision"] = target_precision
    cutoff = coder.review_cutoff(target_precision)
    result["auto_coding"] = {**auto_coding_of(auto, correct), "cutoff": float(cutoff) if np.isfinite(cutoff) else None}
    result["slices"] = slices(texts, Y, auto, correct, groups)
    result["review_reasons"] = _count(r for r in coded.reasons if r)
    return result


def _count(values) -> dict:
    out: dict = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _rounded(values: np.ndarray, digits: int = 4) -> list:
    """Python floats rounded to `digits`, None for NaN; each distinct value is rounded once."""
    cache: dict = {}
    return [None if v != v else cache[v] if v in cache else cache.setdefault(v, round(v, digits))
            for v in values.tolist()]


def result_columns(keys: list[str]) -> list[str]:
    return [*RESULT_COLUMNS, *probability_columns(keys)]


def has_probabilities(df: pd.DataFrame, keys: list[str]) -> bool:
    """Whether `df` has a p_<code> column for every code (a `predict` output)."""
    return all(c in df.columns for c in probability_columns(keys))


def model_suggestions(df: pd.DataFrame, coder) -> list[list[str] | None] | None:
    """The model's own codes per row of a `predict` output, decided again from its p_<code>
    columns; None if a column is missing. A row with a blank or non-number cell (an analyst
    may type "n/a") has no suggestion (None), so its codes count as the analyst's."""
    keys = coder.frame.keys
    if not has_probabilities(df, keys):
        return None
    P = df[probability_columns(keys)].apply(read_numbers).to_numpy(dtype=float)  # 0.97 or 0,97
    filled = np.isfinite(P).all(axis=1)
    D = np.zeros(P.shape, dtype=int)
    if filled.any():
        D[filled] = coder.decide(P[filled])
    return [[k for k, d in zip(keys, row) if d] if ok else None for row, ok in zip(D, filled)]


def code_table(df: pd.DataFrame, text_column: str, coder, target_precision: float = 0.95,
               progress=None) -> tuple[pd.DataFrame, CodingSummary]:
    """The input rows with the model's columns added, and a summary for the screen."""
    coded = code_texts(coder, df[text_column].tolist(), target_precision, progress)
    return coded_frame(df, coded, coder, target_precision)


def coded_frame(df: pd.DataFrame, coded: CodedTexts, coder, target_precision: float = 0.95,
                ) -> tuple[pd.DataFrame, CodingSummary]:
    """`df` with the columns of `coded` added (an input column of the same name is kept
    as `<name>_input`), and the summary."""
    keys = coder.frame.keys
    out = df.copy()
    new_cols = result_columns(keys)
    out = out.rename(columns={c: f"{c}_input" for c in out.columns if c in new_cols})
    out["labels"] = [join_labels(lab) for lab in coded.labels]
    out["confidence"] = _rounded(coded.confidence)
    out["needs_review"] = ["true" if r else "false" for r in coded.needs_review]
    out["review_reason"] = coded.reasons if coded.reasons is not None else [""] * len(out)
    for j, k in enumerate(keys):
        out[f"p_{k}"] = _rounded(coded.proba[:, j])
    counts = {k: int(sum(k in lab for lab in coded.labels)) for k in keys}
    cutoff = coder.review_cutoff(target_precision)
    summary = CodingSummary(
        n_rows=len(df), n_empty=int(coded.empty.sum()), n_review=int(coded.needs_review.sum()),
        counts=counts, target_precision=target_precision, cutoff=cutoff if np.isfinite(cutoff) else None,
        reasons=_count(r for r in (coded.reasons or []) if r),
    )
    return out, summary
