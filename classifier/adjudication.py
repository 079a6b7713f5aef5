"""Adjudication: settling the answers coders disagree on, one at a time.

The queue is every answer whose coders' latest codings differ under a code frame, in the
order they were coded. Each is shown with every coder's codes side by side; the codes all
of them chose are ticked to start with. Enter records the ticked codes as a decision of
its own kind, 'adjudicate', which `train` prefers over any coder (rule 'adjudicated').
The coders' own decisions stay as they were, so `agreement` still measures them. A skip
writes nothing (the answer is asked again next time); undo takes back the adjudicator's
latest adjudication. A plain ReviewSession otherwise: no model, every decision committed
before the next answer is shown.
"""

from __future__ import annotations

from .codeframe import CodeFrame
from .queue import Item
from .review import ReviewSession
from .store import AnnotationStore, Decision

SOURCE = "adjudication"  # the `source` of an adjudication row


class AdjudicationSession(ReviewSession):
    """Walk the disagreements under `frame` and record the final codes (see the module docstring)."""

    record_action = "adjudicate"
    undo_actions = ("adjudicate",)
    skip_records = False

    def __init__(self, store: AnnotationStore, frame: CodeFrame, *, annotator: str, limit: int | None = None,
                 include_settled: bool = False):
        self.disagreements = {d.answer_hash: d for d in store.disagreements(frame.hash)}
        self.include_settled = include_settled
        items = [Item(k, d.text) for k, d in self.disagreements.items()]
        super().__init__(store, items, frame, None, source=SOURCE, annotator=annotator, all_items=items,
                         limit=limit, double=set())

    def _closed_keys(self, keys: list[str]) -> set[str]:
        if self.include_settled:
            return set()
        done = self.store.adjudications(self.frame.hash)
        return {k for k in keys if k in done}

    def _is_closed(self, key: str) -> bool:
        return not self.include_settled and self._previous(key) is not None

    def _decided_elsewhere(self) -> int:
        return 0

    def _previous(self, key: str) -> Decision | None:
        """The adjudication in force on the answer, whoever made it."""
        return self.store.latest_for(key, self.frame.hash, None, actions=("adjudicate",))

    def _start(self, key: str) -> list[str]:
        prev = self._previous(key)
        if prev is not None:
            return prev.labels
        codings = list(self.codings(key).values())
        return [k for k in self.frame.keys if codings and all(k in c for c in codings)]

    def codings(self, key: str) -> dict[str, list[str]]:
        d = self.disagreements.get(key)
        return dict(d.codings) if d is not None else {}
