"""The coder contract: what every model that codes answers provides.

A coder is a scikit-learn estimator over texts. `fit(texts, Y)` takes an indicator matrix Y
(answers x codes, in the code frame's order); `predict_proba(texts)` gives each code's
probability. A subclass says only how to make a fresh, unfitted "head" (an estimator over
texts with `fit` and `predict_proba`), and, if it can, how familiar an answer's wording is
to a head. Everything that turns probabilities into codes a person can trust — the codes
themselves, the confidence, the review cutoff, what always goes to review — is the decision
layer every coder shares (`decisions.Decisions`), fitted here on out-of-fold probabilities.

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
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from ..evaluation import auto_coding_of, code_metrics, slices
from ..preprocess import answer_key, sentences
from .decisions import Decisions, Evidence

MIN_EXAMPLES = 10  # answers per code for honest cross-validation


@dataclass
class Scores:
    """What a coder says of some answers: probabilities, codes, confidence, and what must go
    to review whatever the confidence (see `decisions.Decisions`)."""

    proba: np.ndarray        # answers x codes, calibrated
    codes: np.ndarray        # answers x codes, 0/1
    confidence: np.ndarray   # chance the codes are exactly right
    contradicts: np.ndarray | None = None  # codes that disagree with p >= 0.5 (the fallback rule)
    unfamiliar: np.ndarray | None = None   # wording the model has hardly seen
    several: np.ndarray | None = None      # two or more topics

    def __post_init__(self):
        for name in ("contradicts", "unfamiliar", "several"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(len(self.confidence), dtype=bool))

    @classmethod
    def empty(cls, n_codes: int) -> Scores:
        return cls(np.zeros((0, n_codes)), np.zeros((0, n_codes), dtype=int), np.zeros(0))

    @classmethod
    def concat(cls, parts: list[Scores]) -> Scores:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    def take(self, rows) -> Scores:
        return Scores(*(getattr(self, f)[rows] for f in _FIELDS))


_FIELDS = ("proba", "codes", "confidence", "contradicts", "unfamiliar", "several")


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

    def _familiarity(self, head, texts: list[str]) -> np.ndarray | None:
        """answers x 2: the share of each answer's terms and of its character n-grams the
        head saw in training; None for a coder that cannot say (the default)."""
        return None

    def _new_decisions(self) -> Decisions:
        return Decisions(self.frame)

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
        self.decisions_ = self._new_decisions()
        rows = self._cv_rows(len(texts))
        cv_texts, cv_Y = (texts, Y) if rows is None else ([texts[i] for i in rows], Y[rows])
        if texts:
            oof, heads = self._out_of_fold(cv_texts, cv_Y, progress)
            evidence = self._fold_evidence(cv_texts, oof, heads)
        else:  # a coder that works from the code frame alone: with no evidence, everything goes to review
            oof, evidence = np.zeros(Y.shape), Evidence.of([])
        self.decisions_.fit(oof, cv_Y, evidence)
        self.oof_proba_ = oof
        self.cv_scores_ = self._cv_scores(oof, cv_Y, cv_texts) if texts else {}
        if self.cv_scores_:
            self.cv_scores_["n_answers"] = len(cv_texts)
        if progress:
            progress("final model", self.cv, self.cv + 1)
        self.head_ = self._fit_head(texts, Y)
        self.n_train_ = len(texts)
        self._after_fit()
        if progress:
            progress("final model", self.cv + 1, self.cv + 1)
        return self

    def _cv_scores(self, oof: np.ndarray, Y: np.ndarray, texts: list[str]) -> dict:
        """Scores of the out-of-fold decisions: per code and overall, each code's Brier score,
        and the answers auto-coded at 95 % precision with their accuracy, overall and by
        length and number of codes (`evaluation.slices`)."""
        keys = self.frame.keys
        D = self.decisions_.decide(oof)
        correct = self.decisions_.oof_correct_
        scores = code_metrics(Y, D, keys)
        auto = self.decisions_.oof_confidence_ >= self.decisions_.review_cutoff(0.95)
        auto &= ~self.decisions_.oof_contradicts_
        scores["auto_coding_095"] = auto_coding_of(auto, correct)
        scores["slices_095"] = slices(texts, Y, auto, correct)
        scores["brier"] = {k: float(np.mean((oof[:, i] - Y[:, i]) ** 2)) for i, k in enumerate(keys)}
        return scores

    def _cv_rows(self, n: int) -> np.ndarray | None:
        """The rows (of n training answers) whose out-of-fold predictions the decision layer
        learns from and the cross-validation scores describe; None for all (the default)."""
        return None

    def _after_fit(self) -> None:
        """Hook for what a subclass derives from the fitted head (e.g. linear weights)."""

    def cv_splits(self, texts, Y: np.ndarray, groups=None) -> list[tuple[np.ndarray, np.ndarray]]:
        """This coder's cross-validation folds (see `cv_splits`)."""
        return cv_splits(texts, Y, self.frame.multi_label, self.cv, self.random_state, groups)

    def _target(self, Y: np.ndarray) -> np.ndarray:
        return Y if self.frame.multi_label else Y.argmax(axis=1)

    def _fit_head(self, texts: list[str], Y: np.ndarray):
        return self._new_head().fit(texts, self._target(Y))

    def _head_proba(self, head, texts: list[str]) -> np.ndarray:
        """The head's probabilities in frame order (a single-choice head knows only the
        codes it saw in training)."""
        return self._frame_order(head.predict_proba(texts), getattr(head, "classes_", None))

    def _frame_order(self, P, classes) -> np.ndarray:
        """Probabilities from an estimator as answers x codes in frame order."""
        if self.frame.multi_label:
            return np.asarray(P, dtype=float)
        full = np.zeros((P.shape[0], len(self.frame.keys)))
        full[:, classes] = P
        return full

    def _out_of_fold(self, texts: list[str], Y: np.ndarray, progress=None):
        """Probabilities for each answer from a model that never saw it, nor a copy of it;
        and each fold's (held-out positions, fitted head)."""
        oof = np.zeros(Y.shape, dtype=float)
        arr = np.array(texts, dtype=object)
        heads = []
        for i, (train, test) in enumerate(self.cv_splits(texts, Y)):
            if progress:
                progress("cross-validation", i, self.cv + 1)
            head = self._fit_head(list(arr[train]), Y[train])
            oof[test] = self._head_proba(head, list(arr[test]))
            heads.append((test, head))
        return oof, heads

    def _fold_evidence(self, texts: list[str], oof: np.ndarray, heads) -> Evidence:
        """The Evidence of every answer, each from its own fold's head (out of fold too)."""
        if not self.decisions_.uses_evidence:
            return Evidence.of(texts)
        arr = np.array(texts, dtype=object)
        parts = [self._evidence(head, list(arr[test]), oof[test]) for test, head in heads]
        return Evidence.stack(parts, [test for test, _ in heads], len(texts))

    def _evidence(self, head, texts: list[str], P: np.ndarray) -> Evidence:
        """What the decision layer sees beside the probabilities: length, the highest
        probability one sentence or list item alone gets for each code, familiarity."""
        pieces = [sentences(t) for t in texts]
        S = np.array(P, dtype=float, copy=True)
        several = [i for i, p in enumerate(pieces) if len(p) > 1]
        if several:
            flat = [piece for i in several for piece in pieces[i]]
            owner = np.repeat(several, [len(pieces[i]) for i in several])
            best = np.zeros_like(S)
            distinct, inverse = _distinct(flat)  # list items repeat across answers ("Praksisplasser.")
            np.maximum.at(best, owner, self._head_proba(head, distinct)[inverse])
            S[several] = best[several]
        return Evidence.of(texts, S, self._familiarity(head, texts), pieces)

    # -- coding ---------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each code (answers x codes, frame order).

        Survey answers repeat ("Praksisplasser", "Vet ikke"): each distinct text is scored
        once and the rows are copied back."""
        check_is_fitted(self, "head_")
        distinct, inverse = _distinct(X)
        if not distinct:
            return np.zeros((0, len(self.frame.keys)))
        return self._head_proba(self.head_, distinct)[inverse]

    def decide(self, P: np.ndarray) -> np.ndarray:
        """Probabilities -> 0/1 codes (see `decisions.Decisions.decide`)."""
        check_is_fitted(self, "decisions_")
        return self.decisions_.decide(P)

    def review_cutoff(self, target_precision: float = 0.95) -> float:
        """Confidence at or above which answers are coded automatically at `target_precision`."""
        check_is_fitted(self, "decisions_")
        return self.decisions_.review_cutoff(target_precision)

    def predict(self, X) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    def assess(self, X) -> Scores:
        """Probabilities, codes, confidence and what must go to review, in one pass (each
        distinct text scored once).

        Not `score`: scikit-learn's `score(X, y)` (subset accuracy) stays usable, so
        `cross_val_score` and `GridSearchCV` work on a coder."""
        check_is_fitted(self, "head_")
        distinct, inverse = _distinct(X)
        if not distinct:
            return Scores.empty(len(self.frame.keys))
        P = self._head_proba(self.head_, distinct)
        layer = self.decisions_
        evidence = self._evidence(self.head_, distinct, P) if layer.uses_evidence else Evidence.of(distinct)
        D = layer.decide(P)
        s = Scores(P, D, layer.confidence(P, D, evidence), layer.contradicts(P, D),
                   layer.unfamiliar(evidence), layer.several_topics(D, evidence))
        return s.take(inverse)

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


def _distinct(X) -> tuple[list[str], np.ndarray]:
    """The distinct texts of X in order of first appearance, and each row's position among them."""
    index: dict = {}
    inverse = np.fromiter((index.setdefault(t, len(index)) for t in X), dtype=np.int64)
    return list(index), inverse


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
