"""The keyword coder: codes answers by the code frame's example phrases.

It needs no coded answers, so it can suggest codes for a new question before anyone has
coded one (cold start in `label`). An answer matches a code when its folded text (lower
case, æøå folded) holds one of the code's `examples` as written in the frame; the
fallback code matches its own examples, or answers that match no other code. With coded
answers, `fit` learns how often a match means the code (and a miss means its absence),
smoothed toward a prior, so its probabilities mean something; the shared decision layer
then gives it thresholds, a confidence and a review cutoff like any other coder.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..codeframe import CodeFrame
from ..preprocess import fold
from .base import Coder


class PhraseMatcher(BaseEstimator):
    """Texts -> per-code probabilities from example-phrase matches.

    P(code | match) and P(code | no match) are estimated from the training answers, each
    pulled toward its prior (`match_prior`, `miss_prior`) with the weight of `strength`
    answers; with no training answers they are the priors themselves."""

    def __init__(self, frame: CodeFrame, match_prior: float = 0.8, miss_prior: float = 0.1,
                 strength: float = 2.0):
        self.frame = frame
        self.match_prior = match_prior
        self.miss_prior = miss_prior
        self.strength = strength

    def matches(self, texts) -> np.ndarray:
        """texts x codes, True where the text holds one of the code's example phrases."""
        frame = self.frame
        phrases = {k: [fold(e) for e in frame.code(k).examples if e.strip()] for k in frame.keys}
        folded = [fold(str(t)) for t in texts]
        M = np.array([[any(p in t for p in phrases[k]) for k in frame.keys] for t in folded],
                     dtype=bool).reshape(len(folded), len(frame.keys))
        if frame.fallback is not None:
            j = frame.keys.index(frame.fallback)
            M[:, j] |= ~np.delete(M, j, axis=1).any(axis=1)
        return M

    def fit(self, texts, y):
        keys = self.frame.keys
        y = np.asarray(y, dtype=int)
        Y = y if y.ndim == 2 else np.eye(len(keys), dtype=int)[y].reshape(len(y), len(keys))
        M = self.matches(texts)
        s = self.strength
        self.p_match_ = ((M & (Y == 1)).sum(axis=0) + s * self.match_prior) / (M.sum(axis=0) + s)
        self.p_miss_ = ((~M & (Y == 1)).sum(axis=0) + s * self.miss_prior) / ((~M).sum(axis=0) + s)
        self.classes_ = np.arange(len(keys))
        return self

    def predict_proba(self, texts) -> np.ndarray:
        check_is_fitted(self, "p_match_")
        P = np.where(self.matches(texts), self.p_match_, self.p_miss_)
        if not self.frame.multi_label:
            P = P / P.sum(axis=1, keepdims=True)
        return P


class KeywordCoder(Coder):
    """Code answers by the code frame's example phrases (see the module docstring)."""

    kind = "keyword"

    def __init__(self, frame: CodeFrame, cv: int = 5, random_state: int = 0, match_prior: float = 0.8,
                 miss_prior: float = 0.1, strength: float = 2.0):
        self.frame = frame
        self.cv = cv
        self.random_state = random_state
        self.match_prior = match_prior
        self.miss_prior = miss_prior
        self.strength = strength

    def _new_head(self) -> PhraseMatcher:
        return PhraseMatcher(self.frame, self.match_prior, self.miss_prior, self.strength)
