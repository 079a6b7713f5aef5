"""Theme discovery: group survey answers into themes, for what a code frame lacks.

How answers are grouped (choices measured on hand-written answers: three planted topics of
twelve answers among 64, 197 and 464 others; `python -m bench.themes`, README):

1. Words. The project's Norwegian preprocessing (spaCy tokens, NorwegianNormalizer terms:
   stems with æøå folded). Negations are dropped here: kept, "ikke"/"ikkje" alone made a
   theme of nynorsk answers.
2. Features. TF-IDF over the terms (weight 0.2) beside TF-IDF over character 3–5-grams of
   the same words as written, folded (0.8), so bokmål, nynorsk and misspelt forms of a word
   meet ('svømmekurs', 'svommekurs', 'svømmundervisning'); reduced with TruncatedSVD (LSA,
   one dimension per 8 answers, 20–100) and L2-normalised. Character n-grams over whole
   answers (stop words included) and the terms alone were both worse.
3. Consensus clustering (evidence accumulation, Fred & Jain 2005). 40 k-means runs, each on
   a random 80 % of the answers with k drawn between √n/2 and 2√n; two answers' co-association
   is the share of the runs holding both that put them together. Average-linkage clustering
   of 1 − co-association gives the themes.
4. How many themes. `auto` cuts that tree where groups stay together in fewer than 20 % of
   the runs (or twice what chance gives, 1/k on average, when that is more: below about 100
   answers): a theme is a group that holds across resampling and across k (a stability
   criterion). Silhouette was measured and rejected: on these answers it rises with k over
   the whole range, so it nearly always took the largest k, and k-means at that k found all
   three planted topics in 0, 4 and 2 of 5 seeds at 100, 233 and 500 answers; consensus in
   4, 5 and 5. A number N cuts the same tree into N groups.
5. Answers that fit no theme stay unassigned: one-offs, with more than 55 % of their TF-IDF
   mass on words and n-grams no other answer has and among the 10 % most isolated answers
   ("Kantina bør servere bedre kaffe": 0.71; planted answers among 233 answers: at most 0.49,
   but among 66 up to 0.66, hence the share); those whose mean co-association with the rest
   of their theme is below 0.3 (they wander between themes), and the answers of themes
   smaller than max(3, 1 % of the answers). Closeness to a centroid was measured too and
   did not separate one-offs (0.5-0.8) from theme members (0.4-0.9).

Answers that are the same after `answer_key` are grouped once (k-means weighs them by their
count). The same seed gives the same themes: the SVD and every k-means run draw from it, and
k-means runs on one thread.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .codeframe import CodeFrame, split_labels
from .errors import Errors, UserError, Warnings
from .preprocess import answer_key, is_non_answer
from .theme_words import (
    AnswerWords,
    answer_words,
    count_terms,
    display_form,
    theme_forms,
    theme_key,
    theme_name,
    top_terms,
)

MIN_ANSWERS = 10      # fewer different answers than this: nothing to group
MAX_ANSWERS = 4000    # the co-association matrix is n x n
TERM_WEIGHT = 0.2     # terms vs character n-grams in the features
RUNS = 40
SUBSAMPLE = 0.8
AUTO_CUT = 0.8        # average-linkage distance (1 - co-association) where `auto` cuts
MEMBER_MIN = 0.3      # mean co-association with its theme below which an answer is unassigned
CHANCE_FACTOR = 2.0   # ... and both at least this many times the co-association of chance
UNIQUE_MAX = 0.55     # an answer with more of its TF-IDF mass on words no other answer has ...
ONE_OFF_SHARE = 0.1   # ... and among the 10 % most isolated answers is a one-off, unassigned
TYPICAL = 5
# Verdicts from the model's calibrated probabilities: a theme's mean probability of a code
# estimates the share of its answers that carry the code.
NEW_BELOW = 0.2
EXISTING_FROM = 0.5
REVIEW_TRUE = {"true", "1", "1.0", "yes", "ja", "sann", "y", "j"}


# -- which answers ------------------------------------------------------------------------------
@dataclass
class Selection:
    """The rows of a table to group, and for every row why it is or is not grouped."""

    texts: list[str]     # every row's answer ("" for non-answers)
    status: list[str]    # per row: "selected", "empty" or "not selected"
    where: str = ""      # " coded 'other'" / " flagged for review", for messages
    source: str = ""     # the file, for messages

    @property
    def rows(self) -> np.ndarray:
        return np.flatnonzero(np.array([s == "selected" for s in self.status], dtype=bool))


def select_answers(df, text_column: str, source: str = "", labels_column: str = "labels",
                   where_code: str | None = None, where_review: bool = False, frame: CodeFrame | None = None,
                   review_column: str = "needs_review") -> Selection:
    """The non-empty answers of `df`, only those coded `where_code` or flagged for review when asked.

    An unknown code is one the model's frame (when given) or else the labels column lacks."""
    texts = ["" if is_non_answer(t) else str(t) for t in df[text_column].tolist()]
    keep = np.array([bool(t) for t in texts])
    where, reason = "", f"column '{text_column}' has no answers"
    if where_code is not None:
        if labels_column not in df.columns:
            raise UserError(Errors.NOT_CODED.format(path=source, column=labels_column))
        coded = [split_labels(v) for v in df[labels_column].tolist()]
        known = frame.keys if frame is not None else sorted({k for c in coded for k in c})
        if where_code not in known:
            place = f"code frame '{frame.name}'" if frame is not None else f"the '{labels_column}' column of {source}"
            raise UserError(Errors.THEMES_UNKNOWN_CODE.format(code=where_code, where=place,
                                                              codes=", ".join(known) or "(none)"))
        keep &= np.array([where_code in c for c in coded], dtype=bool)
        where, reason = f" coded '{where_code}'", f"no answer is coded '{where_code}'"
    elif where_review:
        if review_column not in df.columns:
            raise UserError(Errors.THEMES_NO_REVIEW_COLUMN.format(path=source, column=review_column))
        flagged = [str(v).strip().lower() in REVIEW_TRUE for v in df[review_column].tolist()]
        keep &= np.array(flagged, dtype=bool)
        where, reason = " flagged for review", "no answer is flagged for review"
    status = ["selected" if k else ("empty" if not t else "not selected") for t, k in zip(texts, keep)]
    if not keep.any():
        hint = ", --where-code" if where_code is not None else (" and --where-review" if where_review else "")
        raise UserError(Errors.THEMES_NO_ANSWERS.format(path=source, reason=reason, hint=hint))
    return Selection(texts, status, where, source)


def parse_count(value) -> int | None:
    """--themes: 'auto' -> None, else a whole number of 2 or more."""
    if value is None or str(value).strip().lower() == "auto":
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if n < 2:
        raise UserError(Errors.THEMES_BAD_COUNT.format(value=value))
    return n


# -- grouping ------------------------------------------------------------------------------------
class ThemeFinder(BaseEstimator):
    """Group answers (strings) into themes by consensus clustering; see the module docstring.

    After `fit(texts)`: `labels_` (per text: 0, 1, ... by theme size, -1 unassigned),
    `embedding_` (LSA vectors per distinct answer), `item_of_text_`, `items_` (the first
    text of each distinct answer), `counts_`, `words_` (AnswerWords per distinct answer)."""

    def __init__(self, n_themes: int | None = None, seed: int = 0, spacy_model: str | None = None,
                 runs: int = RUNS, cut: float = AUTO_CUT, member_min: float = MEMBER_MIN):
        self.n_themes = n_themes
        self.seed = seed
        self.spacy_model = spacy_model
        self.runs = runs
        self.cut = cut
        self.member_min = member_min

    def fit(self, texts, y=None):
        texts = [str(t) for t in texts]
        index: dict[str, int] = {}
        self.item_of_text_ = np.array([index.setdefault(answer_key(t), len(index)) for t in texts], dtype=int)
        first = {}
        for i, item in enumerate(self.item_of_text_):
            first.setdefault(int(item), texts[i])
        self.items_ = [first[i] for i in range(len(index))]
        self.counts_ = np.bincount(self.item_of_text_, minlength=len(index))
        self.words_ = answer_words(self.items_, self.spacy_model)
        self.min_size_ = max(3, math.ceil(0.01 * len(texts)))
        rng = np.random.RandomState(self.seed)
        self.embedding_ = self._embed(self.words_, rng)
        self.unique_mass_ = self._unique_mass(self.words_)
        # Answers with no words, or whose words mostly occur in no other answer, fit no theme.
        placed = (np.linalg.norm(self.embedding_, axis=1) > 0.5) & ~self._one_offs(self.unique_mass_)
        item_labels = np.full(len(self.items_), -1)
        if placed.sum() >= 2:
            idx = np.flatnonzero(placed)
            C = self._coassociation(self.embedding_[idx], self.counts_[idx], rng)
            item_labels[idx] = self._themes(C, self.counts_[idx])
        self.item_labels_ = item_labels
        self.labels_ = item_labels[self.item_of_text_]
        self.n_themes_ = int(item_labels.max() + 1)
        return self

    def _vectors(self, words: AnswerWords, min_df: int):
        """TF-IDF of the terms beside TF-IDF of character 3-5-grams of the words as written."""
        blocks = []
        for weight, vectorizer, docs in (
            (TERM_WEIGHT, TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True, min_df=min_df),
             words.terms),
            (1 - TERM_WEIGHT, TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False,
                                              sublinear_tf=True, min_df=min_df), words.written),
        ):
            try:
                blocks.append(math.sqrt(weight) * vectorizer.fit_transform(docs))
            except ValueError:  # empty vocabulary: no such words in these answers
                continue
        return sparse.hstack(blocks).tocsr() if blocks else None

    def _embed(self, words: AnswerWords, rng) -> np.ndarray:
        n = len(words.terms)
        X = self._vectors(words, 2 if n >= 20 else 1)
        if X is None:
            return np.zeros((n, 1))
        dims = min(max(20, n // 8), 100, n - 1, X.shape[1] - 1)
        if dims < 2:
            return normalize(X.toarray())
        svd = TruncatedSVD(dims, random_state=rng.randint(2**31 - 1))
        with threadpool_limits(1):
            return normalize(svd.fit_transform(X))

    def _unique_mass(self, words: AnswerWords) -> np.ndarray:
        """Per distinct answer, the share of its TF-IDF mass on words and n-grams that no other
        answer has (repeats of it count as others)."""
        X = self._vectors(words, 1)
        if X is None:
            return np.ones(len(words.terms))
        holders = np.asarray((X > 0).multiply(self.counts_[:, None]).sum(axis=0)).ravel()
        sq = X.multiply(X)
        total = np.asarray(sq.sum(axis=1)).ravel()
        lone = np.asarray(sq[:, holders <= 1].sum(axis=1)).ravel()
        return np.divide(lone, total, out=np.ones_like(total), where=total > 0)

    @staticmethod
    def _one_offs(unique: np.ndarray) -> np.ndarray:
        """Answers with more than UNIQUE_MAX of their mass on words no other answer has and among
        the ONE_OFF_SHARE most isolated: in few answers more words are unique to one answer
        (a theme's members reached 0.66 among 66 answers, 0.49 among 233)."""
        return (unique > UNIQUE_MAX) & (unique > np.quantile(unique, 1 - ONE_OFF_SHARE))

    def _coassociation(self, L: np.ndarray, weights: np.ndarray, rng) -> np.ndarray:
        """Share of the k-means runs (each on a random 80 %, k between √n/2 and 2√n) that put
        two answers together, among the runs that held both."""
        n = len(L)
        m = max(2, int(round(SUBSAMPLE * n)))
        lo = max(2, int(math.sqrt(n) / 2))
        hi = max(lo, min(int(2 * math.sqrt(n)), m - 1))
        # How often two unrelated answers share a cluster by chance (clusters of equal size).
        self.chance_ = float(np.mean([1.0 / k for k in range(lo, hi + 1)]))
        together = np.zeros((n, n), dtype=np.float32)
        both = np.zeros((n, n), dtype=np.float32)
        with threadpool_limits(1):  # tiny problems: threads cost more than they give, and vary
            for _ in range(self.runs):
                idx = np.sort(rng.choice(n, m, replace=False))
                k = int(rng.randint(lo, hi + 1))
                km = KMeans(k, n_init=1, random_state=rng.randint(2**31 - 1))
                lab = km.fit_predict(L[idx], sample_weight=weights[idx])
                block = np.ix_(idx, idx)
                together[block] += lab[:, None] == lab[None, :]
                both[block] += 1
        C = together / np.maximum(both, 1)
        np.fill_diagonal(C, 1.0)
        return C

    def _themes(self, C: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cut the average-linkage tree of 1 - C; drop wanderers and themes that are too small;
        number the rest 0, 1, ... by size (answers, repeats counted), largest first."""
        D = 1.0 - C.astype(float)
        np.fill_diagonal(D, 0.0)
        tree = linkage(squareform(D, checks=False), "average")
        # Below about 100 answers k is small and chance co-association high: the bars rise with it.
        self.together_min_ = max(1.0 - self.cut, CHANCE_FACTOR * self.chance_)
        member_min = max(self.member_min, CHANCE_FACTOR * self.chance_)
        if self.n_themes is None:
            groups = fcluster(tree, 1.0 - self.together_min_, "distance")
        else:
            groups = fcluster(tree, min(self.n_themes, len(C)), "maxclust")
        labels = groups.astype(int) - 1
        for g in np.unique(labels):
            members = np.flatnonzero(labels == g)
            if len(members) > 1:
                inner = (C[np.ix_(members, members)].sum(axis=1) - 1.0) / (len(members) - 1)
                labels[members[inner < member_min]] = -1
            else:
                labels[members] = -1
        sizes = {g: int(weights[labels == g].sum()) for g in np.unique(labels[labels >= 0])}
        kept = sorted((g for g, s in sizes.items() if s >= self.min_size_),
                      key=lambda g: (-sizes[g], int(np.flatnonzero(labels == g)[0])))
        renumber = {g: i for i, g in enumerate(kept)}
        return np.array([renumber.get(g, -1) for g in labels], dtype=int)

    def typical(self, theme: int, n: int = TYPICAL) -> list[int]:
        """The distinct answers (item numbers) of a theme closest to its centroid, closest first."""
        check_is_fitted(self, "item_labels_")
        items = np.flatnonzero(self.item_labels_ == theme)
        L = self.embedding_[items]
        centroid = normalize((L * self.counts_[items, None]).sum(axis=0, keepdims=True))
        sim = (L @ centroid.T).ravel()
        order = sorted(range(len(items)), key=lambda i: (-round(float(sim[i]), 9), int(items[i])))
        return [int(items[i]) for i in order[:n]]


# -- the result ----------------------------------------------------------------------------------
@dataclass
class Verdict:
    """Is a theme new, or like a code the model has? From the model's calibrated probabilities."""

    kind: str          # "new", "existing" or "unclear"
    code: str          # the substantive code with the highest mean probability
    name: str
    mean_p: float      # its mean probability over the theme's answers: about the share carrying it
    share_p50: float   # share of the theme's answers where it is at least 0.5
    means: dict = field(default_factory=dict)  # every substantive code's mean probability


@dataclass
class Theme:
    number: int              # 1, 2, ... (largest first)
    key: str                 # code key in the draft frame
    name: str
    rows: np.ndarray         # rows of the input table
    size: int
    share: float             # of the answers grouped
    words: list[str]         # what sets it apart from the other themes, as written
    typical: list[str]       # answers closest to its centre, closest first
    new_words: list[str] | None = None  # what sets it apart from the model's training answers
    verdict: Verdict | None = None


@dataclass
class ThemeResult:
    themes: list[Theme]
    theme_of_row: list[int]  # per input row: theme number, 0 = none
    status: list[str]        # per input row: "theme", "unassigned", "empty", "not selected"
    n_answers: int           # answers grouped (rows)
    n_distinct: int
    n_unassigned: int
    asked: int | None        # --themes N, or None for auto
    seed: int
    where: str
    source: str
    min_size: int
    frame: CodeFrame | None = None      # the model's code frame
    model_name: str | None = None
    training_contrast: bool = False
    notes: list[str] = field(default_factory=list)


def find_themes(selection: Selection, n_themes: int | None = None, seed: int = 0, coder=None,
                model_name: str | None = None, spacy_model: str | None = None) -> ThemeResult:
    """Group the selected answers into themes and describe each: size, words, typical answers,
    and with a model (`coder.frame`, `coder.predict_proba`) whether it looks new."""
    if seed < 0:
        raise UserError(Errors.THEMES_BAD_SEED.format(value=seed))
    rows = selection.rows
    texts = [selection.texts[i] for i in rows]
    n_distinct = len({answer_key(t) for t in texts})
    where = selection.where
    if n_distinct < MIN_ANSWERS:
        raise UserError(Errors.THEMES_TOO_FEW.format(n=n_distinct, path=selection.source, where=where, min=MIN_ANSWERS))
    if n_distinct > MAX_ANSWERS:
        raise UserError(Errors.THEMES_TOO_LARGE.format(n=n_distinct, path=selection.source, where=where, max=MAX_ANSWERS))
    if n_themes is not None and n_themes > n_distinct:
        raise UserError(Errors.THEMES_TOO_MANY.format(n=n_themes, m=n_distinct))
    finder = ThemeFinder(n_themes, seed, spacy_model).fit(texts)
    if not any(finder.words_.terms):
        raise UserError(Errors.THEMES_NO_WORDS.format(path=selection.source, where=where))
    if finder.n_themes_ == 0:
        raise UserError(Errors.THEMES_NONE.format(n=len(texts), path=selection.source, where=where))
    notes = []
    if n_themes is not None and finder.n_themes_ < n_themes:
        notes.append(Warnings.THEMES_FEWER.format(asked=n_themes, kept=finder.n_themes_, min_size=finder.min_size_))
    train_counts = _training_counts(coder)
    if coder is not None and train_counts is None:
        notes.append(Warnings.THEMES_NO_TRAINING_WORDS.format(model=model_name or "given"))
    themes = _describe(finder, rows, len(texts), coder, train_counts)
    theme_of_row = [0] * len(selection.texts)
    status = ["empty" if s == "empty" else "not selected" for s in selection.status]
    for r, lab in zip(rows, finder.labels_):
        theme_of_row[r] = int(lab) + 1
        status[r] = "theme" if lab >= 0 else "unassigned"
    return ThemeResult(
        themes=themes, theme_of_row=theme_of_row, status=status, n_answers=len(texts), n_distinct=n_distinct,
        n_unassigned=int((finder.labels_ < 0).sum()), asked=n_themes, seed=seed, where=where,
        source=selection.source, min_size=finder.min_size_, frame=getattr(coder, "frame", None),
        model_name=model_name, training_contrast=train_counts is not None, notes=notes,
    )


def _training_counts(coder) -> dict | None:
    """{term: training answers holding it} when the model offers them (an optional capability)."""
    method = getattr(coder, "term_document_frequencies", None) if coder is not None else None
    return Counter({str(k): int(v) for k, v in method().items()}) if callable(method) else None


def _describe(finder: ThemeFinder, rows: np.ndarray, n_answers: int, coder, train_counts) -> list[Theme]:
    term_sets = finder.words_.term_sets()
    per_theme = [count_terms([term_sets[i] for i in np.flatnonzero(finder.item_labels_ == t)],
                             finder.counts_[finder.item_labels_ == t]) for t in range(finder.n_themes_)]
    everything = count_terms(term_sets, finder.counts_)
    taken: set[str] = set(coder.frame.keys) if coder is not None else {"other"}
    themes = []
    for t in range(finder.n_themes_):
        items = np.flatnonzero(finder.item_labels_ == t)
        forms = theme_forms(finder.words_, items)
        words = [display_form(forms[x]) for x in top_terms(per_theme[t], everything - per_theme[t])]
        new_words = None
        if train_counts is not None:
            new_words = [display_form(forms[x]) for x in top_terms(per_theme[t], train_counts, n=6)]
        members = rows[finder.labels_ == t]
        size = int(finder.counts_[items].sum())
        theme = Theme(
            number=t + 1, key=theme_key(words, t + 1, taken), name=theme_name(words, t + 1), rows=members,
            size=size, share=size / n_answers, words=words, new_words=new_words,
            typical=[finder.items_[i] for i in finder.typical(t)],
        )
        if coder is not None:
            theme.verdict = verdict([finder.items_[i] for i in items], finder.counts_[items], coder)
        themes.append(theme)
    return themes


def verdict(texts: list[str], weights: np.ndarray, coder) -> Verdict:
    """New, existing or unclear, from the mean probability of each substantive code.

    With calibrated probabilities the mean over a theme's answers estimates the share of them
    that carry the code: below NEW_BELOW for every code, the theme is far from all of them
    (new); from EXISTING_FROM for one, it looks like that code, which the model gave to too
    few of these answers (existing, missed); in between it is unclear."""
    frame = coder.frame
    P = np.asarray(coder.predict_proba(texts), dtype=float)
    w = np.asarray(weights, dtype=float) / float(np.sum(weights))
    subs = [j for j, k in enumerate(frame.keys) if k != frame.fallback]
    means = {frame.keys[j]: float(w @ P[:, j]) for j in subs}
    best = max(subs, key=lambda j: (means[frame.keys[j]], -j))
    code = frame.keys[best]
    mean_p = means[code]
    kind = "new" if mean_p < NEW_BELOW else ("existing" if mean_p >= EXISTING_FROM else "unclear")
    return Verdict(kind, code, frame.code(code).name or code, mean_p, float(w @ (P[:, best] >= 0.5)), means)
