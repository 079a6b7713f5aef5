"""How far coders agree, where two or more people coded the same answers.

Per code, each coder's coding of an answer is present/absent. With two coders the
statistic is Cohen's kappa (scikit-learn); with more, Krippendorff's alpha for nominal
data, which also copes with coders who did not code every answer. Alpha is computed
here from its coincidence-matrix definition (Krippendorff 2011, "Computing
Krippendorff's alpha-reliability"), as no well-kept library for it is in our deps.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import cohen_kappa_score

from .codeframe import CodeFrame, join_labels
from .store import AnnotationStore, Disagreement


def krippendorff_alpha_nominal(units) -> float:
    """Krippendorff's alpha for nominal values.

    `units` is an iterable of units, each an iterable of the values the coders gave it
    (None or NaN for a coder who gave none). Units with fewer than two values are not
    pairable and are left out. Returns NaN when alpha is undefined (fewer than two
    pairable values, or every value the same, so there is no variation to agree on).
    """
    o: Counter = Counter()  # coincidences o[c, k]
    for unit in units:
        values = [v for v in unit if not _missing(v)]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    o[c, k] += pairs / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), v in o.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n < 2:
        return float("nan")
    observed = sum(v for (c, k), v in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if expected == 0:
        return float("nan")
    return 1.0 - (n - 1) * observed / expected


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' 0/1 codings (NaN when undefined: no variation at all)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # undefined is reported as NaN
        return float(cohen_kappa_score(a, b, labels=[0, 1], replace_undefined_by=np.nan))


@dataclass
class CodeAgreement:
    code: str
    n_answers: int  # answers coded by two or more coders
    agreement: float  # share of those where every coder agrees on this code
    statistic: str  # "Cohen's kappa" or "Krippendorff's alpha"
    value: float  # NaN when undefined


@dataclass
class AgreementReport:
    frame: CodeFrame
    annotators: list[str]
    n_answers: int
    per_code: list[CodeAgreement]
    overall: CodeAgreement  # the whole coding (the exact set of codes) as one nominal value
    disagreements: list[Disagreement] = field(default_factory=list)


def agreement(store: AnnotationStore, frame: CodeFrame, frame_hash: str | None = None) -> AgreementReport | None:
    """Agreement per code over the answers two or more annotators coded; None if there are none.

    `frame_hash` picks the decisions when `frame` only stands in for the one they were made with.
    """
    frame_hash = frame_hash or frame.hash
    codings = {k: ds for k, ds in store.codings(frame_hash).items() if len({d.annotator for d in ds}) >= 2}
    if not codings:
        return None
    annotators = sorted({d.annotator for ds in codings.values() for d in ds})
    # units x annotators: the set of codes, or None where that annotator did not code it.
    table = []
    for ds in codings.values():
        by = {d.annotator: tuple(d.labels) for d in ds}
        table.append([by.get(a) for a in annotators])
    two = len(annotators) == 2
    name = "Cohen's kappa" if two else "Krippendorff's alpha"
    per_code = []
    for code in frame.keys:
        units = [[None if s is None else int(code in s) for s in row] for row in table]
        per_code.append(_agree(code, units, two, name))
    overall_units = [[None if s is None else join_labels(list(s)) for s in row] for row in table]
    overall = _agree("(whole coding)", overall_units, False, "Krippendorff's alpha")
    return AgreementReport(frame, annotators, len(table), per_code, overall, store.disagreements(frame_hash))


def _agree(code: str, units, two: bool, name: str) -> CodeAgreement:
    present = [[v for v in u if v is not None] for u in units]
    agree = float(np.mean([len(set(v)) == 1 for v in present])) if present else float("nan")
    if two:
        value = cohen_kappa([u[0] for u in units], [u[1] for u in units])
    else:
        value = krippendorff_alpha_nominal(units)
    return CodeAgreement(code, len(units), agree, name, value)
