"""Double coding: a planned sample of answers that two coordinators code independently.

`review --double N` draws N answers of a file (at random with a seed, or the N the model
is least sure of) and keeps them in the store's `samples` table, per code frame. From
then on every review of those answers is blind: the model's suggestion and anyone else's
codes are hidden, so the two codings are independent and `agreement` measures the people,
not how far they follow the model. With --split-work such an answer goes to two different
coordinators instead of one. Once both have coded it, `agreement` compares them and
`adjudicate` settles where they differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .queue import Item
from .store import AnnotationStore, now_iso

METHODS = ("random", "riskiest")


@dataclass
class Sample:
    """The double-coding sample among one file's answers."""

    keys: list[str]  # answer hashes, in the order to code them
    planned_now: bool  # drawn by this call (False: planned before, kept as it was)
    method: str = ""
    planned_by: str = ""
    requested: int = 0  # N asked for (when planned now)


def sample_keys(store: AnnotationStore, frame_hash: str) -> set[str]:
    """Every answer planned for double coding under this code frame."""
    return {r[0] for r in store.conn.execute("SELECT answer_hash FROM samples WHERE frame_hash = ?", (frame_hash,))}


def plan(store: AnnotationStore, frame_hash: str, items: list[Item], n: int, *, method: str = "random",
         seed: int = 0, confidence: dict[str, float] | None = None, source: str = "",
         annotator: str = "") -> Sample:
    """The double-coding sample of these answers: the one planned before if any of them is in
    one, else `n` drawn now from the answers nobody has decided yet.

    random: a seeded random draw (the same seed and answers give the same sample);
    riskiest: the answers with the lowest model `confidence` (answer hash -> confidence).
    """
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}")
    keys = {it.key for it in items}
    with store.transaction():  # check and plan at once: two coordinators starting together plan one sample
        rows = store.conn.execute("SELECT answer_hash, method, planned_by FROM samples WHERE frame_hash = ? "
                                  "ORDER BY rowid", (frame_hash,)).fetchall()
        before = [r for r in rows if r[0] in keys]
        if before:
            return Sample([r[0] for r in before], False, before[0][1], before[0][2])
        decided = store.decided_keys(frame_hash)
        pool = [it for it in items if it.key not in decided]
        if method == "riskiest":
            conf = confidence or {}
            order = np.argsort([conf.get(it.key, 1.0) for it in pool], kind="stable")
            chosen = [pool[i] for i in order[: max(0, n)]]
            how = "riskiest"
        else:
            rng = np.random.default_rng(seed)
            picks = rng.permutation(len(pool))[: max(0, n)]
            chosen = [pool[i] for i in sorted(picks)]  # in queue order
            how = f"random, seed {seed}"
        when = now_iso()
        store.conn.executemany(
            "INSERT OR IGNORE INTO samples (frame_hash, answer_hash, text, source, planned, planned_by, method) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(frame_hash, it.key, it.text, source, when, annotator, how) for it in chosen])
    return Sample([it.key for it in chosen], True, how, annotator, n)
