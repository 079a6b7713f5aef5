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
from ..evaluation import code_metrics
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


C_GRID = (1.0, 4.0, 16.0, 64.0)
GRID_MAX = 3000  # answers: a larger training set is cross-validated on a sample of this size


class TfidfCoder(Coder):
    """Code answers with calibrated logistic regressions over word and character TF-IDF.

    Its head is a Pipeline: NorwegianNormalizer (spaCy) -> features -> classifier.
    `C="auto"` (the default) chooses the regularisation for each code frame: every C of
    `C_grid` is cross-validated on the coder's own folds (the features fitted once per fold)
    and the one whose out-of-fold decisions reach the best macro F1 is kept (`C_`, with each
    C's score in `C_scores_`); a tie goes to the smaller C. Its out-of-fold probabilities
    are the ones the decision layer learns from, so choosing costs no extra pass.

    On more than `cv_max` answers (default `GRID_MAX`) the cross-validation — choosing C,
    learning the decision layer, the scores — runs on a random sample of `cv_max` answers and
    only the final model sees them all: a 10,000-answer training set trains in about half the
    time, and a decision layer learned from models fitted on less data errs on the side of
    review. `cv_max=0` cross-validates every answer (the audit needs each one's
    out-of-fold probabilities); C is then still chosen on a sample."""

    kind = "tfidf"

    def __init__(self, frame: CodeFrame, spacy_model: str = BLANK, C: float | str = "auto", cv: int = 5,
                 calibration_cv: int = 3, min_df: int = 2, random_state: int = 0, C_grid: tuple = C_GRID,
                 cv_max: int = GRID_MAX):
        self.frame = frame
        self.spacy_model = spacy_model
        self.C = C
        self.cv = cv
        self.calibration_cv = calibration_cv
        self.min_df = min_df
        self.random_state = random_state
        self.C_grid = C_grid
        self.cv_max = cv_max

    def _chosen_C(self) -> float:
        return float(getattr(self, "C_", None) or (4.0 if self.C == "auto" else self.C))

    def _classifier(self, C: float):
        if self.frame.multi_label:
            # liblinear's dual solver: ~10x faster than the primal when features outnumber answers.
            base = LogisticRegression(C=C, solver="liblinear", dual=True, max_iter=1000,
                                      class_weight="balanced", random_state=self.random_state)
            return OneVsRestClassifier(
                CalibratedClassifierCV(base, method="sigmoid", cv=self.calibration_cv, ensemble=False))
        base = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=self.random_state)
        return CalibratedClassifierCV(base, method="sigmoid", cv=self.calibration_cv, ensemble=False)

    def _features(self) -> Pipeline:
        return Pipeline([("normalize", NorwegianNormalizer(self.spacy_model)), ("features", make_features(self.min_df))])

    def _new_head(self) -> Pipeline:
        return Pipeline([*self._features().steps, ("clf", self._classifier(self._chosen_C()))])

    # -- choosing C -------------------------------------------------------------------------
    def _sample(self, n: int, size: int) -> np.ndarray:
        return np.sort(np.random.default_rng(self.random_state).choice(n, size, replace=False))

    def _cv_rows(self, n: int) -> np.ndarray | None:
        return None if not self.cv_max or n <= self.cv_max else self._sample(n, self.cv_max)

    def _out_of_fold(self, texts: list[str], Y: np.ndarray, progress=None):
        if self.C != "auto":
            self.C_ = float(self.C)
            return super()._out_of_fold(texts, Y, progress)
        if len(texts) > GRID_MAX:  # choose on a sample, then cross-validate that C on everything
            rows = self._sample(len(texts), GRID_MAX)
            self._grid([texts[i] for i in rows], Y[rows], progress)
            return super()._out_of_fold(texts, Y, progress)
        return self._grid(texts, Y, progress)

    def _grid(self, texts: list[str], Y: np.ndarray, progress=None):
        """Cross-validate every C of the grid on the same folds; keep the best (sets `C_`,
        `C_scores_`) and return its out-of-fold probabilities and fold heads."""
        arr = np.array(texts, dtype=object)
        grid = [float(c) for c in self.C_grid]
        oof = {C: np.zeros(Y.shape) for C in grid}
        heads = {C: [] for C in grid}
        for i, (train, test) in enumerate(self.cv_splits(texts, Y)):
            if progress:
                progress("cross-validation", i, self.cv + 1)
            features = self._features().fit(list(arr[train]))
            X_train, X_test = features.transform(list(arr[train])), features.transform(list(arr[test]))
            for C in grid:
                clf = self._classifier(C).fit(X_train, self._target(Y[train]))
                oof[C][test] = self._frame_order(clf.predict_proba(X_test), clf.classes_)
                heads[C].append((test, Pipeline([*features.steps, ("clf", clf)])))
        decide = self._new_decisions().decide
        self.C_scores_ = {C: code_metrics(Y, decide(oof[C]), self.frame.keys)["macro_f1"] for C in grid}
        best = max(self.C_scores_.values())
        self.C_ = min(C for C, f1 in self.C_scores_.items() if f1 >= best - 1e-9)
        return oof[self.C_], heads[self.C_]

    def _familiarity(self, head, texts: list[str]) -> np.ndarray:
        """The share of each answer's terms, and of its character n-grams, in the head's vocabularies."""
        Z = head.named_steps["normalize"].transform(texts)
        vectorizers = head.named_steps["features"].named_transformers_
        out = np.zeros((len(texts), 2))
        vocab = vectorizers["terms"].vocabulary_
        for i, cell in enumerate(Z["terms"]):
            terms = cell.split()
            out[i, 0] = sum(t in vocab for t in terms) / len(terms) if terms else 0.0
        # char_wb n-grams never cross a space, so each word's (known, all) counts are looked
        # up once per call: answers share most of their words.
        vec = vectorizers["chars"]
        vocab, analyze, per_word = vec.vocabulary_, vec.build_analyzer(), {}
        for i, cell in enumerate(Z["chars"]):
            known = total = 0
            for word in cell.split():
                if word not in per_word:
                    grams = analyze(word)
                    per_word[word] = (sum(g in vocab for g in grams), len(grams))
                k, n = per_word[word]
                known, total = known + k, total + n
            out[i, 1] = known / total if total else 0.0
        return out

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
