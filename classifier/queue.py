"""Which answers a person sees, and in what order.

Answers that are the same after normalisation (case, æøå, punctuation, spaces) are one
item, shown once with the number of rows it stands for; one decision codes them all.
A query strategy orders the items (least confident or highest entropy first: uncertainty
sampling; or file order / a seeded shuffle for coding from scratch), and a diversity
step keeps near-identical answers from coming one after another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .preprocess import answer_hash, answer_key, is_non_answer


@dataclass
class Item:
    """One distinct answer: its text as first written, and the rows it stands for."""

    key: str  # hash of the normalised text (preprocess.answer_hash)
    text: str
    rows: list[int] = field(default_factory=list)  # 0-based positions in the file
    ids: list[str] = field(default_factory=list)  # respondent ids, or row numbers

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def group_answers(texts, ids=None) -> list[Item]:
    """Distinct answers in file order; non-answers ("", "-", "...") are left out."""
    items: dict[str, Item] = {}
    keys: dict[str, str] = {}  # text -> hash, so a repeated answer is hashed once
    for i, t in enumerate(texts):
        if is_non_answer(t):
            continue
        text = str(t).strip()
        key = keys.get(text) or keys.setdefault(text, answer_hash(text))
        item = items.get(key)
        if item is None:
            item = items[key] = Item(key, text)
        item.rows.append(i)
        item.ids.append(str(ids[i]) if ids is not None else str(i + 2))  # row 1 is the header
    return list(items.values())


# -- uncertainty ------------------------------------------------------------------------
def _clip(P: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(P, dtype=float), 1e-12, 1 - 1e-12)


def least_confidence(P: np.ndarray, multi_label: bool = True) -> np.ndarray:
    """1 - probability of the most likely coding (codes independent when multi-label)."""
    P = _clip(P)
    if multi_label:
        return 1.0 - np.maximum(P, 1.0 - P).prod(axis=1)
    return 1.0 - P.max(axis=1)


def entropy(P: np.ndarray, multi_label: bool = True) -> np.ndarray:
    """Sum of per-code binary entropies (multi-label) or the entropy of the choice (nats)."""
    P = _clip(P)
    if multi_label:
        return -(P * np.log(P) + (1 - P) * np.log(1 - P)).sum(axis=1)
    return -(P * np.log(P)).sum(axis=1)


class Strategy:
    """Orders items; `order` returns positions into `items`, first to show first."""

    name = "strategy"

    def scores(self, P, confidence=None, multi_label=True) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def order(self, items: list[Item], P=None, confidence=None, multi_label: bool = True) -> list[int]:
        s = np.asarray(self.scores(P, confidence, multi_label), dtype=float)
        # Highest score first; ties keep file order (stable sort).
        return [int(i) for i in np.argsort(-s, kind="stable")]


class LeastConfidence(Strategy):
    """Least sure first: 1 - the model's confidence that the codes are exactly right.

    With the model's calibrated confidence (many ties, it is a step function), ties are
    broken by the raw least-confidence score of the probabilities.
    """

    name = "least-confidence"

    def order(self, items, P=None, confidence=None, multi_label=True) -> list[int]:
        raw = least_confidence(P, multi_label)
        if confidence is None:
            return [int(i) for i in np.argsort(-raw, kind="stable")]
        return [int(i) for i in np.lexsort((-raw, np.asarray(confidence, dtype=float)))]

    def scores(self, P, confidence=None, multi_label=True) -> np.ndarray:
        return least_confidence(P, multi_label) if confidence is None else 1.0 - np.asarray(confidence)


class Entropy(Strategy):
    """Highest entropy of the code probabilities first."""

    name = "entropy"

    def scores(self, P, confidence=None, multi_label=True) -> np.ndarray:
        return entropy(P, multi_label)


class FileOrder(Strategy):
    """As the answers come in the file (coding from scratch)."""

    name = "file"

    def order(self, items, P=None, confidence=None, multi_label=True) -> list[int]:
        return list(range(len(items)))


class Shuffled(Strategy):
    """A shuffle that is the same for the same seed, so a restart sees the same order."""

    name = "shuffle"

    def __init__(self, seed: int = 0):
        self.seed = seed

    def order(self, items, P=None, confidence=None, multi_label=True) -> list[int]:
        return [int(i) for i in np.random.default_rng(self.seed).permutation(len(items))]


STRATEGIES = {s.name: s for s in (LeastConfidence, Entropy, FileOrder)}


class Diversify:
    """Reorder so that an answer nearly identical to one of the last few shown waits.

    Greedy: take the first of the next `window` items (in strategy order) whose cosine
    similarity (character 3-4-grams of the normalised text) to each of the last `memory`
    items shown is below `threshold`; if none is, take the next item as it is. Uncertainty
    still decides the order, diversity only breaks up runs.
    """

    def __init__(self, threshold: float = 0.6, window: int = 20, memory: int = 3):
        self.threshold = threshold
        self.window = window
        self.memory = memory

    def vectors(self, texts: list[str]):
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)
        return vec.fit_transform([answer_key(t) or "_" for t in texts]).tocsr()

    def reorder(self, items: list[Item], order: list[int]) -> list[int]:
        if len(order) < 3:
            return list(order)
        X = self.vectors([items[i].text for i in order])
        remaining = list(range(len(order)))  # positions into `order`
        out: list[int] = []
        while remaining:
            if not out:
                out.append(remaining.pop(0))
                continue
            cands = remaining[: self.window]
            recent = out[-self.memory:]
            sims = (X[cands] @ X[recent].T).toarray().max(axis=1)
            ok = np.flatnonzero(sims < self.threshold)
            j = int(ok[0]) if len(ok) else 0
            out.append(remaining.pop(j))
        return [order[p] for p in out]


def rank(items: list[Item], strategy: Strategy, P=None, confidence=None, multi_label: bool = True,
         diversify: Diversify | None = None) -> list[int]:
    """Positions into `items` in the order to show them."""
    order = strategy.order(items, P, confidence, multi_label)
    return diversify.reorder(items, order) if diversify is not None else order
