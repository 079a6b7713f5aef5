"""Scores for coded answers: per-code precision/recall/F1, exact match, and the
trade-off between how many answers are coded automatically and how accurate they are.

All metrics come from scikit-learn; this module only arranges them.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from .i18n import N_
from .stats import wilson_lower_bound


def code_metrics(y_true: np.ndarray, y_pred: np.ndarray, keys: list[str]) -> dict:
    """Per-code P/R/F1/support plus micro and macro F1 and exact-match accuracy."""
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    per_code = {
        k: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, k in enumerate(keys)
    }
    return {
        "per_code": per_code,
        "micro_f1": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "exact_match": float(accuracy_score(y_true, y_pred)),
        "n": int(len(y_true)),
    }


def review_cutoff(confidence: np.ndarray, correct: np.ndarray, target: float, rule: str = "mean") -> float:
    """The lowest confidence at which the answers at or above it (whole ties kept together)
    are right at least `target` of the time: on average (`rule="mean"`), or with a one-sided
    95 % Wilson lower bound (`rule="wilson"`: the conservative rule, which needs more
    evidence the fewer answers are above the cutoff). Returns +inf when no such set exists."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if len(confidence) == 0:
        return float("inf")
    order = np.argsort(-confidence, kind="stable")
    conf_sorted, corr_sorted = confidence[order], correct[order]
    n = np.arange(1, len(corr_sorted) + 1)
    right = np.cumsum(corr_sorted)
    reached = wilson_lower_bound(right, n) if rule == "wilson" else right / n
    # Only positions at the end of a tie group are valid places to cut.
    ends = np.r_[conf_sorted[1:] != conf_sorted[:-1], True]
    valid = np.flatnonzero(ends & (reached >= target))
    if len(valid) == 0:
        return float("inf")
    return float(conf_sorted[valid[-1]])


def auto_coding_of(auto: np.ndarray, correct: np.ndarray) -> dict:
    """Share auto-coded (`auto`) and the exact-match accuracy reached on those answers."""
    auto = np.asarray(auto, dtype=bool)
    correct = np.asarray(correct, dtype=bool)
    n_auto = int(auto.sum())
    return {
        "auto_share": float(n_auto / len(auto)) if len(auto) else 0.0,
        "auto_accuracy": float(correct[auto].mean()) if n_auto else None,
        "n_auto": n_auto,
        "n": int(len(auto)),
    }


LENGTH_BANDS = ((1, 5, N_("1-5 words")), (6, 20, N_("6-20 words")), (21, None, N_("over 20 words")))


def slices(texts, Y: np.ndarray, auto: np.ndarray, correct: np.ndarray, groups=None) -> list[dict]:
    """The auto-coded share and its accuracy per kind of answer: all, by length, one code or
    several (by the true codes), and per source when `groups` names them. Where the model is
    weak shows up here, not in the overall figure."""
    words = np.array([len(str(t).split()) for t in texts])
    n_codes = np.asarray(Y).sum(axis=1)
    masks = [(N_("all answers"), np.ones(len(words), dtype=bool))]
    masks += [(name, (words >= lo) & (words <= hi if hi else True)) for lo, hi, name in LENGTH_BANDS]
    masks += [(N_("one code"), n_codes == 1), (N_("several codes"), n_codes >= 2)]
    if groups is not None and len({g for g in groups if g}) >= 2:
        g = np.asarray(groups, dtype=object)
        masks += [(f"source {name}", g == name) for name in sorted({x for x in g if x})]
    auto, correct = np.asarray(auto, dtype=bool), np.asarray(correct, dtype=bool)
    return [{"slice": name, **auto_coding_of(auto[m], correct[m])} for name, m in masks if m.any()]
