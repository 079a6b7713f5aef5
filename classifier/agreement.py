"""How far coders agree, where two or more people coded the same answers.

Per code, each coder's coding of an answer is present/absent. With two coders the
statistic is Cohen's kappa (scikit-learn); with more, Krippendorff's alpha for nominal
data, which also copes with coders who did not code every answer. Alpha is computed
here from its coincidence-matrix definition (Krippendorff 2011, "Computing
Krippendorff's alpha-reliability"), as no well-kept library for it is in our deps.

Each value comes with a 95 % interval from a bootstrap over answers (answers drawn with
replacement, a fixed seed, the 2.5th and 97.5th percentiles): a kappa of 0.70 on 30
answers may well be 0.45 or 0.90, and a team should know which before acting on it. The
resampled statistics are computed in one vectorised step (kappa from the two coders'
0/1 columns, alpha from the values' counts per answer), checked against the exact forms.
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


RESAMPLES = 1000


def kappa_binary(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cohen's kappa of 0/1 codings along the last axis (many resamples at once); NaN when undefined."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    po = (a == b).mean(axis=-1)
    pa, pb = a.mean(axis=-1), b.mean(axis=-1)
    pe = pa * pb + (1 - pa) * (1 - pb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pe < 1, (po - pe) / np.where(pe < 1, 1 - pe, 1), np.nan)


def alpha_counts(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's nominal alpha from value counts per unit (..., units, values); units with
    fewer than two values are not pairable. NaN when undefined (as krippendorff_alpha_nominal)."""
    c = np.asarray(counts, dtype=float)
    m = c.sum(axis=-1)
    pairable = m >= 2
    observed = np.where(pairable, (m ** 2 - (c ** 2).sum(axis=-1)) / np.maximum(m - 1, 1), 0.0).sum(axis=-1)
    n_c = (c * pairable[..., None]).sum(axis=-2)
    n = n_c.sum(axis=-1)
    expected = n ** 2 - (n_c ** 2).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((expected > 0) & (n >= 2), 1.0 - (n - 1) * observed / np.where(expected > 0, expected, 1), np.nan)


def value_counts(units) -> np.ndarray:
    """units (each a list of values, None for none) -> counts per unit and value."""
    values = sorted({v for u in units for v in u if not _missing(v)}, key=str)
    pos = {v: i for i, v in enumerate(values)}
    out = np.zeros((len(units), max(1, len(values))))
    for i, u in enumerate(units):
        for v in u:
            if not _missing(v):
                out[i, pos[v]] += 1
    return out


def bootstrap_interval(resampled: np.ndarray, level: float = 0.95) -> tuple[float, float] | None:
    """Percentile interval of resampled statistics; None when most resamples leave it undefined."""
    ok = resampled[np.isfinite(resampled)]
    if len(ok) < 0.5 * len(resampled) or not len(ok):
        return None
    tail = 100 * (1 - level) / 2
    return float(np.percentile(ok, tail)), float(np.percentile(ok, 100 - tail))


@dataclass
class CodeAgreement:
    code: str
    n_answers: int  # answers coded by two or more coders
    agreement: float  # share of those where every coder agrees on this code
    statistic: str  # "Cohen's kappa" or "Krippendorff's alpha"
    value: float  # NaN when undefined
    interval: tuple[float, float] | None = None  # 95 % bootstrap interval (None: undefined too often)


@dataclass
class AgreementReport:
    frame: CodeFrame
    annotators: list[str]
    n_answers: int
    per_code: list[CodeAgreement]
    overall: CodeAgreement  # the whole coding (the exact set of codes) as one nominal value
    disagreements: list[Disagreement] = field(default_factory=list)
    resamples: int = RESAMPLES  # bootstrap draws behind the intervals
    seed: int = 0


def agreement(store: AnnotationStore, frame: CodeFrame, frame_hash: str | None = None, *,
              resamples: int = RESAMPLES, seed: int = 0) -> AgreementReport | None:
    """Agreement per code over the answers two or more annotators coded, with bootstrap
    intervals (`resamples` draws, `seed`); None if there are none.

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
    draws = np.random.default_rng(seed).integers(0, len(table), size=(max(1, resamples), len(table)))
    per_code = []
    for code in frame.keys:
        units = [[None if s is None else int(code in s) for s in row] for row in table]
        per_code.append(_agree(code, units, two, name, draws))
    overall_units = [[None if s is None else join_labels(list(s)) for s in row] for row in table]
    overall = _agree("(whole coding)", overall_units, False, "Krippendorff's alpha", draws)
    return AgreementReport(frame, annotators, len(table), per_code, overall, store.disagreements(frame_hash),
                           resamples, seed)


def _agree(code: str, units, two: bool, name: str, draws: np.ndarray) -> CodeAgreement:
    present = [[v for v in u if v is not None] for u in units]
    agree = float(np.mean([len(set(v)) == 1 for v in present])) if present else float("nan")
    if two:
        a, b = np.array([u[0] for u in units]), np.array([u[1] for u in units])
        value = cohen_kappa(a, b)
        resampled = kappa_binary(a[draws], b[draws])
    else:
        value = krippendorff_alpha_nominal(units)
        resampled = alpha_counts(value_counts(units)[draws])
    return CodeAgreement(code, len(units), agree, name, value, bootstrap_interval(resampled))
