"""The TF-IDF coder: the tool's default model.

Features are TF-IDF over lemmas/stems (word uni- and bigrams) beside TF-IDF over
character n-grams of the folded text, which survive typos, missing æøå and compounds.
Each code gets a logistic regression with sigmoid calibration (multi-label), or one
calibrated multinomial model chooses one code (single-choice). The decision layer
(thresholds, fallback, confidence, review cutoff) is the shared one in `base`.
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..codeframe import CodeFrame
from ..preprocess import BLANK, NorwegianNormalizer, term
from .base import Coder


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


class TfidfCoder(Coder):
    """Code answers with calibrated logistic regressions over word and character TF-IDF.

    Its head is a Pipeline: NorwegianNormalizer (spaCy) -> features -> classifier."""

    kind = "tfidf"

    def __init__(self, frame: CodeFrame, spacy_model: str = BLANK, C: float = 4.0, cv: int = 5,
                 calibration_cv: int = 3, min_df: int = 2, random_state: int = 0):
        self.frame = frame
        self.spacy_model = spacy_model
        self.C = C
        self.cv = cv
        self.calibration_cv = calibration_cv
        self.min_df = min_df
        self.random_state = random_state

    def _new_head(self) -> Pipeline:
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
        return Pipeline([("normalize", NorwegianNormalizer(self.spacy_model)),
                         ("features", make_features(self.min_df)), ("clf", clf)])

    def _after_fit(self) -> None:
        self.feature_names_ = np.asarray(self.head_.named_steps["features"].get_feature_names_out())
        self.coef_ = self._linear_weights()

    # -- LinearInFeatures -------------------------------------------------------------------
    def feature_names(self) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_

    def feature_matrix(self, texts):
        """TF-IDF rows (texts x features) as the classifiers see them."""
        check_is_fitted(self, "head_")
        return self.head_[:-1].transform(list(texts)).tocsr()

    def feature_weights(self) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return self.coef_

    def word_term(self, word: str) -> str:
        check_is_fitted(self, "head_")
        return term(word, self.head_.named_steps["normalize"].fold_first)

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

    # -- KnowsVocabulary --------------------------------------------------------------------
    def term_document_frequencies(self) -> dict[str, int]:
        """Single terms of the fitted 'terms' vectorizer with their training document
        frequencies, recovered from the IDF weights (idf = ln((1 + n) / (1 + df)) + 1)."""
        check_is_fitted(self, "head_")
        vec = self.head_.named_steps["features"].named_transformers_["terms"]
        words = {t: i for t, i in vec.vocabulary_.items() if " " not in t}
        idf = np.asarray(vec.idf_, dtype=float)[list(words.values())]
        n = self.n_train_
        df = (1 + n) / np.exp(idf - 1) - 1 if vec.smooth_idf else n / np.exp(idf - 1)
        return dict(zip(words, np.rint(df).astype(int).tolist()))

    def answer_terms(self, texts) -> list[list[str]]:
        check_is_fitted(self, "head_")
        return [cell.split() for cell in self.head_.named_steps["normalize"].transform(list(texts))["terms"]]
