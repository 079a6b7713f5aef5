"""Why did the model give an answer its codes? The words that pushed each code up or down.

The model is linear before calibration, so each feature present in an answer adds
weight x TF-IDF value to a code's score. Feature names are made readable: a word
feature ("terms__praksisplass") is shown as its stem, a character n-gram
("chars__praks") as the words of the answer that contain it. Contributions that land
on the same readable word are added up, so a word is not listed once per n-gram.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .preprocess import fold, is_non_answer

TERM_PREFIX = "terms__"
CHAR_PREFIX = "chars__"


@dataclass
class Term:
    label: str        # the stem, or the word(s) of the answer holding the n-gram
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


def _strip_punct(word: str) -> str:
    return "".join(ch for ch in word if ch.isalnum() or ch in "-'").strip("-'") or word


def ngram_words(ngram: str, text: str) -> list[str]:
    """The words of `text` (as written) that hold a character n-gram of its folded form.

    N-grams come from scikit-learn's char_wb analyzer over the folded text: a leading
    space marks a word start, a trailing one a word end.
    """
    core = ngram.strip()
    if not core:
        return []
    start, end = ngram.startswith(" "), ngram.endswith(" ")
    found = []
    for word in text.split():
        forms = {fold(word), fold(_strip_punct(word))}  # char_wb keeps punctuation inside a "word"
        if any((start and end and w == core) or (start and not end and w.startswith(core))
               or (end and not start and w.endswith(core)) or (not start and not end and core in w)
               for w in forms):
            clean = _strip_punct(word)
            if clean not in found:
                found.append(clean)
    return found


def readable(feature: str, text: str) -> list[tuple[str, str]]:
    """A feature name as (kind, label) pairs: the stem for a word feature, the text's
    words for a character n-gram (several when more than one word holds it)."""
    if feature.startswith(TERM_PREFIX):
        return [("word", feature[len(TERM_PREFIX):])]
    if feature.startswith(CHAR_PREFIX):
        ngram = feature[len(CHAR_PREFIX):]
        words = ngram_words(ngram, text)
        return [("chars", w) for w in words] or [("chars", ngram.strip())]
    return [("feature", feature)]


def _terms(pairs: list[tuple[str, float]], text: str) -> list[Term]:
    """Contributions grouped by readable label; an n-gram shared by words is split evenly."""
    acc: dict[tuple[str, str], Term] = {}
    for name, value in pairs:
        labels = readable(name, text)
        for kind, label in labels:
            key = (kind, label.lower())
            term = acc.setdefault(key, Term(label, kind, 0.0))
            term.weight += value / len(labels)
            term.features.append(name)
    return list(acc.values())


def explain_texts(coder, texts, top: int = 3) -> list[TextExplanation]:
    """For each text: its codes, and per code the `top` terms pushing it up and down."""
    texts = ["" if is_non_answer(t) else str(t) for t in texts]
    keys = coder.frame.keys
    if not texts:
        return []
    X = coder.features(texts)
    names, W = coder.feature_names_, coder.coef_
    P = coder.predict_proba(texts)
    D = coder.decide(P)
    out = []
    for i, text in enumerate(texts):
        lo, hi = X.indptr[i], X.indptr[i + 1]
        idx, vals = X.indices[lo:hi], X.data[lo:hi]
        contrib = W[:, idx] * vals  # codes x features present
        codes = {}
        for j, key in enumerate(keys):
            terms = _terms([(str(names[f]), float(c)) for f, c in zip(idx, contrib[j]) if c != 0], text)
            up = sorted((t for t in terms if t.weight > 0), key=lambda t: (-t.weight, t.label))[:top]
            down = sorted((t for t in terms if t.weight < 0), key=lambda t: (t.weight, t.label))[:top]
            codes[key] = CodeExplanation(key, float(P[i, j]), bool(D[i, j]), up, down)
        labels = [] if not text else [k for k, d in zip(keys, D[i]) if d]
        out.append(TextExplanation(text, labels, codes))
    return out


def explain_text(coder, text: str, top: int = 3) -> TextExplanation:
    return explain_texts(coder, [text], top)[0]


def explain_column(coder, texts, top: int = 3) -> list[str]:
    """One cell per text for `predict --explain`: for each assigned code its top terms,
    e.g. "practice_placements: praksisplass, språkpraksis | work_pathways: ...".
    Repeated texts are explained once; non-answers get an empty cell."""
    texts = ["" if t is None else str(t) for t in texts]
    unique = list(dict.fromkeys(t.strip() for t in texts if not is_non_answer(t)))
    cells = {}
    for exp in explain_texts(coder, unique, 3 * top):  # room to drop a stem that repeats a word
        parts = []
        for code in exp.labels:
            words: list[str] = []
            for t in exp.codes[code].up:
                if len(words) < top and t.label.lower() not in {w.lower() for w in words}:
                    words.append(t.label)
            parts.append(f"{code}: {', '.join(words) if words else '(no word; the code is its default)'}")
        cells[exp.text] = " | ".join(parts)
    return ["" if is_non_answer(t) else cells.get(t.strip(), "") for t in texts]
