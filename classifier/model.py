"""The classifier: a scikit-learn estimator that codes texts into a code frame.

Features are TF-IDF over lemmas/stems (word uni- and bigrams) beside TF-IDF over
character n-grams of the folded text, which survive typos, missing æøå and
compounds. Each code gets a logistic regression with sigmoid calibration
(multi-label), or one calibrated multinomial model chooses one code (single-choice).
Per-code thresholds and the confidence needed to skip review are chosen on
out-of-fold predictions, so they are honest estimates rather than fitted values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_predict,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .codeframe import CodeFrame
from .evaluation import auto_coding, code_metrics, review_cutoff
from .preprocess import BLANK, NorwegianNormalizer, answer_key

MIN_EXAMPLES = 10


@dataclass
class Scores:
    """What a model says of some answers: probabilities, chosen codes, confidence."""

    proba: np.ndarray       # answers x codes, calibrated
    codes: np.ndarray       # answers x codes, 0/1 after thresholds and the fallback rule
    confidence: np.ndarray  # chance the codes are exactly right




def make_features(min_df: int = 2) -> ColumnTransformer:
    """Word (lemma/stem) and character n-gram TF-IDF, side by side."""
    return ColumnTransformer(
        [
            (
                "terms",
                TfidfVectorizer(
                    token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32
                ),
                "terms",
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    lowercase=False,
                    sublinear_tf=True,
                    min_df=min_df,
                    dtype=np.float32,
                ),
                "chars",
            ),
        ],
        sparse_threshold=1.0,
    )


class SurveyCoder(ClassifierMixin, BaseEstimator):
    """Code answers into `frame`'s codes, with calibrated probabilities and a confidence.

    `fit(texts, Y)` takes an indicator matrix Y (answers x codes, in frame order).
    """

    def __init__(self, frame: CodeFrame, spacy_model: str = BLANK, C: float = 4.0, cv: int = 5,
                 calibration_cv: int = 3, min_df: int = 2, random_state: int = 0):
        self.frame = frame
        self.spacy_model = spacy_model
        self.C = C
        self.cv = cv
        self.calibration_cv = calibration_cv
        self.min_df = min_df
        self.random_state = random_state

    # -- construction ---------------------------------------------------------------
    def make_head(self) -> Pipeline:
        """A fresh, unfitted features + classifier pipeline (cloned for every fold)."""
        if self.frame.multi_label:
            # liblinear's dual solver: ~10x faster than the primal when features outnumber answers.
            base = LogisticRegression(C=self.C, solver="liblinear", dual=True, max_iter=1000,
                                      class_weight="balanced", random_state=self.random_state)
            clf = OneVsRestClassifier(
                CalibratedClassifierCV(base, method="sigmoid", cv=self.calibration_cv, ensemble=False)
            )
        else:
            base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                      random_state=self.random_state)
            clf = CalibratedClassifierCV(base, method="sigmoid", cv=self.calibration_cv, ensemble=False)
        return Pipeline([("features", make_features(self.min_df)), ("clf", clf)])

    def _fit_head(self, head: Pipeline, Z, Y: np.ndarray) -> Pipeline:
        target = Y if self.frame.multi_label else Y.argmax(axis=1)
        return head.fit(Z, target)

    def _head_proba(self, head: Pipeline, Z) -> np.ndarray:
        P = head.predict_proba(Z)
        if self.frame.multi_label:
            return np.asarray(P, dtype=float)
        full = np.zeros((P.shape[0], len(self.frame.keys)))
        full[:, head.classes_] = P
        return full

    # -- fitting --------------------------------------------------------------------
    def fit(self, X, Y, progress=None):
        """Fit on texts X and indicator matrix Y; `progress(step, done, total)` is told of each fold."""
        Y = np.asarray(Y, dtype=int)
        keys = self.frame.keys
        if Y.shape != (len(X), len(keys)):
            raise ValueError(f"Y must be {len(X)} x {len(keys)}, got {Y.shape}")
        self.normalizer_ = NorwegianNormalizer(self.spacy_model)
        Z = self.normalizer_.transform(X)
        oof = self._out_of_fold(Z, Y, list(X), progress)
        self.thresholds_ = self._choose_thresholds(oof, Y)
        D = self.decide(oof)
        correct = (D == Y).all(axis=1)
        self._fit_confidence(oof, D, correct)
        self.oof_proba_ = oof
        self.cv_scores_ = code_metrics(Y, D, keys)
        self.cv_scores_["auto_coding_095"] = auto_coding(
            self.oof_confidence_, correct, review_cutoff(self.oof_confidence_, correct, 0.95)
        )
        self.cv_scores_["brier"] = {k: float(np.mean((oof[:, i] - Y[:, i]) ** 2)) for i, k in enumerate(keys)}
        if progress:
            progress("final model", self.cv, self.cv + 1)
        self.head_ = self._fit_head(self.make_head(), Z, Y)
        self.feature_names_ = np.asarray(self.head_.named_steps["features"].get_feature_names_out())
        self.coef_ = self._linear_weights()
        if progress:
            progress("final model", self.cv + 1, self.cv + 1)
        self.n_train_ = len(X)
        return self

    def cv_splits(self, texts, Y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The cross-validation folds: answers that are the same after `answer_key` stay in
        one fold (short answers repeat), so no answer is judged by a model that saw a copy."""
        Y = np.asarray(Y)
        groups = pd.factorize(pd.Series([answer_key(t) for t in texts], dtype=object))[0]
        many = len(set(groups)) >= 2 * self.cv  # else too few distinct answers to group
        seed = self.random_state
        if self.frame.multi_label:
            splitter = (GroupKFold(self.cv, shuffle=True, random_state=seed) if many
                        else KFold(self.cv, shuffle=True, random_state=seed))
        else:
            splitter = (StratifiedGroupKFold(self.cv, shuffle=True, random_state=seed) if many
                        else StratifiedKFold(self.cv, shuffle=True, random_state=seed))
        return list(splitter.split(np.zeros(len(Y)), Y.argmax(axis=1), groups=groups if many else None))

    def _out_of_fold(self, Z, Y: np.ndarray, texts, progress=None) -> np.ndarray:
        """Probabilities for each answer from a model that never saw it, nor a copy of it."""
        splits = self.cv_splits(texts, Y)
        oof = np.zeros(Y.shape, dtype=float)
        for i, (train, test) in enumerate(splits):
            if progress:
                progress("cross-validation", i, self.cv + 1)
            head = self._fit_head(clone(self.make_head()), Z.iloc[train], Y[train])
            oof[test] = self._head_proba(head, Z.iloc[test])
        return oof

    def _choose_thresholds(self, P: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per code, the probability threshold with the best out-of-fold F1."""
        th = np.full(P.shape[1], 0.5)
        if not self.frame.multi_label:
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

    # -- prediction -----------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each code (answers x codes, frame order).

        Survey answers repeat ("Praksisplasser", "Vet ikke"): each distinct text is
        featurised and scored once, and the rows are copied back."""
        check_is_fitted(self, "head_")
        index: dict = {}
        inverse = np.fromiter((index.setdefault(t, len(index)) for t in X), dtype=np.int64)
        P = self._head_proba(self.head_, self.normalizer_.transform(list(index)))
        return P[inverse]

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

    def _confidence_features(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
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

    def _fit_confidence(self, oof: np.ndarray, D: np.ndarray, correct: np.ndarray) -> None:
        """Learn P(codes exactly right) from out-of-fold predictions; keep honest
        (cross-validated) estimates of it for choosing the review cutoff."""
        X = self._confidence_features(oof, D)
        correct = correct.astype(int)
        self.oof_correct_ = correct.astype(bool)
        if correct.min() == correct.max():  # all right or all wrong: nothing to learn
            self.confidence_model_ = None
            self.confidence_constant_ = float(correct[0])
            self.oof_confidence_ = np.full(len(correct), self.confidence_constant_)
            return
        meta = LogisticRegression(C=1.0)
        folds = min(5, int(np.bincount(correct).min()))
        if folds >= 2:
            self.oof_confidence_ = cross_val_predict(clone(meta), X, correct, cv=folds, method="predict_proba")[:, 1]
        else:
            self.oof_confidence_ = clone(meta).fit(X, correct).predict_proba(X)[:, 1]
        self.confidence_model_ = meta.fit(X, correct)

    def confidence(self, P: np.ndarray, D: np.ndarray) -> np.ndarray:
        """Estimated chance (0-1) that an answer's codes are exactly right, learned out of fold."""
        check_is_fitted(self, "oof_confidence_")
        if self.confidence_model_ is None:
            return np.full(len(P), self.confidence_constant_)
        return self.confidence_model_.predict_proba(self._confidence_features(P, D))[:, 1]

    def review_cutoff(self, target_precision: float = 0.95) -> float:
        """Confidence at or above which answers are coded automatically at `target_precision`."""
        check_is_fitted(self, "oof_confidence_")
        return review_cutoff(self.oof_confidence_, self.oof_correct_, target_precision)

    def predict(self, X) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    def score(self, X) -> Scores:
        """Probabilities, codes and confidence in one pass (each distinct text scored once)."""
        X = list(X)
        if not X:
            k = len(self.frame.keys)
            return Scores(np.zeros((0, k)), np.zeros((0, k), dtype=int), np.zeros(0))
        P = self.predict_proba(X)
        D = self.decide(P)
        return Scores(P, D, self.confidence(P, D))

    # -- explanation ----------------------------------------------------------------
    def _linear_weights(self) -> np.ndarray:
        """Linear weights (codes x features) of the model fitted on all data, before calibration."""
        clf = self.head_.named_steps["clf"]
        if self.frame.multi_label:
            rows = [est.calibrated_classifiers_[0].estimator.coef_.ravel() for est in clf.estimators_]
            return np.vstack(rows)
        lr = clf.calibrated_classifiers_[0].estimator
        W = np.zeros((len(self.frame.keys), lr.coef_.shape[1]))
        if lr.coef_.shape[0] == 1:  # binary case stores one row for the second class
            W[lr.classes_[1]] = lr.coef_[0]
            W[lr.classes_[0]] = -lr.coef_[0]
        else:
            W[lr.classes_] = lr.coef_
        return W

    def features(self, texts):
        """TF-IDF rows (texts x feature_names_) as the classifiers see them."""
        check_is_fitted(self, "head_")
        return self.head_.named_steps["features"].transform(self.normalizer_.transform(texts)).tocsr()
