"""Models saved before the coder contract (survey-coder 0.1: `classifier.model.SurveyCoder`
pickles) and how they become a `TfidfCoder`.

Their pickles name `classifier.model.SurveyCoder`, so that path still imports the class
below; `upgrade` then rebuilds the same fitted pipeline and decision layer as a TfidfCoder,
which codes exactly as the old object did.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from .base import Decisions
from .tfidf import TfidfCoder


class SurveyCoder(BaseEstimator):
    """The 0.1 model as unpickled: its attributes only (see `upgrade`)."""


def upgrade(old: SurveyCoder) -> TfidfCoder:
    """The TfidfCoder that codes exactly as `old` did: the normaliser becomes the first step
    of the head, the thresholds and confidence model become its decision layer."""
    s = vars(old)
    coder = TfidfCoder(s["frame"], spacy_model=s["spacy_model"], C=s["C"], cv=s["cv"],
                       calibration_cv=s["calibration_cv"], min_df=s["min_df"], random_state=s["random_state"])
    steps = old.head_.named_steps
    normalizer = s["normalizer_"]
    normalizer.fold_first = False  # 0.1 folded each stem; later versions stem the folded word
    coder.head_ = Pipeline([("normalize", normalizer), ("features", steps["features"]), ("clf", steps["clf"])])
    decisions = Decisions(s["frame"])
    decisions.thresholds_ = s["thresholds_"]
    decisions.oof_correct_ = s["oof_correct_"]
    decisions.oof_confidence_ = s["oof_confidence_"]
    decisions.confidence_model_ = s["confidence_model_"]
    if "confidence_constant_" in s:
        decisions.confidence_constant_ = s["confidence_constant_"]
    coder.decisions_ = decisions
    coder.oof_proba_ = s["oof_proba_"]
    coder.cv_scores_ = s["cv_scores_"]
    coder.n_train_ = s["n_train_"]
    coder.feature_names_ = s["feature_names_"]
    coder.coef_ = s["coef_"]
    return coder
