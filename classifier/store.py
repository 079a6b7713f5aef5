"""The annotation store: every human decision, one SQLite row each, never lost.

One file per project (default training_data/annotations.sqlite), standard library
`sqlite3` only. Each decision is committed in its own transaction before the next
answer is shown, so a session killed with SIGKILL loses at most the answer on screen.
WAL mode and a busy timeout let two people review the same project at once.

Decisions are appended, never changed: an undo is a row of its own that points at the
decision it takes back (so undo works after a restart too), and the effective coding
of an answer is the latest decision that is not undone. Answers are keyed by the hash
of their normalised text, so "Praksisplasser!" and "praksisplasser" are one answer.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .codeframe import CodeFrame, join_labels, split_labels
from .errors import Errors, UserError
from .preprocess import answer_hash

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
ACTIONS = ("accept", "correct", "skip", "undo")
CODING_ACTIONS = ("accept", "correct")  # decisions that say which codes an answer has
RULES = ("latest", "majority", "skip")


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frames (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL            -- the code frame as JSON (keys, names, multi_label, fallback)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_hash TEXT NOT NULL,          -- SHA-256 of the normalised answer text
    text TEXT NOT NULL,                 -- the answer as shown
    source TEXT NOT NULL,               -- file the answer came from (name)
    row_ids TEXT NOT NULL DEFAULT '',   -- ids or row numbers it stands for, joined by ';'
    n_rows INTEGER NOT NULL DEFAULT 1,  -- how many rows of the file it codes
    labels TEXT NOT NULL DEFAULT '',    -- codes chosen, joined by ';' (empty for skip/undo)
    action TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'skip', 'undo')),
    annotator TEXT NOT NULL,
    created TEXT NOT NULL,              -- UTC, ISO 8601
    model TEXT NOT NULL DEFAULT '',     -- model version that made the suggestion ('' if none)
    suggested TEXT NOT NULL DEFAULT '', -- codes the model suggested
    frame_hash TEXT NOT NULL,
    frame_name TEXT NOT NULL DEFAULT '',
    undoes INTEGER REFERENCES decisions(id),  -- for action 'undo': the decision taken back
    session TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS decisions_answer ON decisions (answer_hash, frame_hash);
CREATE INDEX IF NOT EXISTS decisions_source ON decisions (source, frame_hash, annotator);
CREATE INDEX IF NOT EXISTS decisions_undoes ON decisions (undoes);
-- Decisions still in force: not undo rows, and not taken back by one.
CREATE VIEW IF NOT EXISTS effective AS
    SELECT d.* FROM decisions d
    WHERE d.action != 'undo' AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id);
-- Each annotator's latest decision in force per answer and code frame.
CREATE VIEW IF NOT EXISTS latest AS
    SELECT e.* FROM effective e
    WHERE e.id = (SELECT MAX(e2.id) FROM effective e2
                  WHERE e2.answer_hash = e.answer_hash AND e2.frame_hash = e.frame_hash
                    AND e2.annotator = e.annotator);
"""

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


@dataclass
class Disagreement:
    """An answer whose annotators' latest codings differ."""

    answer_hash: str
    text: str
    codings: dict[str, list[str]]  # annotator -> codes
    chosen: list[str] | None = None  # what the rule chose (None: left out)


@dataclass
class Resolved:
    """The coding that training uses for one answer."""

    answer_hash: str
    text: str
    labels: list[str]
    decision_id: int
    annotators: list[str] = field(default_factory=list)


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
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            with self.transaction():
                for statement in SCHEMA.split(";\n"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                                  (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as e:
            raise UserError(Errors.STORE_UNREADABLE.format(path=self.path, reason=str(e))) from None

    # -- plumbing ---------------------------------------------------------------------
    def transaction(self):
        return _Transaction(self.conn)

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

    def undo_last(self, annotator: str, frame_hash: str, source: str | None = None,
                  session: str = "") -> Decision | None:
        """Take back the annotator's latest decision in force (for `source` if given).

        Writes an 'undo' row pointing at it, in one transaction, and returns the decision
        taken back (None if there is nothing to undo). Repeated undos walk further back.
        """
        with self.transaction():
            sql = "SELECT * FROM effective WHERE annotator = ? AND frame_hash = ?"
            params: list = [annotator, frame_hash]
            if source is not None:
                sql += " AND source = ?"
                params.append(source)
            row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
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
        """Coding decisions (accept/correct rows) made with a code frame other than `frame_hash`."""
        marks = ", ".join("?" * len(CODING_ACTIONS))
        return self.conn.execute(f"SELECT COUNT(*) FROM decisions WHERE frame_hash != ? AND action IN ({marks})",
                                 (frame_hash, *CODING_ACTIONS)).fetchone()[0]

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

    def latest_for(self, key: str, frame_hash: str, annotator: str | None = None) -> Decision | None:
        """The latest decision in force on one answer (by this annotator, if given)."""
        sql = "SELECT * FROM effective WHERE answer_hash = ? AND frame_hash = ?"
        params: list = [key, frame_hash]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
        return Decision.from_row(row) if row else None

    def decided_keys(self, source: str, frame_hash: str, annotator: str | None = None,
                     include_skips: bool = True) -> set[str]:
        """Answers of `source` with a decision in force (by `annotator`, or by anyone if None)."""
        sql = "SELECT DISTINCT answer_hash FROM effective WHERE source = ? AND frame_hash = ?"
        params: list = [source, frame_hash]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        if not include_skips:
            sql += " AND action != 'skip'"
        return {r[0] for r in self.conn.execute(sql, params)}

    def is_decided(self, key: str, source: str, frame_hash: str, annotator: str | None = None) -> bool:
        sql = "SELECT 1 FROM effective WHERE answer_hash = ? AND source = ? AND frame_hash = ?"
        params: list = [key, source, frame_hash]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        return self.conn.execute(sql + " LIMIT 1", params).fetchone() is not None

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

    def disagreements(self, frame_hash: str) -> list[Disagreement]:
        """Answers where annotators' latest codings differ."""
        out = []
        for key, ds in self.codings(frame_hash).items():
            if len({tuple(d.labels) for d in ds}) > 1:
                out.append(Disagreement(key, ds[-1].text, {d.annotator: d.labels for d in ds}))
        return out

    def resolve(self, frame_hash: str, rule: str = "latest") -> tuple[list[Resolved], list[Disagreement]]:
        """One coding per answer for training, and the disagreements with what the rule chose.

        latest: the most recent coding wins; majority: the coding most annotators chose
        (ties go to the most recent of the tied); skip: disagreed answers are left out.
        """
        if rule not in RULES:
            raise UserError(Errors.BAD_RULE.format(rule=rule, rules=", ".join(RULES)))
        resolved, disagreements = [], []
        for key, ds in self.codings(frame_hash).items():
            annotators = [d.annotator for d in ds]
            sets = [tuple(d.labels) for d in ds]
            if len(set(sets)) == 1:
                resolved.append(Resolved(key, ds[-1].text, ds[-1].labels, ds[-1].id, annotators))
                continue
            dis = Disagreement(key, ds[-1].text, {d.annotator: d.labels for d in ds})
            disagreements.append(dis)
            if rule == "skip":
                continue
            if rule == "latest":
                pick = ds[-1]
            else:
                counts = Counter(sets)
                top = max(counts.values())
                pick = [d for d in ds if counts[tuple(d.labels)] == top][-1]  # ds is oldest first
            dis.chosen = pick.labels
            resolved.append(Resolved(key, pick.text, pick.labels, pick.id, annotators))
        return resolved, disagreements

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
    writers queue on the busy timeout instead of failing halfway through."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
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
