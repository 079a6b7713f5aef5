"""How right are a year's auto-coded answers? A blind sample, coded by a person, tells.

`draw_sample` picks answers the model coded on its own (non-empty, `needs_review` false)
from a `predict` output and returns them blind: id, answer and an empty codes column. The
unit is a *distinct answer* (the same `answer_key`): a person codes each wording once, as
`label` and `import` do, and one decision codes all its copies. The sample is stratified by
the model's code set (the stratum of an answer is the code set of its first auto-coded
row) with proportional allocation (largest remainders), so every distinct answer has
nearly the same chance n/N of being drawn: the sample is self-weighting and needs no
design weights. The same file and seed give the same sample.

`compare` puts a person's codes (the filled-in sample, or an `export --latest` of the
store the sample was coded into) beside the model's. Every auto-coded row of the coded
file whose answer the person coded counts, so an answer with five copies weighs five
rows: the accuracy is the share of the year's auto-coded rows whose codes are exactly
right, the number one gets by looking up each coded row's answer in the person's file.
Its 95 % interval is Wilson's at Kish's effective sample size (the plain Wilson interval
of k right out of n when no answer repeats). Per-code precision and recall are over the
same rows; recall is among auto-coded answers only (answers sent to review are not in
the sample). Nothing here prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from .codeframe import CodeFrame, join_labels, split_labels
from .errors import Errors, UserError
from .frames import resolve_frame
from .paths import default_frame_path, labels_dir
from .preprocess import answer_key, is_non_answer
from .stats import kish_effective_n, weighted_wilson_interval
from .tables import (
    Table,
    atomic_path,
    check_output,
    guess_text_column,
    pick_column,
    read_numbers,
    read_table,
    write_table,
)
from .xlsx import write_xlsx

ROW_ID = "coded_row"          # the sample's id column when there is no --id-column
SAMPLE_SHEET = "sample"
CODES_SHEET = "codes"
SAMPLE_SUFFIXES = (".xlsx", ".csv")
NO_CODES = "(none)"           # the stratum of auto-coded answers without a code
FALSE = {"false", "0", "0.0", "no", "nei", "usann"}
# Columns of an `export --latest` file that are never the answer.
EXPORT_COLUMNS = ("answer_hash", "annotators", "disagreement", "decision_id", "frame_hash")


@dataclass(frozen=True)
class Columns:
    """The model's columns in a `predict` output, named in this one place (a survey with
    several questions names them `<key>_labels`, ... : only these names change)."""

    labels: str = "labels"
    review: str = "needs_review"
    confidence: str = "confidence"
    probability_prefix: str = "p_"
    others: tuple[str, ...] = ("explain", "review_reason")  # never shown, never the answer

    @classmethod
    def of_question(cls, key: str) -> Columns:
        """The columns of one question of a survey coded with several (`<key>_labels`, ...)."""
        plain = cls()
        return cls(f"{key}_{plain.labels}", f"{key}_{plain.review}", f"{key}_{plain.confidence}",
                   f"{key}_{plain.probability_prefix}", tuple(f"{key}_{o}" for o in plain.others))

    def model_columns(self, columns) -> list[str]:
        own = {self.labels, self.review, self.confidence, *self.others}
        return [c for c in columns if c in own or str(c).startswith(self.probability_prefix)]


@dataclass
class Coded:
    """A `predict` output as verify reads it; one entry per row of the file."""

    table: Table
    columns: Columns
    text: str                  # the answer column
    id_column: str | None
    ids: list[str]             # the id column's values, else the row numbers (1 = first row)
    keys: list[str]            # answer_key of each row
    labels: list[list[str]]    # the model's codes
    auto: np.ndarray           # a non-empty answer with needs_review false
    answered: np.ndarray       # a non-empty answer
    confidence: np.ndarray     # NaN where missing
    code_keys: list[str]       # the codes named by the p_<code> columns

    @property
    def path(self) -> Path:
        return self.table.path

    @property
    def n_auto(self) -> int:
        return int(self.auto.sum())

    @property
    def n_answers(self) -> int:
        return int(self.answered.sum())


def read_coded(path: str | Path, columns: Columns = Columns(), text_column: str | None = None,
               id_column: str | None = None, sheet: int | str = 0, header_row: int | None = None) -> Coded:
    """Read a `predict` output; refuse a file without its labels, review and confidence columns."""
    table = read_table(path, sheet=sheet, header_row=header_row)
    df = table.frame
    for column in (columns.labels, columns.review, columns.confidence):
        if column not in df.columns:
            raise UserError(Errors.NOT_PREDICT_OUTPUT.format(path=table.path, column=column,
                                                             columns=", ".join(map(str, df.columns))))
    text = pick_column(table, text_column, "text-column") if text_column else _guess_text(table, columns)
    id_col = pick_column(table, id_column, "id-column") if id_column else None
    texts = df[text].tolist()
    answered = np.array([not is_non_answer(t) for t in texts], dtype=bool)
    review = df[columns.review].astype(str).str.strip().str.lower()
    after = list(df.columns)[list(df.columns).index(columns.review) + 1:]  # predict puts p_<code> last
    prefix = columns.probability_prefix
    return Coded(
        table=table, columns=columns, text=text, id_column=id_col,
        ids=df[id_col].astype(str).str.strip().tolist() if id_col else [str(i) for i in range(1, len(df) + 1)],
        keys=[answer_key(t) for t in texts],
        labels=[split_labels(c) for c in df[columns.labels]],
        auto=answered & review.isin(FALSE).to_numpy(),
        answered=answered,
        confidence=read_numbers(df[columns.confidence]).to_numpy(dtype=float),
        code_keys=[c[len(prefix):] for c in after if str(c).startswith(prefix) and len(c) > len(prefix)],
    )


def _guess_text(table: Table, columns: Columns, skip=()) -> str:
    """The answer column: the longest texts, leaving out the model's columns and `skip`."""
    df = table.frame
    leave = set(columns.model_columns(df.columns)) | set(skip)
    return guess_text_column(Table(df[[c for c in df.columns if c not in leave]], table.path))


def code_frame(coded: Coded, codeframe=None, model=None) -> tuple[CodeFrame, str]:
    """The code frame of the coded file: given, the model's, else the default or a frame in
    labels/ that knows its codes (those it gave and those named by its p_<code> columns)."""
    codes = [*coded.labels, *([k] for k in coded.code_keys)]
    return resolve_frame(codeframe, model=model, codes=codes, default=default_frame_path(), folder=labels_dir())


# -- the sample ---------------------------------------------------------------------------
@dataclass
class Sample:
    table: pd.DataFrame       # id, answer, empty codes column: what the coordinator sees
    codes: pd.DataFrame       # the code frame's keys, names and definitions
    n_auto: int               # auto-coded rows in the coded file
    n_distinct: int           # distinct auto-coded answers (the units)
    n_strata: int
    seed: int

    @property
    def n(self) -> int:
        return len(self.table)


def proportional_allocation(sizes: list[int], n: int) -> list[int]:
    """n split over strata in proportion to their sizes, rounded by largest remainders
    (ties: the earlier stratum); never more than a stratum holds."""
    total = sum(sizes)
    n = min(n, total)
    exact = [n * s / total for s in sizes]
    out = [int(np.floor(e)) for e in exact]
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


def units(coded: Coded) -> dict[str, list[int]]:
    """Distinct auto-coded answers: answer_key -> its auto-coded rows, in file order."""
    out: dict[str, list[int]] = {}
    for i in np.flatnonzero(coded.auto):
        out.setdefault(coded.keys[i], []).append(int(i))
    return out


def draw_sample(coded: Coded, n: int, frame: CodeFrame, seed: int = 0) -> Sample:
    """A blind, stratified, self-weighting sample of n distinct auto-coded answers."""
    if n < 1:
        raise UserError(Errors.BAD_SAMPLE_SIZE.format(value=n))
    groups = units(coded)
    if not groups:
        raise UserError(Errors.NO_AUTO_CODED.format(path=coded.path, column=coded.columns.review))
    strata: dict[str, list[str]] = {}
    for key, rows in groups.items():
        strata.setdefault(join_labels(coded.labels[rows[0]]) or NO_CODES, []).append(key)
    names = sorted(strata)
    rng = np.random.default_rng(seed)
    picked: list[str] = []
    for name, k in zip(names, proportional_allocation([len(strata[s]) for s in names], n)):
        members = strata[name]
        picked += [members[j] for j in sorted(rng.choice(len(members), size=k, replace=False))]
    picked = [picked[j] for j in rng.permutation(len(picked))]  # codes must not show in the order
    first = [groups[key][0] for key in picked]
    df = coded.table.frame
    id_name = coded.id_column or ROW_ID
    table = pd.DataFrame({
        id_name: [coded.ids[i] for i in first],
        coded.text: [str(df[coded.text].iat[i]).strip() for i in first],
        coded.columns.labels: [""] * len(first),
    })
    codes = pd.DataFrame({"key": frame.keys, "name": [c.name for c in frame.codes],
                          "definition": [c.definition for c in frame.codes]})
    return Sample(table, codes, coded.n_auto, len(groups), len(names), seed)


def check_sample_output(out: str | Path, coded_path: str | Path, overwrite: bool = False) -> Path:
    """Refuse an output that is not .xlsx/.csv, is the coded file, or exists (it may
    hold a coordinator's codes) without `overwrite`; checked before any work."""
    o = Path(out)
    if o.suffix.lower() not in SAMPLE_SUFFIXES:
        raise UserError(Errors.SAMPLE_FORMAT.format(path=o, suffix=o.suffix or "(none)"))
    return check_output(o, [Path(coded_path)], suffixes=SAMPLE_SUFFIXES, overwrite=overwrite)


def write_sample(sample: Sample, out: str | Path) -> Path:
    """XLSX: the sample on the first sheet, the codes on a second; CSV: the sample only."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        return write_table(sample.table, out, delimiter=";")
    with atomic_path(out) as tmp:
        write_xlsx({SAMPLE_SHEET: sample.table, CODES_SHEET: sample.codes}, tmp, numbers=True)
    return out


# -- the comparison -----------------------------------------------------------------------
@dataclass
class Cutoff:
    """The lowest confidence at which the sampled answers at or above it reach the target."""

    cutoff: float
    accuracy: float          # of the sampled rows at or above it
    sample_rows: int         # sampled rows at or above it
    year_auto: int           # the year's answers at or above it (what it would auto-code)
    year_share: float        # ... as a share of the year's non-empty answers


@dataclass
class Verification:
    auto_coded_accuracy: float
    ci_low: float
    ci_high: float
    n_auto: int              # the year's auto-coded answers (rows)
    n_answers: int           # the year's non-empty answers
    rows_compared: int       # auto-coded rows whose answer the coordinator coded
    rows_right: int
    answers_compared: int    # distinct answers among them (the sampled units)
    answers_right: int       # ... coded exactly right in every copy
    effective_n: float       # Kish's effective sample size behind the interval
    target_precision: float
    per_code: dict           # key -> precision, recall, f1, model, gold, both (rows)
    matched_by: str          # "id" or "text"
    cutoff: Cutoff | None = None
    ignored: dict = field(default_factory=dict)  # uncoded, not_in_coded, not_auto_coded (rows of GOLD)

    @property
    def verdict(self) -> str:
        """'below' (the interval's upper end under the target), 'meets' (its lower end at or
        above it) or 'unclear' (the interval holds the target)."""
        if self.ci_high < self.target_precision:
            return "below"
        return "meets" if self.ci_low >= self.target_precision else "unclear"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["verdict"] = self.verdict
        return d


@dataclass
class Gold:
    path: Path
    labels: dict[str, list[str]]  # answer_key -> the coordinator's codes
    text: str | None
    labels_column: str
    id_column: str | None         # the column matched by id, if any
    ignored: dict


def read_gold(path: str | Path, coded: Coded, frame: CodeFrame, sheet: int | str = 0) -> Gold:
    """The coordinator's codes per distinct auto-coded answer of `coded`, matched by id when
    both files have the id column (`--id-column`, else the sample's row number), else by the
    normalised answer (`answer_key`). Rows without codes are counted and left out; an unknown
    code is an error naming the row."""
    if Path(path).resolve() == coded.path.resolve():
        raise UserError(Errors.GOLD_IS_CODED.format(path=path))
    table = read_table(path, sheet=sheet)
    df = table.frame
    labels_col = _find(df.columns, coded.columns.labels) or _find(df.columns, "labels")
    if labels_col is None:
        raise UserError(Errors.GOLD_NOT_CODED.format(path=table.path, column=coded.columns.labels))
    id_col = _find(df.columns, coded.id_column or ROW_ID)
    text_col = _gold_text(table, coded, labels_col, id_col)
    if id_col is None and text_col is None:
        raise UserError(Errors.NO_TEXT_COLUMN.format(path=table.path, columns=", ".join(map(str, df.columns))))
    by_id = _index(coded) if id_col else None
    auto_keys, all_keys = set(units(coded)), set(coded.keys)
    ignored = {"uncoded": 0, "not_in_coded": 0, "not_auto_coded": 0}
    labels: dict[str, list[str]] = {}
    first_row: dict[str, int] = {}
    for i in range(len(df)):
        row = table.header_row + 1 + i
        cell = df[labels_col].iat[i]
        if not split_labels(cell):
            ignored["uncoded"] += 1
            continue
        codes = frame.parse_labels(cell, Errors.AT_ROW.format(path=table.path, row=row))
        if by_id is not None:
            value = str(df[id_col].iat[i]).strip()
            if value not in by_id:
                ignored["not_in_coded"] += 1
                continue
            key = coded.keys[by_id[value]]
            if text_col is not None and answer_key(df[text_col].iat[i]) != key:
                raise UserError(Errors.ID_TEXT_MISMATCH.format(gold=table.path, row=row, column=id_col, value=value,
                                                               coded=coded.path))
        else:
            key = answer_key(df[text_col].iat[i])
            if key not in all_keys:
                ignored["not_in_coded"] += 1
                continue
        if key not in auto_keys:
            ignored["not_auto_coded"] += 1
            continue
        if key in labels and labels[key] != codes:
            raise UserError(Errors.GOLD_CONFLICT.format(path=table.path, rows=f"{first_row[key]}{Errors.JOIN_AND}{row}"))
        labels[key] = codes
        first_row.setdefault(key, row)
    if not labels:
        coded_rows = len(df) - ignored["uncoded"]
        if not coded_rows:
            raise UserError(Errors.GOLD_UNCODED.format(path=table.path, n=len(df), column=labels_col))
        raise UserError(Errors.GOLD_NO_OVERLAP.format(n=coded_rows, gold=table.path, coded=coded.path,
                                                      by=f"id column '{id_col}'" if id_col else "answer text"))
    return Gold(table.path, labels, text_col, labels_col, id_col, ignored)


def _find(columns, name: str | None) -> str | None:
    """`name` among `columns`, as typed or in any case."""
    if name is None:
        return None
    return next((c for c in columns if c == name), None) or next(
        (c for c in columns if str(c).strip().lower() == name.strip().lower()), None)


def _index(coded: Coded) -> dict[str, int]:
    """id -> row of the coded file; an id that repeats cannot be matched."""
    out: dict[str, int] = {}
    for i, value in enumerate(coded.ids):
        if value in out and coded.id_column:
            raise UserError(Errors.ID_NOT_UNIQUE.format(column=coded.id_column, path=coded.path, value=value))
        out[value] = i
    return out


def _gold_text(table: Table, coded: Coded, labels_col: str, id_col: str | None) -> str | None:
    """The answer column of the coordinator's file: the coded file's answer column, else
    `text` (an export), else the longest texts that are not codes, ids or export fields."""
    found = _find(table.frame.columns, coded.text) or _find(table.frame.columns, "text")
    if found:
        return found
    try:
        return _guess_text(table, coded.columns, skip={labels_col, id_col, *EXPORT_COLUMNS})
    except UserError:
        return None


def compare(coded: Coded, gold: Gold, frame: CodeFrame, target_precision: float = 0.95) -> Verification:
    """The model's codes against the coordinator's on every auto-coded row both cover."""
    groups = units(coded)
    rows, weights, unit_right = [], [], []
    for key in gold.labels:  # in the coordinator's order
        members = groups[key]
        right = [_codes(frame, coded, i) == gold.labels[key] for i in members]
        rows += [(i, key, ok) for i, ok in zip(members, right)]
        weights.append(len(members))
        unit_right.append(float(np.mean(right)))
    index = np.array([i for i, _, _ in rows])
    right = np.array([ok for _, _, ok in rows], dtype=bool)
    accuracy = float(right.mean())
    low, high = weighted_wilson_interval(unit_right, weights)
    return Verification(
        auto_coded_accuracy=accuracy, ci_low=low, ci_high=high, n_auto=coded.n_auto, n_answers=coded.n_answers,
        rows_compared=len(rows), rows_right=int(right.sum()), answers_compared=len(weights),
        answers_right=int(sum(u == 1.0 for u in unit_right)), effective_n=kish_effective_n(weights),
        target_precision=target_precision,
        per_code=per_code(frame, [coded.labels[i] for i in index], [gold.labels[k] for _, k, _ in rows]),
        matched_by="id" if gold.id_column else "text",
        cutoff=best_cutoff(coded, coded.confidence[index], right, target_precision) if high < target_precision else None,
        ignored=dict(gold.ignored),
    )


def _codes(frame: CodeFrame, coded: Coded, i: int) -> list[str]:
    return frame.parse_labels(coded.table.frame[coded.columns.labels].iat[i],
                              Errors.AT_ROW.format(path=coded.path, row=coded.table.header_row + 1 + i))


def per_code(frame: CodeFrame, model: list[list[str]], gold: list[list[str]]) -> dict:
    """Precision and recall of each code over the compared rows (None where undefined)."""
    binarize = MultiLabelBinarizer(classes=frame.keys)
    y_model, y_gold = binarize.fit_transform(model), binarize.transform(gold)
    p, r, f, _ = precision_recall_fscore_support(y_gold, y_model, average=None, zero_division=np.nan)
    out = {}
    for j, key in enumerate(frame.keys):
        out[key] = {"precision": _num(p[j]), "recall": _num(r[j]), "f1": _num(f[j]),
                    "model": int(y_model[:, j].sum()), "gold": int(y_gold[:, j].sum()),
                    "both": int((y_model[:, j] & y_gold[:, j]).sum())}
    return out


def _num(x) -> float | None:
    return None if x != x else float(x)


def best_cutoff(coded: Coded, confidence: np.ndarray, right: np.ndarray, target: float) -> Cutoff | None:
    """The lowest confidence c at which the compared rows with confidence >= c are right at
    least `target` of the time, and how many of the year's answers reach c."""
    known = np.isfinite(confidence)
    conf, ok = confidence[known], right[known]
    for c in np.unique(conf):  # ascending: the first that meets the target is the lowest
        above = conf >= c
        accuracy = float(ok[above].mean())
        if accuracy >= target:
            year = int((coded.answered & (coded.confidence >= c)).sum())
            return Cutoff(float(c), accuracy, int(above.sum()), year,
                          year / coded.n_answers if coded.n_answers else 0.0)
    return None
