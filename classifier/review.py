"""The review and labeling session: what is on screen, and what each key does to it.

A plain class with no printing, so the terminal screen (classifier/cli/review.py), the
tests and the latency benchmark all drive the same logic. Every decision is committed
to the annotation store before the next answer is returned, and undo is a decision in
the store, so it works after a restart. The model, when there is one, suggests codes
with their probabilities, and the words that pushed each suggested code up are found
from its word weights (when the coder has them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .codeframe import CodeFrame, split_labels
from .errors import Errors
from .explain import can_explain, word_weights
from .queue import Diversify, Item, Strategy, rank
from .store import AnnotationStore, Decision, new_session_id


# -- suggestions ----------------------------------------------------------------------------
@dataclass
class Suggestions:
    """The model's view of every item, computed once in one batch."""

    keys: list[str]  # item keys, row order of the arrays
    proba: np.ndarray  # items x codes
    decided: np.ndarray  # items x codes, 0/1
    confidence: np.ndarray
    cutoff: float

    def __post_init__(self):
        self._pos = {k: i for i, k in enumerate(self.keys)}

    def get(self, key: str) -> int | None:
        return self._pos.get(key)

    @property
    def needs_review(self) -> np.ndarray:
        return self.confidence < self.cutoff


def suggest(coder, items: list[Item], target_precision: float = 0.95) -> Suggestions:
    """Probabilities, codes and confidence for each item from a fitted coder."""
    keys = [it.key for it in items]
    n_codes = len(coder.frame.keys)
    if not items:
        empty = np.zeros((0, n_codes))
        return Suggestions(keys, empty, empty.astype(int), np.zeros(0), coder.review_cutoff(target_precision))
    s = coder.assess([it.text for it in items])
    return Suggestions(keys, s.proba, s.codes, s.confidence, coder.review_cutoff(target_precision))


# -- the session ------------------------------------------------------------------------------
@dataclass
class Progress:
    done: int  # items in this session's queue with a decision in force
    remaining: int
    total: int
    decisions: int  # decision rows written in this session (accept, correct, skip)
    undos: int


@dataclass
class Screen:
    """What the screen shows for the current answer."""

    item: Item
    selected: list[str]  # codes toggled on, frame order
    suggested: list[str] = field(default_factory=list)  # the model's codes ([] with no model)
    proba: dict[str, float] = field(default_factory=dict)
    confidence: float | None = None
    previous: Decision | None = None  # the decision in force on it, when revisited


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    decision_id: int | None = None


class ReviewSession:
    """One person working through a queue of answers; see the module docstring.

    `queue` is every item in scope, in the order to show them; those the annotator (or,
    with `others_count`, anyone) already decided for this source and code frame are not
    shown again. `all_items` lets undo bring back an answer decided in an earlier session.
    """

    def __init__(self, store: AnnotationStore, queue: list[Item], frame: CodeFrame, model=None, *,
                 source: str, annotator: str, suggestions: Suggestions | None = None,
                 model_version: str = "", all_items: list[Item] | None = None, limit: int | None = None,
                 others_count: bool = False, explain: bool = True):
        self.store = store
        self.frame = frame
        self.model = model
        self.source = source
        self.annotator = annotator
        self.model_version = model_version
        self.others_count = others_count
        self.session_id = new_session_id()
        if model is not None and suggestions is None:
            suggestions = suggest(model, queue)
        self.suggestions = suggestions
        # Highlighting needs a coder with word weights; without one the screen shows none.
        self.explain_words = explain and model is not None and can_explain(model)
        self._explained: dict[str, dict] = {}
        store.register_frame(frame)
        self.by_key = {it.key: it for it in (all_items or queue)}
        self.by_key.update({it.key: it for it in queue})
        who = None if others_count else annotator
        decided = store.decided_keys(source, frame.hash, who)
        undecided = [it for it in queue if it.key not in decided]
        if limit is not None:
            undecided = undecided[: max(0, int(limit))]
        self.scope = {it.key for it in queue if it.key in decided} | {it.key for it in undecided}
        self.decided = {k for k in decided if k in self.scope}
        self._pending = iter(undecided)
        self.seen: list[str] = []
        self.idx = 0
        self.selection: list[str] = []
        self.n_decisions = 0
        self.n_undos = 0
        self.finished = False
        self._arrive()

    # -- what is shown ----------------------------------------------------------------------
    def current(self) -> Screen | None:
        if self.finished or self.idx >= len(self.seen):
            return None
        item = self.by_key[self.seen[self.idx]]
        suggested, proba, conf = self._suggestion(item.key)
        previous = self.store.latest_for(item.key, self.frame.hash, self.annotator) if item.key in self.decided else None
        return Screen(item, list(self.selection), suggested, proba, conf, previous)

    def progress(self) -> Progress:
        done = len(self.decided)
        return Progress(done, len(self.scope) - done, len(self.scope), self.n_decisions, self.n_undos)

    def explain(self, item: Item) -> dict[str, list[tuple[int, int, float]]]:
        """Word spans that pushed each suggested code up (empty with no model)."""
        if not self.explain_words:
            return {}
        if item.key not in self._explained:
            suggested, _, _ = self._suggestion(item.key)
            self._explained[item.key] = word_weights(self.model, item.text, suggested)
        return self._explained[item.key]

    def _suggestion(self, key: str) -> tuple[list[str], dict[str, float], float | None]:
        s = self.suggestions
        i = s.get(key) if s is not None else None
        if i is None:
            return [], {}, None
        keys = self.frame.keys
        return ([k for k, d in zip(keys, s.decided[i]) if d], {k: float(p) for k, p in zip(keys, s.proba[i])},
                float(s.confidence[i]))

    # -- keys -------------------------------------------------------------------------------
    def toggle(self, code: str) -> Outcome:
        """Switch a code on or off. The fallback stands alone; single-choice keeps one code."""
        if self.current() is None:
            return Outcome(False, Errors.REVIEW_FINISHED)
        if code not in self.frame.keys:
            return Outcome(False, Errors.REVIEW_UNKNOWN_KEY.format(key=code))
        sel = set(self.selection)
        if code in sel:
            sel.discard(code)
        elif not self.frame.multi_label:
            sel = {code}
        elif code == self.frame.fallback:
            sel = {code}
        else:
            sel.discard(self.frame.fallback)
            sel.add(code)
        self.selection = [k for k in self.frame.keys if k in sel]
        return Outcome(True)

    def accept(self) -> Outcome:
        """Record the codes as shown: 'accept' when they are the model's, else 'correct'."""
        screen = self.current()
        if screen is None:
            return Outcome(False, Errors.REVIEW_FINISHED)
        if not self.selection:
            return Outcome(False, Errors.REVIEW_NO_CODES)
        labels = list(self.selection)
        previous = screen.previous
        if previous is not None and previous.action != "skip" and previous.labels == labels:
            self._advance()  # revisited and left as it was: nothing new to record
            return Outcome(True, decision_id=previous.id)
        action = "accept" if screen.suggested and labels == screen.suggested else "correct"
        return self._record(screen, labels, action)

    def skip(self) -> Outcome:
        """Leave the answer uncoded (recorded as 'skip'; not asked again on resume)."""
        screen = self.current()
        if screen is None:
            return Outcome(False, Errors.REVIEW_FINISHED)
        if screen.previous is not None:
            self._advance()  # revisited: keep the decision it has
            return Outcome(True, decision_id=screen.previous.id)
        return self._record(screen, [], "skip")

    def undo(self) -> Outcome:
        """Take back the annotator's latest decision on this file (also one from an earlier session)."""
        target = self.store.undo_last(self.annotator, self.frame.hash, self.source, self.session_id)
        if target is None:
            return Outcome(False, Errors.REVIEW_NOTHING_TO_UNDO)
        self.n_undos += 1
        key = target.answer_hash
        if self.store.latest_for(key, self.frame.hash, self.annotator) is None:
            self.decided.discard(key)
        if key not in self.by_key:
            self.by_key[key] = Item(key, target.text, [], split_labels(target.row_ids))
        self.scope.add(key)
        if key in self.seen[: self.idx]:
            self.seen.remove(key)
            self.idx -= 1
        elif key in self.seen[self.idx:]:
            self.seen.remove(key)
        self.seen.insert(self.idx, key)
        self.finished = False
        self._arrive(start=target.labels if target.action in ("accept", "correct") else None)
        return Outcome(True, Errors.REVIEW_UNDONE.format(action=target.action, text=_short(target.text)),
                       decision_id=target.id)

    def back(self) -> Outcome:
        """Show the previous answer of this session again (a new decision on it wins)."""
        if self.idx == 0 or not self.seen:
            return Outcome(False, Errors.REVIEW_NO_PREVIOUS)
        self.idx -= 1
        self._arrive()
        return Outcome(True)

    def quit(self) -> Progress:
        """Stop; every decision is already in the store."""
        self.finished = True
        return self.progress()

    # -- internals --------------------------------------------------------------------------
    def _record(self, screen: Screen, labels: list[str], action: str) -> Outcome:
        item = screen.item
        decision_id = self.store.add(
            text=item.text, labels=labels, action=action, frame=self.frame, source=self.source,
            row_ids=item.ids, n_rows=max(1, item.n_rows), annotator=self.annotator, model=self.model_version,
            suggested=screen.suggested, session=self.session_id, key=item.key,
        )
        self.n_decisions += 1
        self.decided.add(item.key)
        self._advance()
        return Outcome(True, decision_id=decision_id)

    def _advance(self) -> None:
        self.idx += 1
        while self.idx < len(self.seen) and self.seen[self.idx] in self.decided:
            self.idx += 1
        self._arrive()

    def _arrive(self, start: list[str] | None = None) -> None:
        """Make sure an item is current (pulling the next one if needed) and set its codes."""
        if self.idx >= len(self.seen):
            nxt = self._next_pending()
            if nxt is None:
                self.selection = []
                return
            self.seen.append(nxt.key)
            self.idx = len(self.seen) - 1
        key = self.seen[self.idx]
        if start is None and key in self.decided:
            prev = self.store.latest_for(key, self.frame.hash, self.annotator)
            if prev is not None and prev.action in ("accept", "correct"):
                start = prev.labels
        if start is None:
            start = self._suggestion(key)[0]
        self.selection = [k for k in self.frame.keys if k in start]

    def _next_pending(self) -> Item | None:
        who = None if self.others_count else self.annotator
        for item in self._pending:
            if item.key in self.decided or item.key in self.seen:
                continue
            # Someone (or this person in another window) may have decided it meanwhile.
            if self.store.is_decided(item.key, self.source, self.frame.hash, who):
                self.decided.add(item.key)
                continue
            return item
        return None


def _short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- building a session ---------------------------------------------------------------------
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
