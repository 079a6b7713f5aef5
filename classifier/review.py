"""The review and labeling session: what is on screen, and what each key does to it.

A plain class with no printing, so the terminal screen (classifier/cli/_screen.py), the
tests and the latency benchmark all drive the same logic. Every decision is committed
to the annotation store before the next answer is returned, and undo is a decision in
the store, so it works after a restart; the screen then shows what is in force. An
answer counts as decided by its text (its hash) under the code frame, whichever file
it came from. With a shared queue (--split-work) each answer shown is reserved in the
store (classifier/leases.py) in the same transaction that records the decision before
it. The model, when there is one, suggests codes with their probabilities, and the
words that pushed each suggested code up are found from its word weights (when the
coder has them); answers of a double-coding sample are shown blind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .codeframe import CodeFrame, split_labels
from .double import sample_keys
from .errors import Errors
from .explain import can_explain, word_weights
from .leases import LEASE_MINUTES, Leases
from .queue import Item
from .store import CODER_ACTIONS, AnnotationStore, Decision, new_session_id
from .suggestions import Suggestions, suggest


# -- the session ------------------------------------------------------------------------------
@dataclass
class Progress:
    done: int  # items in this session's queue with a decision in force (closed for this person)
    remaining: int
    total: int
    decisions: int  # decision rows written in this session (accept, correct, skip)
    undos: int
    held_by_others: int = 0  # of the remaining: on other coordinators' screens now (--split-work)


@dataclass
class Screen:
    """What the screen shows for the current answer."""

    item: Item
    selected: list[str]  # codes toggled on, frame order
    suggested: list[str] = field(default_factory=list)  # the model's codes ([] with no model, or blind)
    proba: dict[str, float] = field(default_factory=dict)
    confidence: float | None = None
    previous: Decision | None = None  # this person's decision in force on it (after undo: what is left)
    number: int = 0  # its place in the queue: the same every time it is shown
    blind: bool = False  # in the double-coding sample: no suggestion, nobody else's codes
    codings: dict[str, list[str]] = field(default_factory=dict)  # the coders' codes (adjudication only)


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    decision_id: int | None = None


class ReviewSession:
    """One person working through a queue of answers; see the module docstring.

    `queue` is every item in scope, in the order to show them; those this annotator (or,
    with `others_count`, anyone: --split-work) already decided under this code frame, in
    any file, are not shown again. With `others_count` each answer shown is reserved for
    this session in the store (classifier/leases.py), so two coordinators never get the
    same one. Answers of the double-coding sample come first and are shown blind; with
    `others_count` they go to two coordinators. `all_items` lets undo bring back an
    answer of the file decided in an earlier session.
    """

    record_action: str | None = None  # always this action (adjudication); None: accept or correct
    undo_actions = CODER_ACTIONS  # what undo takes back
    skip_records = True  # a skip is a decision (review); else it only moves on (adjudication)
    status = ""  # a line the screen adds to the progress (cold start: which suggester is in use)

    def __init__(self, store: AnnotationStore, queue: list[Item], frame: CodeFrame, model=None, *,
                 source: str, annotator: str, suggestions: Suggestions | None = None,
                 model_version: str = "", all_items: list[Item] | None = None, limit: int | None = None,
                 others_count: bool = False, explain: bool = True, lease_minutes: float = LEASE_MINUTES,
                 double: set[str] | None = None):
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
        self.double = (sample_keys(store, frame.hash) if double is None else set(double)) & set(self.by_key)
        queued = {it.key for it in queue}
        sample = [it for it in queue if it.key in self.double]
        sample += [self.by_key[k] for k in self.by_key if k in self.double and k not in queued]
        queue = sample + [it for it in queue if it.key not in self.double]
        self.leases = Leases(store, frame.hash, self.session_id, annotator, lease_minutes) if others_count else None
        self._deciders: dict = {}
        closed = self._closed_keys([it.key for it in queue])
        undecided = [it for it in queue if it.key not in closed]
        if limit is not None:
            undecided = undecided[: max(0, int(limit))]
        self.scope = {it.key for it in queue if it.key in closed} | {it.key for it in undecided}
        self.number = {k: i + 1 for i, k in enumerate(k for k in (it.key for it in queue) if k in self.scope)}
        self.decided = closed & self.scope
        self.elsewhere = self._decided_elsewhere()
        self._pending = iter(undecided)
        self._waiting: list[str] = []  # passed over while another coordinator had them on screen
        self._data_version = store.data_version()
        self.seen: list[str] = []
        self.idx = 0
        self.selection: list[str] = []
        self.n_decisions = 0
        self.n_undos = 0
        self.finished = False
        with store.transaction():
            self._arrive()

    # -- who may code what ----------------------------------------------------------------------
    def _capacity(self, key: str) -> int:
        """How many coordinators code an answer with --split-work: two in the double-coding sample."""
        return 2 if key in self.double else 1

    def _open(self, key: str, deciders) -> bool:
        """Whether this person should still code `key`, given who decided it."""
        if self.annotator in deciders:
            return False
        return not self.others_count or len(deciders) < self._capacity(key)

    def _closed_keys(self, keys: list[str]) -> set[str]:
        deciders = self.store.deciders(self.frame.hash)
        self._deciders = {k: deciders[k] for k in keys if k in deciders}
        return {k for k in keys if not self._open(k, deciders.get(k, {}))}

    def _is_closed(self, key: str) -> bool:
        return not self._open(key, self.store.deciders(self.frame.hash, key).get(key, {}))

    def _decided_elsewhere(self) -> int:
        """Answers of this queue decided (by the people that count) only in other files."""
        n = 0
        for k in self.decided:
            who = self._deciders.get(k, {})
            files = set().union(*who.values()) if self.others_count else who.get(self.annotator, set())
            n += bool(files) and self.source not in files
        return n

    def _previous(self, key: str) -> Decision | None:
        return self.store.latest_for(key, self.frame.hash, self.annotator)

    def _start(self, key: str) -> list[str]:
        """The codes ticked when an answer comes on screen: the decision in force, else the model's."""
        prev = self._previous(key)
        if prev is not None and prev.action != "skip":
            return prev.labels
        return [] if key in self.double else self._suggestion(key)[0]

    def codings(self, key: str) -> dict[str, list[str]]:
        return {}

    # -- what is shown ----------------------------------------------------------------------
    def current(self) -> Screen | None:
        if self.finished or self.idx >= len(self.seen):
            return None
        key = self.seen[self.idx]
        item = self.by_key[key]
        blind = key in self.double
        suggested, proba, conf = ([], {}, None) if blind else self._suggestion(key)
        return Screen(item, list(self.selection), suggested, proba, conf, self._previous(key),
                      self.number.get(key, 0), blind, self.codings(key))

    def progress(self) -> Progress:
        held = 0
        if self.leases is not None:
            version = self.store.data_version()
            if version != self._data_version:  # someone else committed: count what they decided
                self._data_version = version
                deciders = self.store.deciders(self.frame.hash)
                self.decided = {k for k in self.scope if not self._open(k, deciders.get(k, {}))}
            held = len(self.leases.held_by_others() & (self.scope - self.decided))
        done = len(self.decided)
        return Progress(done, len(self.scope) - done, len(self.scope), self.n_decisions, self.n_undos, held)

    def explain(self, item: Item) -> dict[str, list[tuple[int, int, float]]]:
        """Word spans that pushed each suggested code up (empty with no model, or blind)."""
        if not self.explain_words or item.key in self.double:
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
    def touch(self) -> None:
        """A key was pressed: the answers on this screen stay reserved (renewed now and then)."""
        if self.leases is not None and not self.finished:
            self.leases.renew()

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
            with self.store.transaction():
                self._advance()  # revisited and left as it was: nothing new to record
            return Outcome(True, decision_id=previous.id)
        action = self.record_action or ("accept" if screen.suggested and labels == screen.suggested else "correct")
        return self._record(screen, labels, action)

    def skip(self) -> Outcome:
        """Leave the answer uncoded (recorded as 'skip'; not asked again on resume)."""
        screen = self.current()
        if screen is None:
            return Outcome(False, Errors.REVIEW_FINISHED)
        if screen.previous is not None or not self.skip_records:
            with self.store.transaction():
                self._advance()  # revisited: keep the decision it has (or: left for later)
            return Outcome(True, decision_id=screen.previous.id if screen.previous else None)
        return self._record(screen, [], "skip")

    def undo(self) -> Outcome:
        """Take back this person's latest decision on an answer of this queue (also one from an
        earlier session, or made in another file); the screen then shows what is in force."""
        with self.store.transaction():
            target = self.store.undo_last(self.annotator, self.frame.hash, session=self.session_id,
                                          keys=self.by_key, actions=self.undo_actions)
            if target is None:
                return Outcome(False, Errors.REVIEW_NOTHING_TO_UNDO)
            key = target.answer_hash
            if self.leases is not None:
                self.leases.reserve(key, self._capacity(key))  # back on this screen
            self.n_undos += 1
            if self._is_closed(key):
                self.decided.add(key)
            else:
                self.decided.discard(key)
            if key not in self.by_key:
                self.by_key[key] = Item(key, target.text, [], split_labels(target.row_ids))
            self.scope.add(key)
            self.number.setdefault(key, len(self.number) + 1)
            if key in self.seen[: self.idx]:
                self.seen.remove(key)
                self.idx -= 1
            elif key in self.seen[self.idx:]:
                self.seen.remove(key)
            self.seen.insert(self.idx, key)
            self.finished = False
            self._arrive()
            now = self._previous(key)
        actions = Errors.ACTIONS  # the store's action words as the messages name them
        undone = Errors.REVIEW_UNDONE.format(action=actions.get(target.action, target.action), text=_short(target.text))
        if now is None:
            return Outcome(True, f"{undone} {Errors.REVIEW_NOW_NONE}", decision_id=target.id)
        when = now.created[:16].replace("T", " ")
        in_force = Errors.REVIEW_NOW_IN_FORCE.format(action=actions.get(now.action, now.action), labels=_codes(now.labels),
                                                     when=when)
        return Outcome(True, f"{undone} {in_force}", decision_id=target.id)

    def back(self) -> Outcome:
        """Show the previous answer of this session again (a new decision on it wins)."""
        if self.idx == 0 or not self.seen:
            return Outcome(False, Errors.REVIEW_NO_PREVIOUS)
        self.idx -= 1
        self._arrive()
        return Outcome(True)

    def quit(self) -> Progress:
        """Stop; every decision is already in the store. Answers reserved for this session are released."""
        self.finished = True
        if self.leases is not None:
            self.leases.release_all()
        return self.progress()

    # -- internals --------------------------------------------------------------------------
    def _record(self, screen: Screen, labels: list[str], action: str) -> Outcome:
        """Write the decision, release the answer and reserve the next one in ONE transaction,
        committed before the next answer is shown."""
        item = screen.item
        with self.store.transaction():
            if self.leases is not None and screen.previous is None:  # (a change of one's own mind needs none)
                who = self.leases.reserve(item.key, self._capacity(item.key))  # still ours? (renews it)
                if who is not None:  # it waited past its lease and someone else has it now
                    self.decided.add(item.key)
                    self._advance()
                    taken = Errors.REVIEW_TAKEN_SELF if who == "you" else Errors.REVIEW_TAKEN
                    return Outcome(False, taken.format(text=_short(item.text), who=who))
            decision_id = self.store.insert(
                text=item.text, labels=labels, action=action, frame=self.frame, source=self.source,
                row_ids=item.ids, n_rows=max(1, item.n_rows), annotator=self.annotator, model=self.model_version,
                suggested=screen.suggested, session=self.session_id, key=item.key,
            )
            if self.leases is not None:
                self.leases.release(item.key)
            self.n_decisions += 1
            self.decided.add(item.key)
            self._advance()
        return Outcome(True, decision_id=decision_id)

    def _advance(self) -> None:
        self.idx += 1
        while self.idx < len(self.seen) and self.seen[self.idx] in self.decided:
            self.idx += 1
        self._arrive()

    def _arrive(self) -> None:
        """Make sure an item is current (pulling the next one if needed) and set its codes."""
        if self.idx >= len(self.seen):
            nxt = self._next_pending()
            if nxt is None:
                self.selection = []
                return
            self.seen.append(nxt.key)
            self.idx = len(self.seen) - 1
        key = self.seen[self.idx]
        self.selection = [k for k in self.frame.keys if k in self._start(key)]

    def _next_pending(self) -> Item | None:
        for item in self._pending:
            if item.key in self.decided or item.key in self.seen:
                continue
            if self._take(item.key):
                return item
        for key in list(self._waiting):  # at the end: those another coordinator had, if they let go
            if key in self.decided or key in self.seen:
                self._waiting.remove(key)
            elif self._take(key, retry=True):
                self._waiting.remove(key)
                return self.by_key[key]
        return None

    def _take(self, key: str, retry: bool = False) -> bool:
        """Whether `key` can be shown now; with --split-work, reserve it (atomically)."""
        if self.leases is None:
            if self._is_closed(key):  # decided meanwhile (by this person in another window)
                self.decided.add(key)
                return False
            return True
        if self.leases.reserve(key, self._capacity(key)) is None:
            return True
        if self._is_closed(key):  # decided by someone (else: on another coordinator's screen)
            self.decided.add(key)
            self._waiting = [k for k in self._waiting if k != key]
        elif not retry:
            self._waiting.append(key)
        return False

    @property
    def waiting(self) -> list[str]:
        """Answers left undecided because other coordinators have them on screen."""
        return [k for k in self._waiting if k not in self.decided]


def _short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _codes(labels: list[str]) -> str:
    return ", ".join(labels) if labels else "–"


# -- building a session ---------------------------------------------------------------------
