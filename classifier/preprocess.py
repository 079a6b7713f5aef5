"""Norwegian preprocessing with spaCy: tokens, lemmas or stems, and normalisation.

`nb_core_news_sm` is used when it is installed (or when a name or folder is given);
otherwise spaCy's blank Norwegian pipeline (tokenizer and stop words) plus the
project's own normalisation: lower-casing, a Snowball stem, numbers and URLs as
placeholders, and æ/ø/å folded so that "utdanningsloep" meets "utdanningsløp".
Nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd
import snowballstemmer
import spacy
from sklearn.base import BaseEstimator, TransformerMixin
from spacy.lang.nb.stop_words import STOP_WORDS as _NB_STOP

from .errors import Errors, UserError

PREFERRED_MODEL = "nb_core_news_sm"
BLANK = "blank:nb"
# Components that lemmas never need; excluded when a trained pipeline is loaded.
_UNNEEDED = ("parser", "ner", "senter", "textcat", "textcat_multilabel", "entity_linker", "entity_ruler", "span_finder")
# Nynorsk function words that spaCy's (bokmål) stop list lacks.
NYNORSK_STOP = {
    "eg", "dei", "dykk", "frå", "ein", "eit", "ei", "vere", "vore", "òg", "og", "også", "kva", "kvar",
    "korleis", "noko", "nokon", "nokre", "berre", "meir", "mykje", "sjølv", "desse", "slik", "medan",
    "difor", "no", "ho", "me", "hjå", "vert", "vart", "bør",
}
# Negations carry meaning ("har ikke behov for praksis"): never treated as stop words.
_KEEP = {"ikke", "ikkje", "ingen", "inga", "ingenting", "uten", "utan"}
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "ae", "ö": "o", "é": "e", "è": "e", "ü": "u"})
_DIGRAPH = re.compile(r"aa|oe")
_SPACE = re.compile(r"\s+")
_ALNUM = re.compile(r"[^\W_]")  # a letter or digit in any script
_PUNCT = re.compile(r"[^\w\s]+")

_stemmer = snowballstemmer.stemmer("norwegian")
_NLP_CACHE: dict[str, spacy.language.Language] = {}
# Terms of texts already seen, per pipeline: cross-validation, the learning curve, the drift
# check and explain see the same answers again. Bounded; cleared when full.
_TERMS_CACHE: dict[tuple[str, bool], dict[str, str]] = {}
_TERMS_CACHE_SIZE = 200_000


def fold(text: str) -> str:
    """Lower-case and fold Norwegian letters: 'Språkpraksis' and 'spraakpraksis' -> 'sprakpraksis'."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_FOLD)
    return _DIGRAPH.sub(lambda m: m.group(0)[0], text)


_FOLDED_STOP = {fold(w) for w in (_NB_STOP | NYNORSK_STOP) if w not in _KEEP}


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\s-\s|\s\d[.)]\s")
_WORDISH = re.compile(r"[^\W\d_]")  # a letter


def sentences(text: str) -> list[str]:
    """An answer's sentences and list items ('Praksis. Mentorer i bedrift - og norsk'), or the
    answer itself when it is one. Survey answers are lists as often as prose, so list dashes,
    numbered items, semicolons and line breaks end a piece as full stops do."""
    parts = [p.strip() for p in _SENTENCE.split(str(text)) if _WORDISH.search(p)]
    return parts if len(parts) > 1 else [str(text)]


def transliterate(text: str, o: str = "oe", a: str = "aa") -> str:
    """`text` as typed on a keyboard without æøå: æ -> ae, ø -> `o` ('oe' or 'o'), å -> `a`
    ('aa' or 'a'). For checking that such answers are coded as the same answers with æøå."""
    table = {"æ": "ae", "Æ": "Ae", "ø": o, "Ø": o.capitalize(), "å": a, "Å": a.capitalize()}
    return "".join(table.get(c, c) for c in text)


def answer_key(text: str) -> str:
    """What makes two answers "the same": case and Norwegian letters folded, punctuation
    dropped, spaces squeezed ("Praksisplasser!" = "praksisplasser"). Used to group repeats
    for review, to keep copies in one cross-validation fold, and by the annotation store."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", fold(str(text)))).strip()


def answer_hash(text: str) -> str:
    """SHA-256 of the answer's `answer_key`: how the annotation store and the review queue
    know an answer again."""
    return hashlib.sha256(answer_key(text).encode("utf-8")).hexdigest()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def term(word: str, fold_first: bool = True) -> str:
    """The feature term of a lower-cased word or lemma: the stem of its folded form, so that
    'utdanningsløp', 'utdanningsloep' and 'utdanningslop' are one term. (`fold_first=False`:
    the folded stem, as models of version 0.1 made their terms.)"""
    return stem(fold(word)) if fold_first else fold(stem(word))


def is_non_answer(text: object) -> bool:
    """Empty cells, '-', '.', '...' and the like: nothing to code."""
    if text is None or (isinstance(text, float) and text != text):
        return True
    return _ALNUM.search(str(text)) is None


def resolve_spacy_model(name: str | None = None) -> str:
    """The pipeline to use: `name` when given, else nb_core_news_sm if installed, else blank."""
    if name and name not in ("auto",):
        return name
    if spacy.util.is_package(PREFERRED_MODEL):
        return PREFERRED_MODEL
    return BLANK


def load_nlp(name: str | None = None) -> spacy.language.Language:
    """Load a spaCy pipeline by package name, folder or 'blank:nb', once per process."""
    resolved = resolve_spacy_model(name)
    if resolved in _NLP_CACHE:
        return _NLP_CACHE[resolved]
    if resolved.startswith("blank:"):
        nlp = spacy.blank(resolved.split(":", 1)[1])
    else:
        if not (spacy.util.is_package(resolved) or Path(resolved).is_dir()):
            raise UserError(Errors.SPACY_MODEL_MISSING.format(name=resolved))
        try:
            nlp = spacy.load(resolved, exclude=list(_UNNEEDED))
        except (OSError, ValueError, KeyError) as e:
            raise UserError(Errors.SPACY_MODEL_BROKEN.format(name=resolved, reason=str(e).splitlines()[0])) from None
    _NLP_CACHE[resolved] = nlp
    return nlp


def describe_nlp(name: str | None = None) -> dict:
    """What a pipeline is, for metadata and `info`: name, version, components."""
    nlp = load_nlp(name)
    return {
        "spacy_model": resolve_spacy_model(name),
        "pipeline_name": f"{nlp.meta.get('lang', 'nb')}_{nlp.meta.get('name', 'pipeline')}",
        "pipeline_version": nlp.meta.get("version", ""),
        "components": list(nlp.pipe_names),
        "spacy_version": spacy.__version__,
    }


def doc_terms(doc, fold_first: bool = True) -> list[str]:
    """Content terms of a spaCy Doc: lemma (or stem) of the folded word; numbers and URLs as
    placeholders; stop words left out, also when typed without æøå ('paa', 'naar')."""
    terms = []
    for tok in doc:
        if tok.is_punct or tok.is_space:
            continue
        low = tok.lower_
        if tok.like_url or tok.like_email:
            terms.append("_url_")
            continue
        if tok.like_num or low.isdigit():
            terms.append("_num_")
            continue
        if low not in _KEEP and (tok.is_stop or low in NYNORSK_STOP or (fold_first and fold(low) in _FOLDED_STOP)):
            continue
        base = tok.lemma_.lower() if tok.lemma_ else low
        terms.append(term(base, fold_first))
    return terms


class NorwegianNormalizer(TransformerMixin, BaseEstimator):
    """Texts -> DataFrame with 'terms' (lemmas/stems) and 'chars' (folded surface text).

    Stateless: `fit` learns nothing. Each distinct text goes through `nlp.pipe` (in
    batches) once per process; its terms are kept for the next call. The spaCy pipeline is
    loaded on first use and is never saved with a model. `fold_first` (see `term`) is False
    only for models of version 0.1, whose terms were folded after stemming.
    """

    def __init__(self, spacy_model: str = BLANK, batch_size: int = 256, fold_first: bool = True):
        self.spacy_model = spacy_model
        self.batch_size = batch_size
        self.fold_first = fold_first

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> pd.DataFrame:
        texts = ["" if is_non_answer(t) else str(t) for t in X]
        cache = _TERMS_CACHE.setdefault((resolve_spacy_model(self.spacy_model), self.fold_first), {})
        todo = [t for t in dict.fromkeys(texts) if t not in cache]
        if todo:
            if len(cache) + len(todo) > _TERMS_CACHE_SIZE:
                cache.clear()
            nlp = load_nlp(self.spacy_model)
            cleaned = [_SPACE.sub(" ", t).strip() for t in todo]
            for text, doc in zip(todo, nlp.pipe(cleaned, batch_size=self.batch_size)):
                cache[text] = " ".join(doc_terms(doc, self.fold_first))
        terms = {t: cache[t] for t in dict.fromkeys(texts)}
        return pd.DataFrame(
            {
                "terms": [terms[t] for t in texts],
                "chars": [_SPACE.sub(" ", fold(t)).strip() for t in texts],
            }
        )

    def get_feature_names_out(self, input_features=None):
        return ["terms", "chars"]
