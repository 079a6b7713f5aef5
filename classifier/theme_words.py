"""The words of themes: each answer's terms with the words as written, and the words that
set a group of answers apart from others.

Terms are the project's own (NorwegianNormalizer: spaCy tokens, Snowball stems, æøå folded),
so 'svømmekurs' and 'svommekurs' count as one word; each is shown as it is most often
written in the answers. A theme's characteristic words are ranked by the log-odds ratio
with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words"): a
word's share among the theme's answers against its share elsewhere, shrunk towards its
overall share and divided by its standard error, so a word seen twice is not ranked above
one seen twenty times by chance. Counts are answers holding a word, not occurrences.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .preprocess import NorwegianNormalizer, doc_terms, fold, load_nlp, resolve_spacy_model, term

# Negations carry meaning for coding but not for topics: "ikke"/"ikkje" alone made a theme
# of nynorsk answers. Placeholders for numbers and URLs are no topic either.
NEGATIONS = frozenset(term(w) for w in ("ikke", "ikkje", "ingen", "inga", "ingenting", "uten", "utan"))
PLACEHOLDERS = frozenset({"_num_", "_url_"})
ALPHA = 0.5    # prior strength, as a share of the background's counts (measured: 0.01 ranked common
               # words such as "hjelp" first, 0.5 the topic words; see log_odds_z)
Z_MIN = 1.96   # a word must be this many standard errors above the comparison to be shown
_SPACE = re.compile(r"\s+")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class AnswerWords:
    """Per answer: its content terms, the same words folded as written, and term -> written forms."""

    terms: list[str]              # space-joined terms (negations and placeholders dropped)
    written: list[str]            # the same words as written, folded, space-joined (for character n-grams)
    forms: list[dict[str, Counter]]  # term -> Counter of the forms it was written in

    def term_sets(self) -> list[set[str]]:
        return [set(t.split()) for t in self.terms]


_LETTERS = re.compile(r"[^\W\d_].*[^\W\d_]")  # at least two letters


def _stop_terms(nlp) -> frozenset:
    """Stop words as terms, so that stop words typed without æøå ('paa', 'aa') are dropped too."""
    return frozenset(term(w) for w in nlp.Defaults.stop_words)


def _topical(t: str, stops: frozenset) -> bool:
    return t not in NEGATIONS and t not in PLACEHOLDERS and t not in stops and bool(_LETTERS.search(t))


def answer_words(texts: list[str], spacy_model: str | None = None) -> AnswerWords:
    """Terms from NorwegianNormalizer, and from one more spaCy pass the words they were made from."""
    model = resolve_spacy_model(spacy_model)
    norm = NorwegianNormalizer(model).transform(texts)["terms"].tolist()
    nlp = load_nlp(model)
    stops = _stop_terms(nlp)
    terms, written, forms = [], [], []
    cleaned = [_SPACE.sub(" ", t).strip() for t in texts]
    for line, doc in zip(norm, nlp.pipe(cleaned, batch_size=256)):
        per: dict[str, Counter] = {}
        words = []
        for tok in doc:
            found = doc_terms([tok])
            if found and _topical(found[0], stops):
                per.setdefault(found[0], Counter())[tok.text] += 1
                words.append(fold(tok.text))
        terms.append(" ".join(t for t in line.split() if _topical(t, stops)))
        written.append(" ".join(words))
        forms.append(per)
    return AnswerWords(terms, written, forms)


def count_terms(term_sets, weights=None) -> Counter:
    """How many answers (weighted by how often each occurs) hold each term."""
    counts: Counter = Counter()
    for i, terms in enumerate(term_sets):
        w = 1 if weights is None else int(weights[i])
        for t in terms:
            counts[t] += w
    return counts


def log_odds_z(a: np.ndarray, b: np.ndarray, background: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """z-scores of the log-odds ratio of each word in counts `a` against counts `b`, with an
    informative Dirichlet prior of `alpha` times the background's counts (Monroe et al. 2008)."""
    a, b, background = (np.asarray(x, dtype=float) for x in (a, b, background))
    prior = np.maximum(alpha * background, 1e-3)
    a0 = prior.sum()
    na, nb = a.sum(), b.sum()
    delta = (np.log((a + prior) / (na + a0 - a - prior)) - np.log((b + prior) / (nb + a0 - b - prior)))
    return delta / np.sqrt(1.0 / (a + prior) + 1.0 / (b + prior))


def top_terms(inside: Counter, outside: Counter, n: int = 8, min_count: int = 2) -> list[str]:
    """The terms that most set `inside` apart from `outside` (both: answers holding each term).

    A term must be in at least `min_count` of the answers inside and clear Z_MIN; when fewer
    than three do (small themes), the best of the rest fill up to three."""
    if not inside:
        return []
    vocab = sorted(set(inside) | set(outside))  # the totals need every word on both sides
    a = np.array([inside.get(t, 0) for t in vocab])
    b = np.array([outside.get(t, 0) for t in vocab])
    z = log_odds_z(a, b, a + b)
    order = sorted((i for i in range(len(vocab)) if a[i] > 0), key=lambda i: (-z[i], vocab[i]))
    strong = [vocab[i] for i in order if a[i] >= min_count and z[i] >= Z_MIN]
    if len(strong) < 3:
        strong += [vocab[i] for i in order if vocab[i] not in strong and z[i] > 0][: 3 - len(strong)]
    return strong[:n]


def display_form(forms: Counter) -> str:
    """How a term is shown: its most common spelling (forms that fold alike count together),
    with æøå when some answers wrote them ('norskopplæring' over 'norskopplaering'), in lower
    case unless written with capitals inside (BankID, NAV)."""
    spellings: dict[str, Counter] = {}
    for form, c in forms.items():
        spellings.setdefault(fold(form), Counter())[form] += c
    best = min(spellings.items(), key=lambda x: (-sum(x[1].values()), x[0]))[1]
    lower: Counter = Counter()
    for form, c in best.items():
        lower[form.lower()] += c
    shown = min(lower, key=lambda f: (-sum(ch in "æøå" for ch in f), -lower[f], f))
    written = min((-c, f) for f, c in best.items() if f.lower() == shown)[1]
    return written if any(ch.isupper() for ch in written[1:]) else shown


def theme_forms(words: AnswerWords, items) -> dict[str, Counter]:
    """term -> written forms over the answers `items`."""
    out: dict[str, Counter] = {}
    for i in items:
        for t, c in words.forms[i].items():
            out.setdefault(t, Counter()).update(c)
    return out


def slug(text: str) -> str:
    return _SLUG.sub("_", fold(text)).strip("_")


def theme_key(words: list[str], number: int, taken: set[str]) -> str:
    """A code key from a theme's first two words: 'tema_bankid_digital' (unique in `taken`)."""
    parts = [s for s in (slug(w) for w in words[:2]) if s]
    base = ("tema_" + "_".join(parts))[:40].rstrip("_") if parts else f"tema_{number}"
    key, i = base, 2
    while key in taken:
        key, i = f"{base}_{i}", i + 1
    taken.add(key)
    return key


def theme_name(words: list[str], number: int) -> str:
    """A Norwegian name from a theme's first three words: 'Svømmeopplæring, basseng og symjekurs'."""
    w = list(words[:3])
    if not w:
        return f"Tema {number}"
    if w[0] == w[0].lower():
        w[0] = w[0][:1].upper() + w[0][1:]
    return w[0] if len(w) == 1 else ", ".join(w[:-1]) + " og " + w[-1]
