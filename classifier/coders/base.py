"""The coder contract: what every model that codes answers provides, and the decision layer
they all share.

A coder is a scikit-learn estimator over texts. `fit(texts, Y)` takes an indicator matrix Y
(answers x codes, in the code frame's order); `predict_proba(texts)` gives each code's
probability. A subclass says only how to make a fresh, unfitted "head" (an estimator over
texts with `fit` and `predict_proba`); everything that turns probabilities into codes a
person can trust is shared here and fitted on out-of-fold probabilities:

- per-code thresholds (best F1 on out-of-fold probabilities),
- the fallback rule (the fallback code stands alone, and only when no other code passes),
- a confidence model: the estimated chance that an answer's codes are exactly right,
- the review cutoff: the lowest confidence at which answers are right at a target precision.

Optional capabilities (a coder has them or not; callers test with isinstance and do without):
`LinearInFeatures` (explanations and highlighting) and `KnowsVocabulary` (the drift check).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from ..codeframe import CodeFrame
from ..evaluation import auto_coding, code_metrics, review_cutoff
from ..preprocess import answer_key

MIN_EXAMPLES = 10  # answers per code for honest cross-validation


@dataclass
class Scores:
    """What a coder says of some answers: probabilities, chosen codes, confidence."""

    proba: np.ndarray       # answers x codes, calibrated
    codes: np.ndarray       # answers x codes, 0/1 after thresholds and the fallback rule
    confidence: np.ndarray  # chance the codes are exactly right

    @classmethod
    def empty(cls, n_codes: int) -> Scores:
        return cls(np.zeros((0, n_codes)), np.zeros((0, n_codes), dtype=int), np.zeros(0))

    @classmethod
    def concat(cls, parts: list[Scores]) -> Scores:
        return cls(np.vstack([p.proba for p in parts]), np.vstack([p.codes for p in parts]),
                   np.concatenate([p.confidence for p in parts]))

    def take(self, rows) -> Scores:
        return Scores(self.proba[rows], self.codes[rows], self.confidence[rows])


# -- folds ------------------------------------------------------------------------------------
def cv_splits(texts, Y: np.ndarray, multi_label: bool, cv: int = 5, random_state: int = 0,
              groups=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds in which answers that are the same after `answer_key` stay in
    one fold (short answers repeat), so no answer is judged by a model that saw a copy.

    `groups` (e.g. each answer's writer or source) keeps whole groups together instead."""
    Y = np.asarray(Y)
    if groups is None:
        groups = [answer_key(t) for t in texts]
    groups = pd.factorize(pd.Series(list(groups), dtype=object))[0]
    many = len(set(groups)) >= 2 * cv  # else too few distinct answers to group
    if multi_label:
        splitter = (GroupKFold(cv, shuffle=True, random_state=random_state) if many
                    else KFold(cv, shuffle=True, random_state=random_state))
    else:
        splitter = (StratifiedGroupKFold(cv, shuffle=True, random_state=random_state) if many
                    else StratifiedKFold(cv, shuffle=True, random_state=random_state))
    return list(splitter.split(np.zeros(len(Y)), Y.argmax(axis=1), groups=groups if many else None))


# -- the decision layer -----------------------------------------------------------------------
class Decisions(BaseEstimator):
    """Probabilities -> codes and confidence, learned from out-of-fold probabilities.

    `fit(P, Y)`: P are probabilities from models that never saw the answers, Y the true codes.
    """

    def __init__(self, frame: CodeFrame):
        self.frame = frame

    def fit(self, P: np.ndarray, Y: np.ndarray) -> Decisions:
        P, Y = np.asarray(P, dtype=float), np.asarray(Y, dtype=int)
        self.thresholds_ = self._choose_thresholds(P, Y)
        D = self.decide(P)
        correct = (D == Y).all(axis=1)
        self._fit_confidence(self.features(P, D), correct)
        return self

    def _choose_thresholds(self, P: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per code, the probability threshold with the best out-of-fold F1."""
        th = np.full(P.shape[1], 0.5)
        if not self.frame.multi_label or not len(P):
            return th
        grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
        for j in range(P.shape[1]):
            pos = Y[:, j] == 1
            best, best_f1 = 0.5, -1.0
            for t in grid:
                pred = P[:, j] >= t
                tp = np.sum(pred & pos)
                f1 = 2 * tp / (pred.sum() + pos.sum()) if (pred.sum() + pos.sum()) else 0.0
                if f1 > best_f1 + 1e-12:
                    best, best_f1 = t, f1
            th[j] = best
        return th

    def decide(self, P: np.ndarray) -> np.ndarray:
        """Probabilities -> 0/1 codes, applying thresholds and the fallback rule."""
        P = np.asarray(P, dtype=float)
        if not self.frame.multi_label:
            D = np.zeros_like(P, dtype=int)
            D[np.arange(len(P)), P.argmax(axis=1)] = 1
            return D
        D = (P >= self.thresholds_).astype(int)
        fb = self.frame.fallback
        if fb is not None:
            j = self.frame.keys.index(fb)
            others = np.delete(D, j, axis=1).sum(axis=1) > 0
            D[:, j] = (~others).astype(int)
        else:
            # No fallback: an answer gets at least its most likely code.
            empty = D.sum(axis=1) == 0
            D[empty, P[empty].argmax(axis=1)] = 1
        return D

    def features(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
        """What predicts that an answer's codes are exactly right: the probability of the
        chosen set (codes taken as independent), the smallest distance of any code from its
        threshold on the logit scale, how many codes were chosen, and whether it fell back."""
        eps = 1e-6
        P = np.clip(np.asarray(P, dtype=float), eps, 1 - eps)
        logit = np.log(P / (1 - P))
        if self.frame.multi_label:
            sub = [j for j, k in enumerate(self.frame.keys) if k != self.frame.fallback]
            joint = np.where(D == 1, P, 1 - P).prod(axis=1)
            t = np.clip(self.thresholds_[sub], eps, 1 - eps)
            margin = np.abs(logit[:, sub] - np.log(t / (1 - t))).min(axis=1)
            n_codes = D[:, sub].sum(axis=1)
        else:
            top2 = np.sort(P, axis=1)[:, -2:]
            joint = top2[:, 1]
            margin = np.log(top2[:, 1] / top2[:, 0])
            n_codes = np.ones(len(P))
        fell_back = n_codes == 0
        return np.c_[np.log(np.clip(joint, 1e-9, 1.0)), margin, n_codes, fell_back]

    def _fit_confidence(self, X: np.ndarray, correct: np.ndarray) -> None:
        """Learn P(codes exactly right) from out-of-fold features; keep honest
        (cross-validated) estimates of it for choosing the review cutoff."""
        correct = correct.astype(int)
        self.oof_correct_ = correct.astype(bool)
        if not len(correct) or correct.min() == correct.max():  # nothing to learn
            self.confidence_model_ = None
            self.confidence_constant_ = float(correct[0]) if len(correct) else 0.0
            self.oof_confidence_ = np.full(len(correct), self.confidence_constant_)
            return
        meta = LogisticRegression(C=1.0)
        folds = min(5, int(np.bincount(correct).min()))
        if folds >= 2:
            self.oof_confidence_ = cross_val_predict(LogisticRegression(C=1.0), X, correct, cv=folds,
                                                     method="predict_proba")[:, 1]
        else:
            self.oof_confidence_ = LogisticRegression(C=1.0).fit(X, correct).predict_proba(X)[:, 1]
        self.confidence_model_ = meta.fit(X, correct)

    def confidence(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
        """Estimated chance (0-1) that an answer's codes are exactly right."""
        check_is_fitted(self, "oof_confidence_")
        if self.confidence_model_ is None:
            return np.full(len(P), self.confidence_constant_)
        return self.confidence_model_.predict_proba(self.features(P, D))[:, 1]

    def review_cutoff(self, target_precision: float = 0.95) -> float:
        """Confidence at or above which answers are coded automatically at `target_precision`."""
        check_is_fitted(self, "oof_confidence_")
        return review_cutoff(self.oof_confidence_, self.oof_correct_, target_precision)


# -- the contract -----------------------------------------------------------------------------
class Coder(ClassifierMixin, BaseEstimator, ABC):
    """A model that codes answers into `frame`'s codes; see the module docstring.

    Subclasses store their parameters in `__init__` (scikit-learn style; `frame`, `cv` and
    `random_state` among them), set `kind`, and implement `_new_head`."""

    kind: ClassVar[str] = ""

    @abstractmethod
    def _new_head(self):
        """A fresh, unfitted estimator over texts: `fit(texts, target)`, `predict_proba(texts)`.
        The target is Y (multi-label) or each answer's code index (single-choice)."""

    # -- fitting --------------------------------------------------------------------------
    def fit(self, X, Y, progress=None):
        """Fit on texts X and indicator matrix Y; `progress(step, done, total)` is told of each fold."""
        texts = [str(t) for t in X]
        Y = np.asarray(Y, dtype=int)
        keys = self.frame.keys
        if Y.size == 0:
            Y = Y.reshape(len(texts), len(keys))
        if Y.shape != (len(texts), len(keys)):
            raise ValueError(f"Y must be {len(texts)} x {len(keys)}, got {Y.shape}")
        # No answers (a coder that works from the code frame alone): nothing to cross-validate,
        # and with no evidence every answer goes to review.
        oof = self._out_of_fold(texts, Y, progress) if texts else np.zeros(Y.shape)
        self.decisions_ = Decisions(self.frame).fit(oof, Y)
        self.oof_proba_ = oof
        self.cv_scores_ = self._cv_scores(oof, Y) if texts else {}
        if progress:
            progress("final model", self.cv, self.cv + 1)
        self.head_ = self._fit_head(texts, Y)
        self.n_train_ = len(texts)
        self._after_fit()
        if progress:
            progress("final model", self.cv + 1, self.cv + 1)
        return self

    def _cv_scores(self, oof: np.ndarray, Y: np.ndarray) -> dict:
        """Per-code and overall scores of the out-of-fold decisions, the auto-coded share at
        95 % precision, and each code's Brier score."""
        keys = self.frame.keys
        D = self.decisions_.decide(oof)
        correct, conf = self.decisions_.oof_correct_, self.decisions_.oof_confidence_
        scores = code_metrics(Y, D, keys)
        scores["auto_coding_095"] = auto_coding(conf, correct, review_cutoff(conf, correct, 0.95))
        scores["brier"] = {k: float(np.mean((oof[:, i] - Y[:, i]) ** 2)) for i, k in enumerate(keys)}
        return scores

    def _after_fit(self) -> None:
        """Hook for what a subclass derives from the fitted head (e.g. linear weights)."""

    def cv_splits(self, texts, Y: np.ndarray, groups=None) -> list[tuple[np.ndarray, np.ndarray]]:
        """This coder's cross-validation folds (see `cv_splits`)."""
        return cv_splits(texts, Y, self.frame.multi_label, self.cv, self.random_state, groups)

    def _fit_head(self, texts: list[str], Y: np.ndarray):
        target = Y if self.frame.multi_label else Y.argmax(axis=1)
        return self._new_head().fit(texts, target)

    def _head_proba(self, head, texts: list[str]) -> np.ndarray:
        """The head's probabilities in frame order (a single-choice head knows only the
        codes it saw in training)."""
        P = head.predict_proba(texts)
        if self.frame.multi_label:
            return np.asarray(P, dtype=float)
        full = np.zeros((P.shape[0], len(self.frame.keys)))
        full[:, head.classes_] = P
        return full

    def _out_of_fold(self, texts: list[str], Y: np.ndarray, progress=None) -> np.ndarray:
        """Probabilities for each answer from a model that never saw it, nor a copy of it."""
        oof = np.zeros(Y.shape, dtype=float)
        arr = np.array(texts, dtype=object)
        for i, (train, test) in enumerate(self.cv_splits(texts, Y)):
            if progress:
                progress("cross-validation", i, self.cv + 1)
            head = self._fit_head(list(arr[train]), Y[train])
            oof[test] = self._head_proba(head, list(arr[test]))
        return oof

    # -- coding ---------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each code (answers x codes, frame order).

        Survey answers repeat ("Praksisplasser", "Vet ikke"): each distinct text is scored
        once and the rows are copied back."""
        check_is_fitted(self, "head_")
        index: dict = {}
        inverse = np.fromiter((index.setdefault(t, len(index)) for t in X), dtype=np.int64)
        if not index:
            return np.zeros((0, len(self.frame.keys)))
        return self._head_proba(self.head_, list(index))[inverse]

    def decide(self, P: np.ndarray) -> np.ndarray:
        """Probabilities -> 0/1 codes (thresholds and the fallback rule)."""
        check_is_fitted(self, "decisions_")
        return self.decisions_.decide(P)

    def confidence(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
        """Estimated chance (0-1) that each answer's codes are exactly right."""
        check_is_fitted(self, "decisions_")
        return self.decisions_.confidence(P, D)

    def review_cutoff(self, target_precision: float = 0.95) -> float:
        """Confidence at or above which answers are coded automatically at `target_precision`."""
        check_is_fitted(self, "decisions_")
        return self.decisions_.review_cutoff(target_precision)

    def predict(self, X) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    def assess(self, X) -> Scores:
        """Probabilities, codes and confidence in one pass (each distinct text scored once).

        Not `score`: scikit-learn's `score(X, y)` (subset accuracy) stays usable, so
        `cross_val_score` and `GridSearchCV` work on a coder."""
        X = list(X)
        if not X:
            return Scores.empty(len(self.frame.keys))
        P = self.predict_proba(X)
        D = self.decide(P)
        return Scores(P, D, self.confidence(P, D))

    # -- what the decision layer learned, for metadata, drift and audit -------------------
    @property
    def thresholds_(self) -> np.ndarray:
        return self.decisions_.thresholds_

    @property
    def oof_confidence_(self) -> np.ndarray:
        return self.decisions_.oof_confidence_

    @property
    def oof_correct_(self) -> np.ndarray:
        return self.decisions_.oof_correct_

    def describe(self) -> dict:
        """What metadata.json records of this coder: its kind and parameters."""
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "frame"}
        return {"kind": self.kind, "params": params}


# -- optional capabilities --------------------------------------------------------------------
@runtime_checkable
class LinearInFeatures(Protocol):
    """A coder whose score for a code, before calibration, is a weighted sum of named
    features of the answer. `explain` and the review screen's highlighting need it.

    Feature names are 'terms__<stem>' (a word, or two words joined by a space) and
    'chars__<n-gram>' (characters of the folded text), as `explain.WordMap` reads them."""

    def feature_names(self) -> np.ndarray: ...

    def feature_matrix(self, texts) -> object:
        """texts x features (scipy CSR): the feature values the weights apply to."""

    def feature_weights(self) -> np.ndarray:
        """codes x features: each feature's weight for each code."""

    def word_term(self, word: str) -> str:
        """The term a lower-cased word becomes ('terms__<term>' is its feature)."""


@runtime_checkable
class KnowsVocabulary(Protocol):
    """A coder that can say which words it saw in training: the drift check's unseen-words
    test needs it."""

    def term_document_frequencies(self) -> dict[str, int]:
        """{term: training answers containing it} over single terms (stems or lemmas)."""

    def answer_terms(self, texts) -> list[list[str]]:
        """Each answer's terms, as the coder sees them."""
