"""The decision layer every coder shares: from probabilities to codes a person can trust.

Fitted on out-of-fold probabilities (each from a model that never saw the answer):

- Codes. A code is given when its calibrated probability is at least 0.5, so the codes in
  a coded file agree with the probabilities beside them. The fallback code (`other`) stands
  alone: it is given when no other code reaches 0.5, or when it reaches 0.5 itself and is
  likelier than every other code. (Per-code thresholds tuned for F1 on the folds were
  tried and dropped: they over-fit, and they cost 0.7 points of macro F1 on writers the
  model never saw.) Single-choice frames take the likeliest code.
- Confidence: the estimated chance that an answer's codes are exactly right, from a
  logistic model over what predicts it out of fold: the probability of the chosen set, how
  close the nearest code is to 0.5, how many codes were given, how many are uncertain, the
  answer's length in words and sentences, whether one of its sentences alone wants a code
  the answer did not get (a missed second topic), and — for coders that can say — how much
  of the answer's wording the model has seen.
- The review cutoff: the lowest confidence at which the out-of-fold answers above it are
  right at the target precision with a one-sided 95 % lower confidence bound (Wilson), not
  just on average.
- What is never auto-coded whatever its confidence: codes that contradict their
  probabilities (only the fallback rule can cause that), and answers whose character
  n-grams the model knows less of than 99.5 % of the training answers did ("unknown words":
  keyboard mash, another language, a new topic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from ..codeframe import CodeFrame
from ..evaluation import review_cutoff
from ..preprocess import sentences

EPS = 1e-6


@dataclass
class Evidence:
    """What the confidence model sees of each answer beside its probabilities."""

    words: np.ndarray                          # words in the answer
    pieces: np.ndarray                         # its sentences and list items
    sentence_proba: np.ndarray | None = None   # answers x codes: the highest p one piece alone gets
    familiarity: np.ndarray | None = None      # answers x 2: share of its terms, of its character n-grams, the model knows

    @classmethod
    def of(cls, texts, sentence_proba=None, familiarity=None, pieces=None) -> Evidence:
        """`pieces`: each text's `sentences`, when the caller has them already."""
        texts = [str(t) for t in texts]
        pieces = pieces if pieces is not None else [sentences(t) for t in texts]
        return cls(np.array([len(t.split()) for t in texts], dtype=float),
                   np.array([len(p) for p in pieces], dtype=float), sentence_proba, familiarity)

    def take(self, rows) -> Evidence:
        pick = lambda a: None if a is None else a[rows]  # noqa: E731
        return Evidence(self.words[rows], self.pieces[rows], pick(self.sentence_proba), pick(self.familiarity))

    @classmethod
    def stack(cls, parts: list[Evidence], index: list[np.ndarray], n: int) -> Evidence:
        """One Evidence for `n` answers from parts that hold the answers at `index[i]`."""
        def fill(attr, width):
            if any(getattr(p, attr) is None for p in parts):
                return None
            out = np.zeros((n, width)) if width else np.zeros(n)
            for p, idx in zip(parts, index):
                out[idx] = getattr(p, attr)
            return out
        k = parts[0].sentence_proba.shape[1] if parts and parts[0].sentence_proba is not None else 0
        return cls(fill("words", 0), fill("pieces", 0), fill("sentence_proba", k), fill("familiarity", 2))


class Decisions(BaseEstimator):
    """Probabilities -> codes, confidence, and what must go to review (module docstring).

    `fit(P, Y, evidence)`: out-of-fold probabilities P, the true codes Y, and the Evidence of
    the same answers (also out of fold)."""

    uses_evidence = True  # coders compute Evidence for this layer (the layer of 0.1 models does not)

    def __init__(self, frame: CodeFrame, cutoff_rule: str = "wilson", novelty_quantile: float = 0.005):
        self.frame = frame
        self.cutoff_rule = cutoff_rule
        self.novelty_quantile = novelty_quantile

    # -- codes ----------------------------------------------------------------------------
    def decide(self, P: np.ndarray) -> np.ndarray:
        """Probabilities -> 0/1 codes (see the module docstring)."""
        P = np.asarray(P, dtype=float)
        D = np.zeros(P.shape, dtype=int)
        if not len(P):
            return D
        if not self.frame.multi_label:
            D[np.arange(len(P)), P.argmax(axis=1)] = 1
            return D
        D = (P >= 0.5).astype(int)
        fb = self.frame.fallback
        if fb is None:  # no fallback: an answer gets at least its likeliest code
            empty = D.sum(axis=1) == 0
            D[empty, P[empty].argmax(axis=1)] = 1
            return D
        j = self.frame.keys.index(fb)
        others = np.delete(P, j, axis=1)
        wins = (P[:, j] >= 0.5) & (P[:, j] > others.max(axis=1))
        D[wins] = 0
        D[:, j] = (np.delete(D, j, axis=1).sum(axis=1) == 0).astype(int)
        return D

    @property
    def thresholds_(self) -> np.ndarray:
        """Each code's threshold: 0.5 (kept for the metadata and older callers)."""
        return np.full(len(self.frame.keys), 0.5)

    def contradicts(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
        """Answers whose codes disagree with `p >= 0.5` for some code (the fallback rule:
        `other` given below 0.5 because nothing else reached it, or not given at 0.5 or more
        beside a likelier code). Single-choice answers never do."""
        if not self.frame.multi_label:
            return np.zeros(len(P), dtype=bool)
        return ((np.asarray(P) >= 0.5).astype(int) != D).any(axis=1)

    # -- confidence -----------------------------------------------------------------------
    def features(self, P: np.ndarray, D: np.ndarray, evidence: Evidence) -> np.ndarray:
        """What predicts that an answer's codes are exactly right (module docstring)."""
        P = np.clip(np.asarray(P, dtype=float), EPS, 1 - EPS)
        logit = np.log(P / (1 - P))
        if self.frame.multi_label:
            sub = [j for j, k in enumerate(self.frame.keys) if k != self.frame.fallback]
            joint = np.where(D == 1, P, 1 - P).prod(axis=1)
            margin = np.abs(logit[:, sub]).min(axis=1)
            n_codes = D[:, sub].sum(axis=1).astype(float)
            uncertain = ((P[:, sub] > 0.2) & (P[:, sub] < 0.8)).sum(axis=1)
        else:
            sub = list(range(P.shape[1]))
            top2 = np.sort(P, axis=1)[:, -2:]
            joint, margin = top2[:, 1], np.log(top2[:, 1] / top2[:, 0])
            n_codes = np.ones(len(P))
            uncertain = (P > 0.2).sum(axis=1) - 1
        columns = [np.log(np.clip(joint, 1e-9, 1.0)), margin, n_codes, n_codes == 0, uncertain,
                   np.log1p(evidence.words), evidence.pieces]
        if evidence.sentence_proba is not None:  # a piece alone wants a code the answer did not get
            S = np.clip(evidence.sentence_proba[:, sub], EPS, 1 - EPS)
            off = D[:, sub] == 0
            columns += [np.where(off, np.log(S / (1 - S)), -15.0).max(axis=1), (off & (S >= 0.5)).sum(axis=1)]
        if evidence.familiarity is not None:
            columns += [evidence.familiarity[:, 0], evidence.familiarity[:, 1]]
        return np.column_stack(columns).astype(float)

    def fit(self, P: np.ndarray, Y: np.ndarray, evidence: Evidence) -> Decisions:
        P, Y = np.asarray(P, dtype=float), np.asarray(Y, dtype=int)
        D = self.decide(P)
        correct = (D == Y).all(axis=1) if len(Y) else np.zeros(0, dtype=bool)
        self.oof_correct_ = correct
        self.oof_contradicts_ = self.contradicts(P, D)
        fam = evidence.familiarity
        self.novelty_floor_ = (float(np.quantile(fam[:, 1], self.novelty_quantile))
                               if fam is not None and len(fam) else None)
        X = self.features(P, D, evidence) if len(P) else np.zeros((0, 0))
        self.n_features_ = X.shape[1]
        self._fit_confidence(X, correct)
        return self

    def _fit_confidence(self, X: np.ndarray, correct: np.ndarray) -> None:
        """Learn P(codes exactly right); keep honest (cross-validated) estimates of it for
        choosing the review cutoff."""
        y = correct.astype(int)
        if not len(y) or y.min() == y.max():  # nothing to learn (no answers, or all right or all wrong)
            self.confidence_model_ = None
            self.confidence_constant_ = float(y[0]) if len(y) else 0.0
            self.oof_confidence_ = np.full(len(y), self.confidence_constant_)
            return
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
        folds = min(5, int(np.bincount(y).min()))
        if folds >= 2:
            self.oof_confidence_ = cross_val_predict(model, X, y, cv=folds, method="predict_proba")[:, 1]
        else:
            self.oof_confidence_ = model.fit(X, y).predict_proba(X)[:, 1]
        self.confidence_model_ = model.fit(X, y)

    def confidence(self, P: np.ndarray, D: np.ndarray, evidence: Evidence) -> np.ndarray:
        """Estimated chance (0-1) that each answer's codes are exactly right."""
        check_is_fitted(self, "oof_confidence_")
        if self.confidence_model_ is None:
            return np.full(len(P), self.confidence_constant_)
        return self.confidence_model_.predict_proba(self.features(P, D, evidence))[:, 1]

    def review_cutoff(self, target_precision: float = 0.95) -> float:
        """Confidence at or above which answers are coded automatically at `target_precision`
        (answers whose codes contradict their probabilities never are, so they do not count)."""
        check_is_fitted(self, "oof_confidence_")
        conf = np.where(self.oof_contradicts_, -1.0, self.oof_confidence_)
        return review_cutoff(conf, self.oof_correct_, target_precision, self.cutoff_rule)

    # -- what always goes to review -------------------------------------------------------
    def unfamiliar(self, evidence: Evidence) -> np.ndarray:
        """Answers with fewer known character n-grams than all but 0.5 % of the training answers."""
        check_is_fitted(self, "oof_confidence_")
        if self.novelty_floor_ is None or evidence.familiarity is None:
            return np.zeros(len(evidence.words), dtype=bool)
        return evidence.familiarity[:, 1] < self.novelty_floor_

    def several_topics(self, D: np.ndarray, evidence: Evidence) -> np.ndarray:
        """Answers given two or more codes, or with a piece that alone wants another code."""
        if not self.frame.multi_label:
            return np.zeros(len(D), dtype=bool)
        sub = [j for j, k in enumerate(self.frame.keys) if k != self.frame.fallback]
        many = D[:, sub].sum(axis=1) >= 2
        if evidence.sentence_proba is not None:
            many |= ((D[:, sub] == 0) & (evidence.sentence_proba[:, sub] >= 0.5)).any(axis=1)
        return many
