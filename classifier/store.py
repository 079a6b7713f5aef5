"""The annotation store: every human decision, one SQLite row each, never lost.

One file per project (default training_data/annotations.sqlite), standard library
`sqlite3` only. Each decision is committed in its own transaction before the next
answer is shown, so a session killed with SIGKILL loses at most the answer on screen.
WAL mode and a busy timeout let two people review the same project at once.

Decisions are appended, never changed: an undo is a row of its own that points at the
decision it takes back (so undo works after a restart too), and the effective coding
of an answer is the latest decision that is not undone. Answers are keyed by the hash
of their normalised text, so "Praksisplasser!" and "praksisplasser" are one answer, in
whichever file it came. An adjudication ('adjudicate') is the final coding of an answer
coders disagreed on; training prefers it. The tables are in classifier/schema.py,
reserved answers in classifier/leases.py, double-coding samples in classifier/double.py.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import resolution
from .codeframe import CodeFrame, join_labels, split_labels
from .errors import Errors, UserError
from .preprocess import answer_hash
from .resolution import Disagreement, Resolved
from .schema import ensure

BUSY_TIMEOUT_MS = 30_000
ACTIONS = ("accept", "correct", "skip", "undo", "adjudicate")
CODING_ACTIONS = ("accept", "correct")  # a coder's decisions that say which codes an answer has
CODER_ACTIONS = ("accept", "correct", "skip")  # what a coder decides in review (not undo, not adjudicate)
RULES = resolution.RULES


COLUMNS = ("id", "answer_hash", "text", "source", "row_ids", "n_rows", "labels", "action", "annotator",
           "created", "model", "suggested", "frame_hash", "frame_name", "undoes", "session")


def default_annotator() -> str:
    """$SURVEY_CODER_ANNOTATOR, else the login name."""
    name = os.environ.get("SURVEY_CODER_ANNOTATOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class Decision:
    """One row of the store."""

    id: int
    answer_hash: str
    text: str
    source: str
    row_ids: str
    n_rows: int
    labels: list[str]
    action: str
    annotator: str
    created: str
    model: str
    suggested: list[str]
    frame_hash: str
    frame_name: str
    undoes: int | None
    session: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Decision:
        d = dict(row)
        d["labels"] = split_labels(d["labels"])
        d["suggested"] = split_labels(d["suggested"])
        return cls(**{k: d[k] for k in COLUMNS})

    def as_record(self) -> dict:
        """A flat dict for export (labels joined by ';')."""
        rec = {k: getattr(self, k) for k in COLUMNS}
        rec["labels"] = join_labels(self.labels)
        rec["suggested"] = join_labels(self.suggested)
        return rec


def _when_unlocked(step, timeout_ms: int):
    """Run `step`, again while SQLite says the database is locked, for up to `timeout_ms`."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            return step()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class AnnotationStore:
    """The decisions of one project in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path, create: bool = True, timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise UserError(Errors.STORE_NOT_FOUND.format(path=self.path))
            if not self.path.parent.is_dir():
                raise UserError(Errors.OUTPUT_DIR_MISSING.format(path=self.path))
        elif self.path.is_dir():
            raise UserError(Errors.NOT_A_FILE.format(path=self.path))
        try:
            # isolation_level=None: no implicit transactions; each write is BEGIN IMMEDIATE ... COMMIT.
            self.conn = sqlite3.connect(str(self.path), timeout=timeout_ms / 1000, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
            # Switching a new file to WAL needs it alone; SQLite gives up at once rather than wait
            # when another process opening it at the same moment holds a lock, so wait here.
            _when_unlocked(lambda: self.conn.execute("PRAGMA journal_mode = WAL"), timeout_ms)
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            _when_unlocked(lambda: ensure(self.conn, self.path), timeout_ms)  # new tables, or an older store migrated
        except sqlite3.DatabaseError as e:
            raise UserError(Errors.STORE_UNREADABLE.format(path=self.path, reason=str(e))) from None

    # -- plumbing ---------------------------------------------------------------------
    def transaction(self):
        """`with store.transaction():` one BEGIN IMMEDIATE ... COMMIT; inside another, part of it."""
        return _Transaction(self.conn)

    def data_version(self) -> int:
        """Changes when another connection commits (PRAGMA data_version)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def journal_mode(self) -> str:
        return self.conn.execute("PRAGMA journal_mode").fetchone()[0]

    # -- frames -------------------------------------------------------------------------
    def register_frame(self, frame: CodeFrame) -> None:
        """Keep the frame's definition so export, agreement and train can read its codes."""
        definition = json.dumps(frame.to_dict(), ensure_ascii=False, sort_keys=True)
        with self.transaction():
            self.conn.execute("INSERT OR IGNORE INTO frames (hash, name, definition) VALUES (?, ?, ?)",
                              (frame.hash, frame.name, definition))

    def frame(self, frame_hash: str) -> CodeFrame | None:
        row = self.conn.execute("SELECT definition FROM frames WHERE hash = ?", (frame_hash,)).fetchone()
        if row is None:
            return None
        return CodeFrame.from_dict(_frame_toml_shape(json.loads(row["definition"])), source=f"{self.path.name}")

    def frame_counts(self) -> list[tuple[str, str, int]]:
        """(frame hash, frame name, decisions) for every frame in the store, most used first."""
        rows = self.conn.execute(
            "SELECT frame_hash, MAX(frame_name) AS name, COUNT(*) AS n FROM decisions "
            "GROUP BY frame_hash ORDER BY n DESC, frame_hash").fetchall()
        return [(r["frame_hash"], r["name"], r["n"]) for r in rows]

    # -- writing ------------------------------------------------------------------------
    def add(self, *, text: str, labels: list[str], action: str, frame: CodeFrame | None = None,
            frame_hash: str | None = None, frame_name: str = "", source: str = "", row_ids=(),
            n_rows: int = 1, annotator: str | None = None, model: str = "", suggested=(),
            session: str = "", created: str | None = None, key: str | None = None) -> int:
        """Commit one decision in its own transaction and return its id."""
        with self.transaction():
            return self.insert(text=text, labels=labels, action=action, frame=frame, frame_hash=frame_hash,
                               frame_name=frame_name, source=source, row_ids=row_ids, n_rows=n_rows,
                               annotator=annotator, model=model, suggested=suggested, session=session,
                               created=created, key=key)

    def insert(self, *, text, labels, action, frame=None, frame_hash=None, frame_name="", source="",
               row_ids=(), n_rows=1, annotator=None, model="", suggested=(), session="", created=None,
               key=None, undoes=None) -> int:
        """Insert one decision inside the caller's `with store.transaction():`; returns its id."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if frame is not None:
            frame_hash, frame_name = frame.hash, frame.name
        if not frame_hash:
            raise ValueError("a decision needs its code frame's hash")
        ids = row_ids if isinstance(row_ids, str) else join_labels([str(i) for i in row_ids])
        cur = self.conn.execute(
            "INSERT INTO decisions (answer_hash, text, source, row_ids, n_rows, labels, action, annotator, "
            "created, model, suggested, frame_hash, frame_name, undoes, session) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key or answer_hash(text), str(text), source, ids, int(n_rows), join_labels(list(labels)), action,
             annotator or default_annotator(), created or now_iso(), model or "", join_labels(list(suggested)),
             frame_hash, frame_name, undoes, session),
        )
        return int(cur.lastrowid)

    def undo_last(self, annotator: str, frame_hash: str, source: str | None = None, session: str = "",
                  keys=None, actions=CODER_ACTIONS) -> Decision | None:
        """Take back the annotator's latest decision in force of one of `actions`, on one of
        `keys` (answer hashes) or from `source` when given.

        Writes an 'undo' row pointing at it, in one transaction, and returns the decision
        taken back (None if there is nothing to undo). Repeated undos walk further back.
        """
        with self.transaction():
            marks = ", ".join("?" * len(actions))
            sql = f"SELECT * FROM effective WHERE annotator = ? AND frame_hash = ? AND action IN ({marks})"
            params: list = [annotator, frame_hash, *actions]
            if source is not None:
                sql += " AND source = ?"
                params.append(source)
            rows = self.conn.execute(sql + " ORDER BY id DESC", params)
            row = next((r for r in rows if keys is None or r["answer_hash"] in keys), None)
            if row is None:
                return None
            target = Decision.from_row(row)
            self.insert(text=target.text, labels=[], action="undo", frame_hash=target.frame_hash,
                        frame_name=target.frame_name, source=target.source, row_ids=target.row_ids,
                        n_rows=target.n_rows, annotator=annotator, model=target.model, session=session,
                        key=target.answer_hash, undoes=target.id)
            return target

    # -- reading ------------------------------------------------------------------------
    def count(self, action: str | None = None) -> int:
        if action:
            return self.conn.execute("SELECT COUNT(*) FROM decisions WHERE action = ?", (action,)).fetchone()[0]
        return self.conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]

    def count_other_frames(self, frame_hash: str) -> int:
        """Coding decisions (accept/correct/adjudicate rows) made with a code frame other than `frame_hash`."""
        actions = (*CODING_ACTIONS, "adjudicate")
        marks = ", ".join("?" * len(actions))
        return self.conn.execute(f"SELECT COUNT(*) FROM decisions WHERE frame_hash != ? AND action IN ({marks})",
                                 (frame_hash, *actions)).fetchone()[0]

    def decisions(self, frame_hash: str | None = None) -> list[Decision]:
        """Every row, oldest first (the full log, undo rows included)."""
        if frame_hash:
            rows = self.conn.execute("SELECT * FROM decisions WHERE frame_hash = ? ORDER BY id", (frame_hash,))
        else:
            rows = self.conn.execute("SELECT * FROM decisions ORDER BY id")
        return [Decision.from_row(r) for r in rows]

    def get(self, decision_id: int) -> Decision | None:
        row = self.conn.execute("SELECT * FROM decisions WHERE id = ?", (decision_id,)).fetchone()
        return Decision.from_row(row) if row else None

    def latest(self, frame_hash: str, annotator: str | None = None, coding_only: bool = False) -> list[Decision]:
        """Each annotator's latest decision in force per answer, oldest first."""
        sql = "SELECT * FROM latest WHERE frame_hash = ?"
        params: list = [frame_hash]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        if coding_only:
            sql += " AND action IN ('accept', 'correct')"
        return [Decision.from_row(r) for r in self.conn.execute(sql + " ORDER BY id", params)]

    def latest_for(self, key: str, frame_hash: str, annotator: str | None = None,
                   actions=CODER_ACTIONS) -> Decision | None:
        """The latest decision in force on one answer of one of `actions` (by this annotator, if given)."""
        marks = ", ".join("?" * len(actions))
        sql = f"SELECT * FROM effective WHERE answer_hash = ? AND frame_hash = ? AND action IN ({marks})"
        params: list = [key, frame_hash, *actions]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
        return Decision.from_row(row) if row else None

    def decided_keys(self, frame_hash: str, annotator: str | None = None, *, source: str | None = None,
                     include_skips: bool = True) -> set[str]:
        """Answers with a coder's decision in force (by `annotator`, or by anyone if None),
        from any file unless `source` is given: an answer is the same wherever it came from."""
        sql = "SELECT DISTINCT answer_hash FROM effective WHERE frame_hash = ? AND action IN (?, ?, ?)"
        params: list = [frame_hash, *CODER_ACTIONS]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        if not include_skips:
            sql += " AND action != 'skip'"
        return {r[0] for r in self.conn.execute(sql, params)}

    def deciders(self, frame_hash: str, key: str | None = None) -> dict[str, dict[str, set[str]]]:
        """answer hash -> annotator -> the files their decisions in force on it came from
        (coder decisions: accept, correct, skip); one answer's only with `key`."""
        sql = "SELECT answer_hash, annotator, source FROM effective WHERE frame_hash = ? AND action IN (?, ?, ?)"
        params: list = [frame_hash, *CODER_ACTIONS]
        if key is not None:
            sql += " AND answer_hash = ?"
            params.append(key)
        out: dict[str, dict[str, set[str]]] = {}
        for k, who, source in self.conn.execute(sql, params):
            out.setdefault(k, {}).setdefault(who, set()).add(source)
        return out

    # -- what training uses -------------------------------------------------------------------
    def codings(self, frame_hash: str) -> dict[str, list[Decision]]:
        """answer hash -> each annotator's latest coding (accept/correct) in force, oldest first.

        An annotator whose latest word on an answer is a skip has no coding for it.
        """
        out: dict[str, list[Decision]] = {}
        for d in self.latest(frame_hash):
            if d.action in CODING_ACTIONS:
                out.setdefault(d.answer_hash, []).append(d)
        return out

    def latest_codes(self, frame_hash: str) -> dict[str, list[str]]:
        """answer hash -> the codes of its latest coding in force (accept/correct, by anyone): a
        cheap count of what is coded (cold start); `resolve` says what training uses."""
        rows = self.conn.execute("SELECT answer_hash, labels FROM latest WHERE frame_hash = ? "
                                 "AND action IN ('accept', 'correct') ORDER BY id", (frame_hash,))
        return {key: split_labels(labels) for key, labels in rows}

    def adjudications(self, frame_hash: str) -> dict[str, Decision]:
        """answer hash -> the adjudication in force on it (the latest, whoever made it)."""
        rows = self.conn.execute("SELECT * FROM adjudicated WHERE frame_hash = ? ORDER BY id", (frame_hash,))
        return {r["answer_hash"]: Decision.from_row(r) for r in rows}

    def disagreements(self, frame_hash: str) -> list[Disagreement]:
        """Answers where annotators' latest codings differ (see classifier/resolution.py)."""
        return resolution.disagreements(self, frame_hash)

    def resolve(self, frame_hash: str, rule: str | None = None) -> tuple[list[Resolved], list[Disagreement]]:
        """One coding per answer for training, and the disagreements (see classifier/resolution.py)."""
        return resolution.resolve(self, frame_hash, rule)

    # -- import -------------------------------------------------------------------------
    def find_same(self, rec: dict) -> int | None:
        """Id of a row equal to an exported record (same answer, annotator, time, action, codes)."""
        row = self.conn.execute(
            "SELECT id FROM decisions WHERE answer_hash = ? AND annotator = ? AND created = ? AND action = ? "
            "AND labels = ? AND frame_hash = ?",
            (rec["answer_hash"], rec["annotator"], rec["created"], rec["action"], rec["labels"],
             rec["frame_hash"])).fetchone()
        return int(row[0]) if row else None

    def add_many(self, records: list[dict]) -> list[int]:
        """Insert many decisions in ONE transaction (imports: all or nothing)."""
        ids = []
        with self.transaction():
            for rec in records:
                ids.append(self.insert(**rec))
        return ids


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): takes the write lock up front, so two
    writers queue on the busy timeout instead of failing halfway through. Inside another
    transaction it is part of that one (so a decision and the next reservation commit together)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.nested = False

    def __enter__(self):
        self.nested = self.conn.in_transaction
        if not self.nested:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.nested:
            return False
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
        return False


def _frame_toml_shape(d: dict) -> dict:
    """CodeFrame.to_dict() -> the shape CodeFrame.from_dict() reads."""
    codes = [{k: (list(v) if isinstance(v, tuple | list) else v) for k, v in c.items()} for c in d["codes"]]
    meta = {k: d.get(k) for k in ("name", "multi_label", "fallback", "question", "version", "previous")}
    return {"frame": meta, "codes": codes}


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]
