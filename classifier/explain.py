"""Why did the model give an answer its codes? The words that pushed each code up or down.

The model is linear before calibration, so each feature present in an answer adds
weight x TF-IDF value to a code's score. `WordMap` is the one mapping from feature
names to the words of an answer; `explain` uses it for readable labels (a feature is
shown as the words it falls on, as written) and the review screen for highlighting
(`word_weights`: spans with weights). Contributions that land on the same word are
added up, so a word is not listed once per n-gram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .coders import LinearInFeatures, Scores
from .errors import Errors, UserError
from .preprocess import fold, is_non_answer, term

TERM_PREFIX = "terms__"
CHAR_PREFIX = "chars__"
_TOKEN = re.compile(r"\S+")  # char_wb splits the folded text on whitespace
_PART = re.compile(r"[^\W_]+")  # letters and digits
_URL = re.compile(r"://|^www\.|@|\.(no|com|org|net|se|dk)$", re.IGNORECASE)


@dataclass
class Term:
    label: str        # the word(s) of the answer the feature falls on; else its stem or n-gram
    kind: str         # "word" (stem feature) or "chars" (character n-grams)
    weight: float     # summed contribution to the code's score (log-odds, before calibration)
    features: list[str] = field(default_factory=list)


@dataclass
class CodeExplanation:
    code: str
    probability: float
    assigned: bool
    up: list[Term]    # pushed the code up, strongest first
    down: list[Term]  # pushed it down, strongest first


@dataclass
class TextExplanation:
    text: str
    labels: list[str]
    codes: dict[str, CodeExplanation]


# -- features -> words ------------------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    start: int  # span in the answer as written
    end: int
    text: str   # the answer[start:end]: a whitespace token without the punctuation around it


class WordMap:
    """The words of one answer and which model features fall on each.

    - "terms__<t>" (a bigram "terms__<t1> <t2>": either term) falls on the words whose
      term is t (`term_of`: the model's own, see `LinearInFeatures.word_term`) of the
      lower-cased word or of one of its parts ("NAV-kontor"), "_num_" for a number,
      "_url_" for a link or e-mail address.
    - "chars__<ngram>" falls on the words whose folded token, padded with a space on each
      side as scikit-learn's char_wb analyzer pads it, holds the n-gram; when no token
      does, on the words that hold it once the punctuation around them is dropped.

    Each word is folded and stemmed once; each feature is looked up once (cached).
    """

    def __init__(self, text: str, term_of=term):
        self.text = text
        self.words: list[Word] = []
        self._exact: list[str] = []  # " fold(token) ", what char_wb saw
        self._loose: list[str] = []  # " fold(word) ", punctuation around it dropped
        self._terms: dict[str, list[int]] = {}
        self._grams: dict[tuple[bool, int], dict[str, tuple[int, ...]]] = {}
        self._hits: dict[str, tuple[int, ...]] = {}
        for m in _TOKEN.finditer(text):
            token = m.group(0)
            parts = [(p.start(), p.end()) for p in _PART.finditer(token)]
            if not parts:
                continue  # punctuation only: nothing to show
            a, b = parts[0][0], parts[-1][1]
            word = Word(m.start() + a, m.start() + b, token[a:b])
            i = len(self.words)
            self.words.append(word)
            self._exact.append(f" {fold(token)} ")
            self._loose.append(f" {fold(word.text)} ")
            low = word.text.lower()
            terms = {term_of(low)} | {term_of(token[s:e].lower()) for s, e in parts}
            if all(token[s:e].isdigit() for s, e in parts):
                terms.add("_num_")
            if _URL.search(low):
                terms.add("_url_")
            for t in terms:
                self._terms.setdefault(t, []).append(i)

    def hits(self, feature: str) -> tuple[int, ...]:
        """Indices of the words `feature` falls on (in text order; empty when none)."""
        found = self._hits.get(feature)
        if found is None:
            if feature.startswith(CHAR_PREFIX):
                ngram = feature[len(CHAR_PREFIX):]
                found = (self._ngram(ngram, loose=False) or self._ngram(ngram, loose=True)) if ngram.strip() else ()
            elif feature.startswith(TERM_PREFIX):
                idx = {i for t in feature[len(TERM_PREFIX):].split(" ") for i in self._terms.get(t, ())}
                found = tuple(sorted(idx))
            else:
                found = ()
            self._hits[feature] = found
        return found

    def _ngram(self, ngram: str, loose: bool) -> tuple[int, ...]:
        n = len(ngram)
        table = self._grams.get((loose, n))
        if table is None:  # every n-character piece of every word, made once per length
            table = {}
            for i, padded in enumerate(self._loose if loose else self._exact):
                for k in range(len(padded) - n + 1):
                    hit = table.setdefault(padded[k:k + n], ())
                    if not hit or hit[-1] != i:
                        table[padded[k:k + n]] = (*hit, i)
            self._grams[(loose, n)] = table
        return table.get(ngram, ())

    def labels(self, feature: str) -> list[tuple[str, str]]:
        """The feature as (kind, label) pairs: the words it falls on, as written (once each,
        ignoring case), else its stem or n-gram."""
        if feature.startswith(TERM_PREFIX):
            kind, fallback = "word", feature[len(TERM_PREFIX):]
        elif feature.startswith(CHAR_PREFIX):
            kind, fallback = "chars", feature[len(CHAR_PREFIX):].strip()
        else:
            return [("feature", feature)]
        seen: dict[str, str] = {}
        for i in self.hits(feature):
            seen.setdefault(self.words[i].text.lower(), self.words[i].text)
        return [(kind, w) for w in seen.values()] or [(kind, fallback)]

    def shares(self, features: list[str]) -> np.ndarray:
        """features x words: 1/k where a feature falls on k words, else 0."""
        rows, cols, vals = [], [], []
        for f, name in enumerate(features):
            hit = self.hits(name)
            if hit:
                rows += [f] * len(hit)
                cols += hit
                vals += [1.0 / len(hit)] * len(hit)
        S = np.zeros((len(features), len(self.words)))
        S[rows, cols] = vals
        return S


def ngram_words(ngram: str, text: str) -> list[str]:
    """The words of `text` (as written) that hold a character n-gram of its folded form."""
    wm, feature = WordMap(text), CHAR_PREFIX + ngram
    return [label for _, label in wm.labels(feature)] if wm.hits(feature) else []


def readable(feature: str, text: str) -> list[tuple[str, str]]:
    """A feature name as (kind, label) pairs: the words of `text` it falls on (several when
    more than one word holds it), else the stem of a word feature or the n-gram."""
    return WordMap(text).labels(feature)


# -- contributions ----------------------------------------------------------------------------
def _present(W: np.ndarray, X, i: int, rows: list[int]):
    """Features present in row i of X, and their contributions (codes `rows` x features)
    under the weights W (codes x features)."""
    lo, hi = X.indptr[i], X.indptr[i + 1]
    idx, vals = X.indices[lo:hi], X.data[lo:hi]
    return idx, W[np.ix_(rows, idx)] * vals


def can_explain(coder) -> bool:
    """Whether `coder` is linear in named features (`coders.LinearInFeatures`)."""
    return isinstance(coder, LinearInFeatures)


def _linear(coder) -> LinearInFeatures:
    if not can_explain(coder):
        raise UserError(Errors.CANNOT_EXPLAIN.format(kind=getattr(coder, "kind", type(coder).__name__)))
    return coder


def word_weights(coder, text: str, codes: list[str]) -> dict[str, list[tuple[int, int, float]]]:
    """For each code in `codes`: (start, end, weight) of the words that pushed it up, best first.

    A word's weight is the sum of the contributions of the features on it (`WordMap`); a
    feature on several words is shared equally between them. A coder that is not linear in
    named features explains nothing ({})."""
    if not codes or not can_explain(coder):
        return {}
    pos = {k: i for i, k in enumerate(coder.frame.keys)}
    codes = [c for c in codes if c in pos]
    if not codes:
        return {}
    X = coder.feature_matrix([text])
    idx, contrib = _present(coder.feature_weights(), X, 0, [pos[c] for c in codes])
    wm = WordMap(text, coder.word_term)
    names = coder.feature_names()
    per_word = contrib @ wm.shares([str(names[f]) for f in idx])  # codes x words
    out = {}
    for j, code in enumerate(codes):
        w = per_word[j]
        order = np.argsort(-w, kind="stable")
        out[code] = [(wm.words[k].start, wm.words[k].end, float(w[k])) for k in order if w[k] > 0]
    return out


def _label_matrix(wm: WordMap, features: list[str]):
    """features x labels, and each label column's (kind, label). A label is a word of the
    answer (case ignored), once for the word features on it and once for its n-grams, with
    the shares of `WordMap.shares`; a feature on no word is its own label (stem, n-gram)."""
    S = wm.shares(features)
    group: dict[str, int] = {}
    spelling: list[str] = []  # first spelling of each distinct word
    for w in wm.words:
        if group.setdefault(w.text.lower(), len(group)) == len(spelling):
            spelling.append(w.text)
    L = np.zeros((len(wm.words), len(spelling)))
    L[np.arange(len(wm.words)), [group[w.text.lower()] for w in wm.words]] = 1.0
    on_words = S @ L  # features x distinct words
    is_term = np.array([f.startswith(TERM_PREFIX) for f in features], dtype=bool)[:, None]
    labels = [("word", w) for w in spelling] + [("chars", w) for w in spelling]
    own: dict[tuple[str, str], int] = {}
    cells = []
    for f in np.flatnonzero(S.sum(axis=1) == 0):
        kind, label = wm.labels(features[f])[0]
        c = own.setdefault((kind, label.lower()), len(own))
        if c == len(labels) - 2 * len(spelling):
            labels.append((kind, label))
        cells.append((f, c))
    E = np.zeros((len(features), len(own)))
    for f, c in cells:
        E[f, c] = 1.0
    return np.hstack([on_words * is_term, on_words * ~is_term, E]), labels


def _top(weights: np.ndarray, terms, C_row, M, names, top: int, sign: int) -> list[Term]:
    chosen = [c for c in range(len(terms)) if sign * weights[c] > 0]
    chosen.sort(key=lambda c: (-sign * weights[c], terms[c][1]))
    out = []
    for c in chosen[:top]:
        feats = [names[f] for f in np.flatnonzero(M[:, c]) if C_row[f] != 0]
        out.append(Term(terms[c][1], terms[c][0], float(weights[c]), feats))
    return out


def explain_texts(coder, texts, top: int = 3, scores: Scores | None = None,
                  assigned_only: bool = False) -> list[TextExplanation]:
    """For each text: its codes, and per code the `top` terms pushing it up and down.

    `scores`: the model's `Scores` for these texts when already computed (else one
    `coder.score` call). `assigned_only`: explain only the codes each text was given."""
    texts = ["" if is_non_answer(t) else str(t) for t in texts]
    keys = _linear(coder).frame.keys
    if not texts:
        return []
    if scores is None:
        scores = coder.assess(texts)
    elif len(scores.codes) != len(texts):
        raise ValueError(f"scores are for {len(scores.codes)} texts, not {len(texts)}")
    X = coder.feature_matrix(texts)
    W = coder.feature_weights()
    all_names = coder.feature_names()
    out = []
    for i, text in enumerate(texts):
        labels = [] if not text else [k for k, d in zip(keys, scores.codes[i]) if d]
        rows = [keys.index(k) for k in labels] if assigned_only else list(range(len(keys)))
        codes = {}
        if rows:
            idx, C = _present(W, X, i, rows)
            names = [str(all_names[f]) for f in idx]
            M, terms = _label_matrix(WordMap(text, coder.word_term), names)
            T = C @ M  # codes x labels
            for j, r in enumerate(rows):
                up = _top(T[j], terms, C[j], M, names, top, 1)
                down = _top(T[j], terms, C[j], M, names, top, -1)
                codes[keys[r]] = CodeExplanation(keys[r], float(scores.proba[i, r]), bool(scores.codes[i, r]), up, down)
        out.append(TextExplanation(text, labels, codes))
    return out


def explain_text(coder, text: str, top: int = 3) -> TextExplanation:
    return explain_texts(coder, [text], top)[0]


def distinct_answers(texts) -> list[str]:
    """The distinct answers of a column (stripped, non-answers left out), in order of first
    appearance: the order `coding.code_texts` scores them in."""
    return list(dict.fromkeys(s for s in ("" if t is None else str(t).strip() for t in texts)
                              if not is_non_answer(s)))


def explain_column(coder, texts, top: int = 3, scores: Scores | None = None) -> list[str]:
    """One cell per text for `predict --explain`: for each assigned code its top terms,
    e.g. "practice_placements: praksisplasser, språkpraksis | work_pathways: ...".

    Repeated texts are explained once; non-answers get an empty cell. `scores`: the
    model's `Scores` for `distinct_answers(texts)` (or for every row of `texts`), so a
    caller that has scored them already does not score them again."""
    texts = ["" if t is None else str(t) for t in texts]
    unique = distinct_answers(texts)
    if scores is not None and len(scores.codes) != len(unique):
        if len(scores.codes) != len(texts):
            raise ValueError(f"scores are for {len(scores.codes)} texts; expected {len(unique)} "
                             f"distinct answers or {len(texts)} rows")
        first: dict[str, int] = {}
        for r, t in enumerate(texts):
            first.setdefault(t.strip(), r)
        rows = [first[u] for u in unique]
        scores = scores.take(rows)
    cells = {}
    # 3 x top: room to drop a label that repeats a word (its stem feature and its n-grams).
    for exp in explain_texts(coder, unique, 3 * top, scores=scores, assigned_only=True):
        parts = []
        for code in exp.labels:
            words: list[str] = []
            for t in exp.codes[code].up:
                if len(words) < top and t.label.lower() not in {w.lower() for w in words}:
                    words.append(t.label)
            parts.append(f"{code}: {', '.join(words) if words else '(no word; the code is its default)'}")
        cells[exp.text] = " | ".join(parts)
    return ["" if is_non_answer(t) else cells.get(t.strip(), "") for t in texts]
