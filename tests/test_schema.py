"""The store's schema: a store made by the previous version is migrated in place, with every
decision kept; a store from a newer version is refused."""

from __future__ import annotations

import sqlite3

import pytest

from classifier.errors import UserError
from classifier.preprocess import answer_hash
from classifier.schema import SCHEMA_VERSION
from classifier.store import AnnotationStore

from .conftest import DATA


def old_store(path):
    """The store in tests/data/annotations_v1.sql: made by the code of schema version 1."""
    con = sqlite3.connect(path)
    con.executescript((DATA / "annotations_v1.sql").read_text(encoding="utf-8"))
    con.close()
    return path


def rows(path):
    con = sqlite3.connect(path)
    out = con.execute("SELECT * FROM decisions ORDER BY id").fetchall()
    con.close()
    return out


def test_a_store_of_schema_1_is_migrated_in_place_and_keeps_every_decision(tmp_path, frame):
    path = old_store(tmp_path / "annotations.sqlite")
    before = rows(path)
    assert len(before) == 6
    with AnnotationStore(path) as store:
        assert store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert store.integrity_check() == "ok"
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.journal_mode() == "wal" and store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # The undo still takes back what it took back; the rest is in force.
        latest = {(d.annotator, d.text): d.labels for d in store.latest(frame.hash)}
        assert latest == {("kari", "Flere språkpraksisplasser i kommunen"): ["practice_placements"],
                          ("kari", "Mentorordning og samarbeid med lokale bedrifter"): ["employer_cooperation"],
                          ("kari", "Vet ikke"): [],
                          ("per", "Mentorordning og samarbeid med lokale bedrifter"): ["employer_cooperation",
                                                                                        "work_pathways"]}
        assert store.frame(frame.hash).keys == frame.keys
        # What is new works: an adjudication, and ids go on after the old ones.
        new = store.add(text="Mentorordning og samarbeid med lokale bedrifter", labels=["employer_cooperation"],
                        action="adjudicate", frame=frame, source="adjudication", annotator="lise")
        assert new == 7
        assert store.adjudications(frame.hash)[answer_hash("mentorordning og samarbeid med lokale bedrifter")].id == 7
        for table in ("leases", "samples"):
            assert store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    assert rows(path)[:6] == before  # every old row, byte for byte, under the same id
    with AnnotationStore(path) as store:  # opening again changes nothing
        assert store.count() == 7 and store.integrity_check() == "ok"


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    AnnotationStore(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(UserError, match="newer survey-coder"):
        AnnotationStore(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM meta").fetchone()[0] == "99"  # left as it was
    con.close()


def test_the_old_action_check_is_gone_and_a_wrong_action_still_refused(tmp_path, frame):
    with AnnotationStore(old_store(tmp_path / "a.sqlite")) as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute("INSERT INTO decisions (answer_hash, text, source, action, annotator, created, "
                               "frame_hash) VALUES ('x', 'x', 's', 'delete', 'kari', 't', 'f')")
