"""The annotation store's tables, and bringing an older store file up to date in place.

Version 1 (survey-coder 0.2): decisions, frames, meta. Version 2 adds the 'adjudicate'
action (the final codes of an answer coders disagreed on), `leases` (answers on one
coordinator's screen with --split-work) and `samples` (answers planned for double
coding). An older store is migrated when it is first opened, in one transaction, so
it is either all old or all new; a store made by a newer version is refused.
"""

from __future__ import annotations

import sqlite3

from .errors import Errors, UserError

SCHEMA_VERSION = 2

DECISIONS = """
CREATE TABLE {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_hash TEXT NOT NULL,          -- SHA-256 of the normalised answer text
    text TEXT NOT NULL,                 -- the answer as shown
    source TEXT NOT NULL,               -- file the answer came from (name)
    row_ids TEXT NOT NULL DEFAULT '',   -- ids or row numbers it stands for, joined by ';'
    n_rows INTEGER NOT NULL DEFAULT 1,  -- how many rows of the file it codes
    labels TEXT NOT NULL DEFAULT '',    -- codes chosen, joined by ';' (empty for skip/undo)
    action TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'skip', 'undo', 'adjudicate')),
    annotator TEXT NOT NULL,
    created TEXT NOT NULL,              -- UTC, ISO 8601
    model TEXT NOT NULL DEFAULT '',     -- model version that made the suggestion ('' if none)
    suggested TEXT NOT NULL DEFAULT '', -- codes the model suggested (as shown: '' when hidden)
    frame_hash TEXT NOT NULL,
    frame_name TEXT NOT NULL DEFAULT '',
    undoes INTEGER REFERENCES decisions(id),  -- for action 'undo': the decision taken back
    session TEXT NOT NULL DEFAULT ''
)"""
DECISION_COLUMNS = ("id, answer_hash, text, source, row_ids, n_rows, labels, action, annotator, created, model, "
                    "suggested, frame_hash, frame_name, undoes, session")

INDEXES_AND_VIEWS = """
CREATE INDEX IF NOT EXISTS decisions_answer ON decisions (answer_hash, frame_hash);
CREATE INDEX IF NOT EXISTS decisions_source ON decisions (source, frame_hash, annotator);
CREATE INDEX IF NOT EXISTS decisions_undoes ON decisions (undoes);
-- Decisions still in force: not undo rows, and not taken back by one.
CREATE VIEW IF NOT EXISTS effective AS
    SELECT d.* FROM decisions d
    WHERE d.action != 'undo' AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id);
-- Each annotator's latest coder decision (accept, correct, skip) in force per answer and code frame.
CREATE VIEW IF NOT EXISTS latest AS
    SELECT e.* FROM effective e
    WHERE e.action != 'adjudicate'
      AND e.id = (SELECT MAX(e2.id) FROM effective e2
                  WHERE e2.answer_hash = e.answer_hash AND e2.frame_hash = e.frame_hash
                    AND e2.annotator = e.annotator AND e2.action != 'adjudicate');
-- The adjudication in force per answer and code frame (the latest, whoever made it).
CREATE VIEW IF NOT EXISTS adjudicated AS
    SELECT e.* FROM effective e
    WHERE e.action = 'adjudicate'
      AND e.id = (SELECT MAX(e2.id) FROM effective e2
                  WHERE e2.answer_hash = e.answer_hash AND e2.frame_hash = e.frame_hash
                    AND e2.action = 'adjudicate');
-- Answers on a coordinator's screen (review --split-work): see classifier/leases.py.
CREATE TABLE IF NOT EXISTS leases (
    answer_hash TEXT NOT NULL,
    frame_hash TEXT NOT NULL,
    session TEXT NOT NULL,              -- the review session that holds it
    annotator TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',      -- the session's machine and process, to tell when it died
    pid INTEGER NOT NULL DEFAULT 0,
    taken TEXT NOT NULL,                -- UTC, ISO 8601
    expires REAL NOT NULL,              -- Unix time; moved on while its coordinator presses keys
    PRIMARY KEY (answer_hash, frame_hash, session)
);
CREATE INDEX IF NOT EXISTS leases_session ON leases (session);
-- Answers planned for double coding (review --double N): see classifier/double.py.
CREATE TABLE IF NOT EXISTS samples (
    frame_hash TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL,               -- the file it was planned from
    planned TEXT NOT NULL,              -- UTC, ISO 8601
    planned_by TEXT NOT NULL,
    method TEXT NOT NULL,               -- how it was drawn: 'random, seed 0' or 'riskiest'
    PRIMARY KEY (frame_hash, answer_hash)
)"""

BASE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frames (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL            -- the code frame as JSON (keys, names, multi_label, fallback)
)"""


def _statements(sql: str):
    return [s for s in sql.split(";\n") if s.strip()]


def version(conn: sqlite3.Connection) -> int | None:
    """The schema version of an open store; None for a new, empty file."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def ensure(conn: sqlite3.Connection, path) -> None:
    """Create the tables of a new store, or migrate an older one, in one transaction.

    Runs with foreign keys off (SQLite cannot switch them inside a transaction, and
    rebuilding `decisions` needs them off), and checks them before it commits.
    """
    if version(conn) == SCHEMA_VERSION:  # the usual case: nothing to write
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = version(conn)  # again, under the write lock: another process may have done it
            if found is not None and found > SCHEMA_VERSION:
                raise UserError(Errors.STORE_TOO_NEW.format(path=path, found=found, known=SCHEMA_VERSION))
            if found is None:
                for s in _statements(BASE) + [DECISIONS.format(name="decisions")] + _statements(INDEXES_AND_VIEWS):
                    conn.execute(s)
            elif found < SCHEMA_VERSION:
                _migrate_1_to_2(conn)
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                         (str(SCHEMA_VERSION),))
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.DatabaseError("an undo row points at a decision that is not in the store")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Rebuild `decisions` with the new action (SQLite cannot change a CHECK in place), keeping
    every row and id, then add the new tables and views."""
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'decisions'").fetchone()
    for view in ("latest", "effective", "adjudicated"):
        conn.execute(f"DROP VIEW IF EXISTS {view}")
    conn.execute(DECISIONS.format(name="decisions_v2"))
    conn.execute(f"INSERT INTO decisions_v2 ({DECISION_COLUMNS}) SELECT {DECISION_COLUMNS} FROM decisions")
    conn.execute("DROP TABLE decisions")
    conn.execute("ALTER TABLE decisions_v2 RENAME TO decisions")
    if seq is not None:
        conn.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'decisions'", (seq[0],))
    for s in _statements(INDEXES_AND_VIEWS):
        conn.execute(s)
