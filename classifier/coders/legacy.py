"""Models saved by survey-coder 0.1 (`classifier.model.SurveyCoder` pickles) and how they
become a `TfidfCoder` that codes exactly as they did.

Their pickles name `classifier.model.SurveyCoder`, so that path still imports the class
below; `upgrade` rebuilds the same fitted pipeline, and `ThresholdDecisions` keeps the
decision layer of 0.1: per-code thresholds tuned for F1, the fallback when nothing passes,
a confidence model over four features, and the review cutoff on the average.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..evaluation import review_cutoff
from .decisions import EPS, Decisions, Evidence
from .tfidf import TfidfCoder


class SurveyCoder(BaseEstimator):
    """The 0.1 model as unpickled: its attributes only (see `upgrade`)."""


class ThresholdDecisions(Decisions):
    """The decision layer of 0.1, fitted then and never refitted (see the module docstring)."""

    uses_evidence = False
    thresholds_ = None  # fitted by 0.1 (Decisions' own are a constant 0.5)

    def decide(self, P: np.ndarray) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        if not self.frame.multi_label:
            return super().decide(P)
        D = (P >= self.thresholds_).astype(int)
        fb = self.frame.fallback
        if fb is not None:
            j = self.frame.keys.index(fb)
            D[:, j] = (np.delete(D, j, axis=1).sum(axis=1) == 0).astype(int)
        else:
            empty = D.sum(axis=1) == 0
            D[empty, P[empty].argmax(axis=1)] = 1
        return D

    def contradicts(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
        return np.zeros(len(P), dtype=bool)  # 0.1 reviewed by confidence alone

    def features(self, P: np.ndarray, D: np.ndarray, evidence: Evidence | None = None) -> np.ndarray:
        P = np.clip(np.asarray(P, dtype=float), EPS, 1 - EPS)
        logit = np.log(P / (1 - P))
        if self.frame.multi_label:
            sub = [j for j, k in enumerate(self.frame.keys) if k != self.frame.fallback]
            joint = np.where(D == 1, P, 1 - P).prod(axis=1)
            t = np.clip(self.thresholds_[sub], EPS, 1 - EPS)
            margin = np.abs(logit[:, sub] - np.log(t / (1 - t))).min(axis=1)
            n_codes = D[:, sub].sum(axis=1)
        else:
            top2 = np.sort(P, axis=1)[:, -2:]
            joint, margin, n_codes = top2[:, 1], np.log(top2[:, 1] / top2[:, 0]), np.ones(len(P))
        return np.c_[np.log(np.clip(joint, 1e-9, 1.0)), margin, n_codes, n_codes == 0]

    def review_cutoff(self, target_precision: float = 0.95) -> float:
        check_is_fitted(self, "oof_confidence_")
        return review_cutoff(self.oof_confidence_, self.oof_correct_, target_precision)

    def unfamiliar(self, evidence: Evidence) -> np.ndarray:
        return np.zeros(len(evidence.words), dtype=bool)

    def several_topics(self, D: np.ndarray, evidence: Evidence) -> np.ndarray:
        return np.zeros(len(D), dtype=bool)


def upgrade(old: SurveyCoder) -> TfidfCoder:
    """The TfidfCoder that codes exactly as `old` did: the normaliser becomes the first step
    of the head, the thresholds and confidence model its (0.1) decision layer."""
    s = vars(old)
    coder = TfidfCoder(s["frame"], spacy_model=s["spacy_model"], C=s["C"], cv=s["cv"],
                       calibration_cv=s["calibration_cv"], min_df=s["min_df"], random_state=s["random_state"])
    coder.C_ = float(s["C"])
    steps = old.head_.named_steps
    normalizer = s["normalizer_"]
    normalizer.fold_first = False  # 0.1 folded each stem; later versions stem the folded word
    coder.head_ = Pipeline([("normalize", normalizer), ("features", steps["features"]), ("clf", steps["clf"])])
    decisions = ThresholdDecisions(s["frame"], cutoff_rule="mean")
    decisions.thresholds_ = s["thresholds_"]
    decisions.oof_correct_ = s["oof_correct_"]
    decisions.oof_contradicts_ = np.zeros(len(s["oof_correct_"]), dtype=bool)
    decisions.oof_confidence_ = s["oof_confidence_"]
    decisions.confidence_model_ = s["confidence_model_"]
    decisions.novelty_floor_ = None
    if "confidence_constant_" in s:
        decisions.confidence_constant_ = s["confidence_constant_"]
    coder.decisions_ = decisions
    coder.oof_proba_ = s["oof_proba_"]
    coder.cv_scores_ = s["cv_scores_"]
    coder.n_train_ = s["n_train_"]
    coder.feature_names_ = s["feature_names_"]
    coder.coef_ = s["coef_"]
    return coder
