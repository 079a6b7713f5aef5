"""Scores for coded answers: per-code precision/recall/F1, exact match, and the
trade-off between how many answers are coded automatically and how accurate they are.

All metrics come from scikit-learn; this module only arranges them.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


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


def review_cutoff(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence at which the answers at or above it are right at least `target`
    of the time (whole ties kept together). Returns +inf when no such set exists."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if len(confidence) == 0:
        return float("inf")
    order = np.argsort(-confidence, kind="stable")
    conf_sorted, corr_sorted = confidence[order], correct[order]
    cum_acc = np.cumsum(corr_sorted) / np.arange(1, len(corr_sorted) + 1)
    # Only positions at the end of a tie group are valid places to cut.
    ends = np.r_[conf_sorted[1:] != conf_sorted[:-1], True]
    valid = np.flatnonzero(ends & (cum_acc >= target))
    if len(valid) == 0:
        return float("inf")
    return float(conf_sorted[valid[-1]])


def auto_coding(confidence: np.ndarray, correct: np.ndarray, cutoff: float) -> dict:
    """Share auto-coded (confidence >= cutoff) and the accuracy actually reached on them."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    auto = confidence >= cutoff
    n_auto = int(auto.sum())
    return {
        "cutoff": float(cutoff) if np.isfinite(cutoff) else None,
        "auto_share": float(n_auto / len(confidence)) if len(confidence) else 0.0,
        "auto_accuracy": float(correct[auto].mean()) if n_auto else None,
        "n_auto": n_auto,
        "n": int(len(confidence)),
    }


def evaluate_model(coder, texts: list[str], Y: np.ndarray, target_precision: float = 0.95) -> dict:
    """Score `coder` on gold answers: code metrics plus auto-coding at the CV cutoff."""
    scores = coder.assess(texts)
    correct = (scores.codes == np.asarray(Y)).all(axis=1)
    result = code_metrics(Y, scores.codes, coder.frame.keys)
    result["target_precision"] = target_precision
    result["auto_coding"] = auto_coding(scores.confidence, correct, coder.review_cutoff(target_precision))
    return result
