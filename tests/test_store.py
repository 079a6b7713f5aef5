"""The annotation store: one committed row per decision, undo as a row, latest per answer,
disagreements and the rules that settle them, and two writers at once."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap

import pytest

from classifier.codeframe import load_codeframe
from classifier.errors import UserError
from classifier.preprocess import answer_hash, answer_key
from classifier.store import AnnotationStore

from .conftest import FRAME, ROOT


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(tmp_path / "annotations.sqlite")
    yield s
    s.close()


def add(store, frame, text, labels, action="correct", annotator="kari", source="survey.csv"):
    return store.add(text=text, labels=labels, action=action, frame=frame, source=source, annotator=annotator)


def test_store_uses_wal_busy_timeout_and_the_schema(store):
    assert store.journal_mode() == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    cols = [r[1] for r in store.conn.execute("PRAGMA table_info(decisions)")]
    for c in ("answer_hash", "text", "source", "row_ids", "labels", "action", "annotator", "created", "model",
              "frame_hash", "undoes"):
        assert c in cols


def test_each_decision_is_committed_at_once(store, frame, tmp_path):
    add(store, frame, "Praksisplasser", ["practice_placements"], "accept")
    # A second connection (another process would be the same) sees it without any close or commit call.
    other = AnnotationStore(tmp_path / "annotations.sqlite")
    rows = other.decisions()
    other.close()
    assert [(d.text, d.labels, d.action) for d in rows] == [("Praksisplasser", ["practice_placements"], "accept")]
    assert not store.conn.in_transaction


def test_a_rejected_action_leaves_nothing_behind(store, frame):
    with pytest.raises(ValueError):
        add(store, frame, "x", [], "delete")
    assert store.count() == 0


def test_undo_is_a_row_and_latest_skips_undone(store, frame):
    a = add(store, frame, "Bolig", ["other"])
    b = add(store, frame, "Bolig", ["employer_cooperation"])
    undone = store.undo_last("kari", frame.hash, "survey.csv")
    assert undone.id == b
    rows = store.decisions()
    assert [r.action for r in rows] == ["correct", "correct", "undo"]
    assert rows[-1].undoes == b and rows[-1].answer_hash == answer_hash("Bolig")
    latest = store.latest(frame.hash)
    assert [(d.id, d.labels) for d in latest] == [(a, ["other"])]
    # A second undo walks further back; a third finds nothing.
    assert store.undo_last("kari", frame.hash, "survey.csv").id == a
    assert store.latest(frame.hash) == []
    assert store.undo_last("kari", frame.hash, "survey.csv") is None


def test_undo_survives_a_restart_and_only_touches_the_annotators_own_decisions(tmp_path, frame):
    path = tmp_path / "a.sqlite"
    with AnnotationStore(path) as s:
        mine = add(s, frame, "Tolk", ["other"], annotator="kari")
        add(s, frame, "Tolk", ["other"], annotator="per")
    with AnnotationStore(path) as s:  # a new process, a new connection
        assert s.undo_last("kari", frame.hash, "survey.csv").id == mine
        assert [d.annotator for d in s.latest(frame.hash)] == ["per"]


def test_skips_are_decided_but_not_codings(store, frame):
    add(store, frame, "Vet ikke", [], "skip")
    add(store, frame, "Bolig", ["other"], "accept")
    both = {answer_hash("Vet ikke"), answer_hash("Bolig")}
    assert store.decided_keys(frame.hash, "kari") == both == store.decided_keys(frame.hash)
    assert set(store.codings(frame.hash)) == {answer_hash("Bolig")}
    # An answer is decided whichever file it came from; `source` narrows to one file.
    assert store.decided_keys(frame.hash, "kari", source="survey.csv") == both
    assert store.decided_keys(frame.hash, "kari", source="other.csv") == set()
    assert store.decided_keys(frame.hash, "per") == set()
    assert store.deciders(frame.hash)[answer_hash("bolig!")] == {"kari": {"survey.csv"}}


def test_decisions_for_another_frame_are_kept_apart(store, frame, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('[frame]\nname = "x"\n[[codes]]\nkey = "a"\n[[codes]]\nkey = "b"\n', encoding="utf-8")
    other_frame = load_codeframe(other)
    add(store, other_frame, "Bolig", ["a"])
    assert store.latest(frame.hash) == []
    assert len(store.latest(other_frame.hash)) == 1


def test_disagreements_and_rules(store, frame):
    add(store, frame, "Mentor på jobben", ["employer_cooperation"], annotator="anna")
    add(store, frame, "Mentor på jobben", ["work_pathways"], annotator="per")
    add(store, frame, "Mentor på jobben", ["employer_cooperation"], annotator="kari")
    add(store, frame, "Bolig", ["other"], annotator="anna")
    add(store, frame, "bolig.", ["other"], annotator="per")  # same answer, same codes: no disagreement
    dis = store.disagreements(frame.hash)
    assert [d.codings for d in dis] == [
        {"anna": ["employer_cooperation"], "per": ["work_pathways"], "kari": ["employer_cooperation"]}]

    resolved, dis = store.resolve(frame.hash, "latest")
    by_text = {answer_key(r.text): r.labels for r in resolved}
    assert by_text == {"mentor pa jobben": ["employer_cooperation"], "bolig": ["other"]}

    # Per changes his mind later: latest follows him, majority stays with the two others.
    add(store, frame, "Mentor på jobben", ["practice_placements"], annotator="per")
    latest = {answer_key(r.text): r.labels for r in store.resolve(frame.hash, "latest")[0]}
    majority = {answer_key(r.text): r.labels for r in store.resolve(frame.hash, "majority")[0]}
    assert latest["mentor pa jobben"] == ["practice_placements"]
    assert majority["mentor pa jobben"] == ["employer_cooperation"]
    skipped = {answer_key(r.text) for r in store.resolve(frame.hash, "skip")[0]}
    assert skipped == {"bolig"}
    with pytest.raises(UserError):
        store.resolve(frame.hash, "coin-toss")


def test_majority_tie_goes_to_the_latest(store, frame):
    add(store, frame, "Kurs", ["work_pathways"], annotator="anna")
    add(store, frame, "Kurs", ["education_guidance"], annotator="per")
    resolved, dis = store.resolve(frame.hash, "majority")
    assert resolved[0].labels == ["education_guidance"] and dis[0].chosen == ["education_guidance"]


def test_a_missing_or_broken_store_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="not found"):
        AnnotationStore(tmp_path / "nope.sqlite", create=False)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(UserError, match="Cannot open annotation store"):
        AnnotationStore(bad)


WRITER = textwrap.dedent("""
    import sys
    from classifier.codeframe import load_codeframe
    from classifier.store import AnnotationStore
    path, who, n, frame_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    frame = load_codeframe(frame_path)
    store = AnnotationStore(path)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(n):
        store.add(text=f"svar {i}", labels=["other"], action="correct", frame=frame, source="s.csv",
                  annotator=who)
    if who == "anna":
        store.undo_last(who, frame.hash, "s.csv")
    print("done", flush=True)
""")


def test_two_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite"
    n = 300
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who, str(n), str(FRAME)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
             for who in ("anna", "per")]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == "done"
    with AnnotationStore(path) as s:
        rows = s.decisions()
        assert s.integrity_check() == "ok"
    assert len(rows) == 2 * n + 1
    for who in ("anna", "per"):
        mine = [r for r in rows if r.annotator == who and r.action == "correct"]
        assert sorted(r.text for r in mine) == sorted(f"svar {i}" for i in range(n))
    assert len({r.id for r in rows}) == len(rows)
    undo = [r for r in rows if r.action == "undo"]
    assert len(undo) == 1 and next(r for r in rows if r.id == undo[0].undoes).annotator == "anna"


def _open_new_stores(folder, n, barrier, failures):
    for i in range(n):
        barrier.wait()
        try:
            AnnotationStore(folder / f"s{i}.sqlite").close()
        except UserError as e:
            failures.put(str(e))


def test_people_opening_a_new_store_at_the_same_moment_all_get_in(tmp_path):
    """Three processes open the same new store file at once, 40 times over (without waiting,
    SQLite refused about one opening in sixteen with 'database is locked')."""
    ctx = multiprocessing.get_context("fork")
    barrier, failures = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_open_new_stores, args=(tmp_path, 40, barrier, failures)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    refused = []
    while not failures.empty():
        refused.append(failures.get())
    assert not refused, refused[:3]
