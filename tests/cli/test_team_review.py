"""Reviewing as a team: two coordinators at once on one file with --split-work (two real
processes), resume by answer across files, a crashed coordinator's answer handed on,
single-key mode on a real terminal, and double coding -> agreement -> adjudicate -> train."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from classifier.preprocess import answer_hash
from classifier.registry import load_model
from classifier.store import AnnotationStore

from ..conftest import FRAME, ROOT
from .test_review import _prompts, _reader, _wait, review_queue, write_survey

TITLE = re.compile(r"Answer (\d+) of (\d+)")


@pytest.fixture
def survey(project):
    texts = pd.read_csv(ROOT / "eval_data" / "heldout.csv", dtype=str, keep_default_na=False)["text"].tolist()
    return write_survey(project / "survey_2021.csv", texts[:120])


def env_for(project):
    return {**os.environ, "SURVEY_CODER_HOME": str(project), "COLUMNS": "100", "PYTHONUNBUFFERED": "1"}


def start_review(project, survey, model_dir, who, *extra):
    p = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "review", str(survey), "--model", str(model_dir), "--text-column",
         "svar", "--annotator", who, "--split-work", "--script", "-", *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(project))
    buf: list[bytes] = []
    threading.Thread(target=_reader, args=(p.stdout, buf), daemon=True).start()
    return p, buf


def screens(buf) -> list[int]:
    """The number of the answer on each screen shown (its place in the queue)."""
    text = b"".join(buf).decode("utf-8", "replace")
    return [int(m.group(1)) for m in TITLE.finditer(text)]


def test_two_coordinators_on_one_file_split_the_work_and_never_code_the_same_answer(project, survey, model_dir):
    coder = load_model(model_dir).coder
    queue, _ = review_queue(coder, survey)
    n = 20  # Enters each: both race through the same queue at full speed
    procs = {who: start_review(project, survey, model_dir, who) for who in ("anna", "per")}
    try:
        for who, (p, buf) in procs.items():
            assert _wait(lambda b=buf: _prompts(b) >= 1), (who, b"".join(buf)[-2000:], p.stderr.read1(4000))
        for p, _ in procs.values():  # both at once
            p.stdin.write(b"\n" * n)
            p.stdin.flush()
        for p, _ in procs.values():
            p.stdin.close()  # the end of the keys: quit
        for p, _ in procs.values():
            p.wait(timeout=180)
    finally:
        for p, _ in procs.values():
            if p.poll() is None:
                p.kill()
    time.sleep(0.2)
    shown = {who: screens(buf) for who, (p, buf) in procs.items()}
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()
        assert store.integrity_check() == "ok"
        assert store.conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0  # released on quit
    print({who: (len(s), s[:8]) for who, s in shown.items()}, "decisions:", len(rows))
    by = {who: [r.answer_hash for r in rows if r.annotator == who] for who in shown}
    for who in shown:
        assert procs[who][0].returncode == 0
        assert len(shown[who]) == n + 1  # every Enter answered, and one more screen when the keys ran out
        # Every answer shown and accepted was recorded, in the order shown (the last one was on screen at quit).
        assert by[who] == [queue[i - 1].key for i in shown[who][:-1]]
    # Nobody was shown, while still pressing keys, an answer the other decided or was working on.
    # (The last screen of each, on screen when the keys ran out, is left undecided and released at
    # quit: the other may then get it, and decide it.)
    working = {who: set(s[:-1]) for who, s in shown.items()}
    assert not working["anna"] & working["per"], f"both shown {sorted(working['anna'] & working['per'])}: {shown}"
    assert not set(by["anna"]) & set(by["per"]) and len(rows) == 2 * n
    assert min(shown["anna"]) <= 3 and min(shown["per"]) <= 3  # they really worked the queue side by side


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_killed_coordinators_answer_goes_to_the_next_at_once(project, survey, model_dir, cli):
    p, buf = start_review(project, survey, model_dir, "kari")
    try:
        assert _wait(lambda: _prompts(buf) >= 1), p.stderr.read1(4000)
        p.stdin.write(b"\n" * 3)
        p.stdin.flush()
        assert _wait(lambda: _prompts(buf) >= 4)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    on_screen = screens(buf)[-1]  # reserved for kari when she was killed: a crash cannot release it
    store_path = project / "training_data" / "annotations.sqlite"
    with AnnotationStore(store_path) as store:
        assert store.integrity_check() == "ok" and store.count() == 3
        assert store.conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 1
    code, out, err = cli("review", survey, "--model", model_dir, "--text-column", "svar", "--annotator", "per",
                         "--split-work", "--keys", "q")
    assert code == 0, err
    assert screens([out.encode()])[0] == on_screen  # her process is dead: per gets it straight away


def test_reviewing_the_coded_file_after_the_raw_file_asks_nothing_twice(cli, project, survey, model_dir):
    coded = project / "survey_2021_coded.csv"
    code, _, err = cli("predict", survey, "--model", model_dir, "--text-column", "svar", "--out", coded)
    assert code == 0, err
    args = ("--model", model_dir, "--text-column", "svar", "--annotator", "kari")
    code, out, err = cli("review", survey, *args, "--keys", " ".join(["enter"] * 10 + ["s", "q"]))
    assert code == 0, err
    code, out, err = cli("review", coded, *args, "--keys", "q")  # the file predict's own hint names
    first = out.split("Key:")[0]
    assert "Answer 12 of" in first and "11 done" in first
    assert "Not asked again: 11 of this file's answers, already decided in another file" in first
    code, out, err = cli("review", coded, *args, "--keys", " ".join(["enter"] * 300))
    assert code == 0 and "The queue is done" in out
    code, out, _ = cli("review", survey, *args, "--keys", "enter")  # and back in the raw file: nothing left
    assert "The queue is done" in out and "Key:" not in out
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()
    keys = [r.answer_hash for r in rows]
    assert len(keys) == len(set(keys))  # no answer asked (and decided) twice
    assert {r.source for r in rows} == {"survey_2021.csv", "survey_2021_coded.csv"}
    assert set(keys) == {it.key for it in review_queue(load_model(model_dir).coder, survey)[0]}


def _read_until(fd, needle: bytes, timeout=120) -> bytes:
    out = b""
    end = time.time() + timeout
    while needle not in out and time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_on_a_terminal_keys_act_without_enter(project, survey, model_dir):
    import pty
    import termios

    coder = load_model(model_dir).coder
    queue, sugg = review_queue(coder, survey)
    first = queue[0]
    suggested = [k for k, d in zip(coder.frame.keys, sugg.decided[sugg.get(first.key)]) if d]
    code = next(c for c in ("education_guidance", "practice_placements") if c not in suggested)
    key = {c: k for k, c in coder.frame.shortcuts().items()}[code]
    expected = [k for k in coder.frame.keys if k in (set(suggested) - {coder.frame.fallback}) | {code}]

    master, slave = pty.openpty()
    os.set_blocking(master, False)
    before = termios.tcgetattr(slave)
    p = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "review", str(survey), "--model", str(model_dir), "--text-column",
         "svar", "--annotator", "kari", "--split-work"],
        stdin=slave, stdout=slave, stderr=slave, env={**env_for(project), "TERM": "xterm"}, close_fds=True)
    try:
        assert b"Key" in _read_until(master, b"Key")
        os.write(master, key.encode())  # a code's key, no Enter: the screen shows it toggled at once
        assert b"Key" in _read_until(master, b"Key", timeout=30)
        os.write(master, b"\r")  # Enter alone: accept, and the next answer comes
        assert b"Answer 2 of" in _read_until(master, b"Answer 2 of", timeout=30)
        _read_until(master, b"Key", timeout=30)
        p.send_signal(signal.SIGTERM)  # closed from outside: it still tidies up
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    after = termios.tcgetattr(slave)
    os.close(master)
    os.close(slave)
    assert p.returncode == 128 + signal.SIGTERM
    assert after[3] == before[3]  # the terminal's echo and line editing are back
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()
        assert store.conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0  # released
    assert [(r.answer_hash, r.labels) for r in rows] == [(first.key, expected)]


def test_double_coding_agreement_adjudication_and_training(cli, project, survey, model_dir, tmp_path):
    args = ("--model", model_dir, "--text-column", "svar", "--split-work")
    # anna plans a sample of 6 answers and codes them blind; per codes the same 6 blind, then one more.
    code, out, err = cli("review", survey, *args, "--annotator", "anna", "--double", "6", "--seed", "4",
                         "--keys", "1 enter 1 enter 1 enter 2 enter 2 enter 5 enter q")
    assert code == 0, err
    first = out.split("Key:")[0]
    assert "Planned a double-coding sample of 6 answers" in first and "double coding: blind" in first
    assert "✓" not in first and "model confidence" not in first and "pushed up by" not in first
    code, out, err = cli("review", survey, *args, "--annotator", "per",
                         "--keys", "1 enter 3 enter 1 enter 4 enter 2 enter 5 enter enter q")
    assert code == 0, err
    blind = set(re.findall(r"Answer (\d+) of \d+ · double coding: blind", out))
    assert blind == {"1", "2", "3", "4", "5", "6"} and "6 answers of the double-coding sample come first" in out
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()
    sample = [r.answer_hash for r in rows if r.annotator == "anna"]
    assert len(sample) == 6 and [r.answer_hash for r in rows if r.annotator == "per"][:6] == sample
    assert all(r.suggested == [] for r in rows[:12])  # nothing was suggested on a blind screen

    code, out, err = cli("agreement", "--seed", "1")
    assert code == 0, err
    assert "Agreement of 2 annotators (anna, per) on 6 answers" in out and "95 % interval" in out
    assert "2 answers they disagree on (0 adjudicated)" in out and "survey-coder adjudicate" in out, out

    # lise settles both: each screen shows both codings; she records her own final codes.
    code, out, err = cli("adjudicate", "--annotator", "lise", "--keys", "4 enter 1 4 enter q")
    assert code == 0, err
    assert "Disagreement 1 of 2" in out and "coded by anna, per" in out and "Every disagreement has its final codes" in out
    code, out, err = cli("agreement")
    assert "2 answers they disagree on (2 adjudicated)" in out  # the coders' own codings are kept

    small = tmp_path / "small.csv"  # a small training file keeps the fit quick
    pd.read_csv(ROOT / "eval_data" / "heldout.csv", dtype=str, keep_default_na=False).iloc[120:].to_csv(
        small, index=False)
    code, out, err = cli("train", "--data", small, "--codeframe", FRAME, "--cv", "2", "--out", tmp_path / "m")
    assert code == 0, err
    assert "(2 of them from adjudication)" in out and "--disagreement adjudicated" in out
    meta = load_model(tmp_path / "m").metadata["annotations"]
    assert meta["rule"] == "adjudicated" and meta["n_adjudicated"] == 2 and meta["n_disagreements"] == 2
    code, out, err = cli("export", "--latest", "--out", tmp_path / "latest.csv")
    latest = pd.read_csv(tmp_path / "latest.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    final = dict(zip(latest["answer_hash"], latest["labels"]))  # what training used, per answer
    disputed = [sample[1], sample[3]]  # anna and per differ on the 2nd and the 4th answer
    assert [final[k] for k in disputed] == ["work_pathways", "education_guidance;work_pathways"]
    assert final[sample[0]] == "education_guidance" and answer_hash(rows[0].text) == sample[0]
