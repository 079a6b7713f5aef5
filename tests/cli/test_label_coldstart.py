"""`label` for a new question: suggestions from the code frame, then from a model trained as
decisions come in (the screen says which), with scripted keys; a SIGKILL while a model is
being fitted in the background loses no decision."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from classifier.errors import Notes
from classifier.store import AnnotationStore

from ..conftest import ROOT
from .test_review import _wait

N_ANSWERS = 100
MODEL = re.compile(r"suggestions: model trained on (\d+) answers")


@pytest.fixture
def new_question(project, training_answers):
    """A survey of a new question: the first distinct training answers, ';'-separated."""
    texts = list(dict.fromkeys(training_answers.texts))[:N_ANSWERS]
    path = project / "new_question.csv"
    pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], "svar": texts}).to_csv(
        path, sep=";", index=False, encoding="utf-8-sig")
    return path


def store_rows(project):
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        return store.decisions()


def test_label_suggests_from_the_code_frame_then_from_a_model(cli, project, new_question):
    keys = " ".join(["enter"] * 90 + ["q"])  # the coordinator takes every suggestion
    code, out, err = cli("label", new_question, "--text-column", "svar", "--annotator", "kari", "--keys", keys)
    assert code == 0, err
    shown = out.split("Key:")[:-1]
    first = shown[0]
    assert Notes.COLDSTART_KEYWORDS in first and "Answer 1 of 100" in first and " p " not in first
    assert re.search(r"3\s+✓\s+practice_placements", first)  # "Praksisplasser." ticked from the frame's examples
    switch = next(i for i, s in enumerate(shown) if MODEL.search(s))
    n = int(MODEL.search(shown[switch]).group(1))
    assert n == switch  # trained on every answer coded before it, used from the next one on
    assert all(Notes.COLDSTART_KEYWORDS in s for s in shown[:switch])
    assert all(MODEL.search(s) for s in shown[switch:])
    assert "model confidence" in shown[switch] and "model confidence" not in shown[switch - 1]
    rows = store_rows(project)
    assert len(rows) == 90 and {r.action for r in rows} == {"accept"}
    texts = pd.read_csv(new_question, sep=";", dtype=str, encoding="utf-8-sig")["svar"].tolist()
    coded = [r.text for r in rows]
    assert coded[: switch + 1] == texts[: switch + 1]  # file order while the keywords suggest
    assert coded[switch + 1:] != texts[switch + 1: 90]  # then the model's order
    numbers = [int(re.search(r"Answer (\d+) of", s).group(1)) for s in shown]
    assert numbers == list(range(1, 92))  # numbered as they come on screen (the 91st: q)
    assert [r.model for r in rows] == ["keywords"] * n + [f"coldstart-{n}"] * (90 - n)
    assert all(r.suggested == r.labels for r in rows)
    # A rerun trains at once on the answers coded so far (not asked again).
    code, out, err = cli("label", new_question, "--text-column", "svar", "--annotator", "kari", "--keys", "q")
    assert code == 0, err
    assert Notes.COLDSTART_MODEL.format(n=90) in out and "90 done" in out


def test_no_suggestions_for_blind_coding(cli, project, new_question):
    code, out, err = cli("label", new_question, "--text-column", "svar", "--no-suggestions", "--keys", "3 enter q")
    assert code == 0, err
    assert "suggestions:" not in out and "✓" not in out.split("Key:")[0]
    assert [(r.labels, r.action, r.model) for r in store_rows(project)] == [(["practice_placements"], "correct", "")]


def test_the_screen_names_the_suggester_in_norwegian(cli, project, new_question):
    code, out, err = cli("label", new_question, "--text-column", "svar", "--lang", "nb", "--keys", "q")
    assert code == 0, err
    assert "forslag: eksemplene i kodeskjemaet (en modell når hver kode har 10 svar;" in out


def test_an_unknown_fit_mode_is_one_line(cli, project, new_question, monkeypatch):
    monkeypatch.setenv("SURVEY_CODER_FIT", "later")
    code, out, err = cli("label", new_question, "--text-column", "svar", "--keys", "q")
    assert code == 1 and "SURVEY_CODER_FIT is 'later'" in err and "process, thread, wait" in err
    assert "Traceback" not in err


def _fit_processes(pid: int) -> list[int]:
    """The children of `pid` that run a fit (spawned by multiprocessing; not its resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(child)
            except OSError:
                pass
    return found


def _gone(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return True


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or not hasattr(signal, "SIGKILL"),
                    reason="needs Linux /proc and SIGKILL")
def test_sigkill_during_a_background_fit_loses_no_decision(project, new_question):
    store_path = project / "training_data" / "annotations.sqlite"
    env = {**os.environ, "SURVEY_CODER_HOME": str(project), "COLUMNS": "100", "SURVEY_CODER_FIT": "process"}
    p = subprocess.Popen([sys.executable, "-u", str(ROOT / "cli.py"), "label", str(new_question), "--text-column",
                          "svar", "--annotator", "kari", "--script", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    buf: list[bytes] = []
    reader = threading.Thread(target=lambda: [buf.append(c) for c in iter(lambda: p.stdout.read1(4096), b"")],
                              daemon=True)
    reader.start()
    text = lambda: b"".join(buf).decode("utf-8", "replace")  # noqa: E731
    fitting = Notes.COLDSTART_TRAINING.split("{n}")[0].strip(" ·")  # "training a model on"
    child = None
    try:
        pressed = 0
        assert _wait(lambda: text().count("Key:") > 0), text()[-3000:]
        while fitting not in text().split("Key:")[-2]:  # Enter, five at a time, until a fit is running
            assert pressed < N_ANSWERS - 15, text()[-3000:]
            p.stdin.write(b"\n" * 5)
            p.stdin.flush()
            pressed += 5
            assert _wait(lambda n=pressed: text().count("Key:") > n), text()[-3000:]
        children = _fit_processes(p.pid)
        assert len(children) == 1, "the fit runs in a child process"
        child = children[0]
        p.stdin.write(b"\n" * 3)  # keys go on while it fits: three more answers on screen
        p.stdin.flush()
        assert _wait(lambda: text().count("Key:") > pressed + 3, timeout=30)
        pressed += 3
        assert fitting in text().split("Key:")[-2]  # still fitting when the next answer came up
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    reader.join(timeout=5)
    assert p.returncode == -signal.SIGKILL
    with AnnotationStore(store_path) as store:
        assert store.integrity_check() == "ok"
        rows = store.decisions()
    assert len(rows) == pressed and len({r.answer_hash for r in rows}) == pressed  # each answer once, none lost
    # The orphaned fit finishes or fails on its own and exits; it never wrote to the store.
    assert _wait(lambda: _gone(child), timeout=120)
    with AnnotationStore(store_path) as store:
        assert len(store.decisions()) == pressed
