"""What the model suggests for each answer in a review queue, and the order of the queue.

The suggestions (codes, probabilities, confidence, and why an answer needs review) are
computed once, in one batch, for every item of the queue; the order puts the answers that
need review first, most informative first (`queue` strategies), near-identical ones apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .coding import review_reasons
from .queue import Diversify, Item, Strategy, rank


# -- suggestions ----------------------------------------------------------------------------
@dataclass
class Suggestions:
    """The model's view of every item, computed once in one batch."""

    keys: list[str]  # item keys, row order of the arrays
    proba: np.ndarray  # items x codes
    decided: np.ndarray  # items x codes, 0/1
    confidence: np.ndarray
    cutoff: float
    reasons: list[str] | None = None  # why each item needs review ('' when it does not; coding.review_reasons)

    def __post_init__(self):
        self._pos = {k: i for i, k in enumerate(self.keys)}

    def get(self, key: str) -> int | None:
        return self._pos.get(key)

    def reason(self, key: str) -> str:
        i = self.get(key)
        return "" if i is None or self.reasons is None else self.reasons[i]

    @property
    def needs_review(self) -> np.ndarray:
        if self.reasons is not None:
            return np.array([r != "" for r in self.reasons], dtype=bool)
        return self.confidence < self.cutoff


def suggest(coder, items: list[Item], target_precision: float = 0.95) -> Suggestions:
    """Probabilities, codes and confidence for each item from a fitted coder."""
    keys = [it.key for it in items]
    n_codes = len(coder.frame.keys)
    if not items:
        empty = np.zeros((0, n_codes))
        return Suggestions(keys, empty, empty.astype(int), np.zeros(0), coder.review_cutoff(target_precision))
    texts = [it.text for it in items]
    s, cutoff = coder.assess(texts), coder.review_cutoff(target_precision)
    return Suggestions(keys, s.proba, s.codes, s.confidence, cutoff, review_reasons(s, texts, coder.frame.question, cutoff))



def review_order(items: list[Item], suggestions: Suggestions, strategy: Strategy, multi_label: bool,
                 include_all: bool = False, diversify: Diversify | None = None) -> list[Item]:
    """Items that need review, most informative first; then (with include_all) the rest."""
    needs = suggestions.needs_review
    out: list[Item] = []
    groups = [np.flatnonzero(needs)] + ([np.flatnonzero(~needs)] if include_all else [])
    for idx in groups:
        if not len(idx):
            continue
        sub = [items[i] for i in idx]
        P = suggestions.proba[idx]
        conf = suggestions.confidence[idx]
        out.extend(sub[j] for j in rank(sub, strategy, P, conf, multi_label, diversify))
    return out
