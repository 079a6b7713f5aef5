"""`review` and `label` driven with scripted keys, as a coordinator would press them; a
review killed with SIGKILL; and `train` learning from the decisions."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime

import pandas as pd
import pytest

from classifier.dataset import read_coded
from classifier.preprocess import answer_hash
from classifier.queue import Diversify, LeastConfidence, group_answers
from classifier.registry import load_model
from classifier.store import AnnotationStore
from classifier.suggestions import review_order, suggest

from ..conftest import FRAME, ROOT

N_SURVEY = 220  # the whole held-out set: enough answers the model gets wrong


@pytest.fixture(scope="module")
def heldout():
    """Answers the model never trained on, with the codes they should have."""
    return read_coded([ROOT / "eval_data" / "heldout.csv"])


def write_survey(path, texts):
    """A survey export as Norwegian Excel writes it: ';'-separated, UTF-8 with BOM."""
    df = pd.DataFrame({"respondent_id": [f"R{i:03d}" for i in range(len(texts))], "svar": texts})
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


@pytest.fixture
def survey(project, heldout):
    texts = heldout.texts[:N_SURVEY] + [heldout.texts[0].upper() + "!!", "-", ""]  # a repeat; two non-answers
    return write_survey(project / "survey_2021.csv", texts)


def review_queue(coder, path):
    """The order `review` shows answers in, by the same library calls (default options)."""
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    items = group_answers(df["svar"].tolist())
    sugg = suggest(coder, items)
    queue = review_order(items, sugg, LeastConfidence(), coder.frame.multi_label, diversify=Diversify())
    return queue, sugg


def suggested_codes(coder, sugg, item):
    return [k for k, d in zip(coder.frame.keys, sugg.decided[sugg.get(item.key)]) if d]


def toggles(frame, start, target):
    """Keys that turn the codes `start` into `target` under the screen's rules."""
    by_code = {c: k for k, c in frame.shortcuts().items()}
    sel, keys = set(start), []
    for c in target:
        if c not in sel:
            keys.append(by_code[c])
            sel = {c} if c == frame.fallback else (sel - {frame.fallback}) | {c}
    for c in sorted(sel - set(target)):
        keys.append(by_code[c])
        sel.discard(c)
    assert sel == set(target)
    return keys


def test_scripted_review_store_resume_and_retrain(cli, project, survey, model_dir, heldout, tmp_path):
    coder = load_model(model_dir).coder
    gold = {answer_hash(t): lab for t, lab in zip(heldout.texts, heldout.labels)}
    queue, sugg = review_queue(coder, survey)

    # Walk the queue: accept where the model is right, correct it (to the right codes) where it
    # is wrong, until four corrections; then undo the last correction, skip that answer, quit.
    keys, expected, corrected = [], [], []
    for item in queue:
        sug = suggested_codes(coder, sugg, item)
        if sug == gold[item.key]:
            keys.append("enter")
            expected.append((item, "accept", sug, sug))
        else:
            keys += toggles(coder.frame, sug, gold[item.key]) + ["enter"]
            expected.append((item, "correct", gold[item.key], sug))
            corrected.append(item)
        if len(corrected) == 4 and any(e[1] == "accept" for e in expected):
            break
    assert len(corrected) == 4, "the survey needs answers the model gets wrong"
    undone = corrected.pop()
    keys += ["u", "s", "q"]
    expected += [(undone, "undo", [], []), (undone, "skip", [], suggested_codes(coder, sugg, undone))]

    code, out, err = cli("review", survey, "--model", model_dir, "--text-column", "svar",
                         "--annotator", "kari", "--keys", " ".join(keys))
    assert code == 0, err
    assert "Undid the correct of" in out

    store_path = project / "training_data" / "annotations.sqlite"
    with AnnotationStore(store_path) as store:
        rows = store.decisions()
        assert store.integrity_check() == "ok"
    assert len(rows) == len(expected)
    for row, (item, action, labels, sug) in zip(rows, expected):
        assert (row.answer_hash, row.text, row.action, row.labels) == (item.key, item.text, action, labels)
        assert row.annotator == "kari" and row.source == "survey_2021.csv" and row.frame_hash == coder.frame.hash
        assert row.model.startswith(model_dir.name + "@") and row.n_rows == item.n_rows
        if action != "undo":
            assert row.suggested == sug
        assert datetime.fromisoformat(row.created).tzinfo is not None
    undo_row = rows[-2]
    assert undo_row.undoes == rows[-3].id and rows[-3].answer_hash == undone.key
    assert [r.id for r in rows] == sorted(r.id for r in rows)

    # Resume: only the answers not decided yet are shown, each once.
    decided = {item.key for item, *_ in expected}
    rest = [it for it in queue if it.key not in decided]
    code, out, _ = cli("review", survey, "--model", model_dir, "--text-column", "svar", "--annotator", "kari",
                       "--keys", "q")
    assert code == 0
    first_screen = out.split("Key:")[0]
    assert f"Answer {len(decided) + 1} of {len(queue)}" in first_screen
    assert f"{len(decided)} done · {len(rest)} left in the queue" in first_screen
    assert rest[0].text.split()[0] in first_screen
    script = tmp_path / "keys.txt"
    script.write_text("\n" * (len(rest) + 3), encoding="utf-8")  # more Enters than answers left
    code, out, _ = cli("review", survey, "--model", model_dir, "--text-column", "svar", "--annotator", "kari",
                       "--script", script)
    assert code == 0 and "The queue is done" in out
    with AnnotationStore(store_path) as store:
        new = store.decisions()[len(rows):]
    assert [r.answer_hash for r in new] == [it.key for it in rest]  # the undecided ones, in queue order

    # Retrain: the decisions win over the training files, and the model follows the corrections.
    out_model = tmp_path / "retrained"
    code, out, err = cli("train", "--data", ROOT / "training_data", "--codeframe", FRAME, "--cv", "2",
                         "--out", out_model)
    assert code == 0, err
    assert "Review decisions from" in out
    retrained = load_model(out_model)
    assert retrained.metadata["annotations"]["n_used"] == len(queue) - 1  # every answer but the skipped one
    predicted = retrained.coder.predict([it.text for it in corrected])
    for item, row in zip(corrected, predicted):
        assert [k for k, d in zip(coder.frame.keys, row) if d] == gold[item.key], item.text


def test_without_a_terminal_review_and_label_refuse_at_once(cli, project, survey, model_dir, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for args in (("review", survey, "--model", model_dir), ("label", survey), ("adjudicate",),
                 ("review", survey, "--model", model_dir, "--split-work", "--double", "5")):
        code, out, err = cli(*args)
        assert code == 1 and "reads keys from a terminal" in err and "--script" in err
        assert "Traceback" not in err
    assert not (project / "training_data" / "annotations.sqlite").exists()


def test_piped_input_does_not_hang(project, survey):
    env = {**os.environ, "SURVEY_CODER_HOME": str(project)}
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "label", str(survey), "--text-column", "svar"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 1 and "terminal" in p.stderr


def test_label_codes_from_scratch_in_a_seeded_order(cli, project, survey):
    code, out, err = cli("label", survey, "--text-column", "svar", "--annotator", "Åse", "--shuffle", "--seed", "3",
                         "--no-suggestions", "--keys", "2 3 enter enter 5 enter d d1 ? zz q")
    assert code == 0, err
    assert "No code chosen" in out  # Enter with nothing chosen is refused, not saved
    assert "Code definitions" in out and "Includes:" in out and "switch a code on or off" in out
    assert "'zz' is not a key here" in out
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()
    assert [(r.labels, r.action, r.annotator, r.model) for r in rows] == [
        (["employer_cooperation", "practice_placements"], "correct", "Åse", ""), (["other"], "correct", "Åse", "")]
    # Same seed, same order: the next run starts with the third answer of that order.
    code, out2, _ = cli("label", survey, "--text-column", "svar", "--annotator", "Åse", "--shuffle", "--seed", "3",
                        "--no-suggestions", "--keys", "q")
    assert "Answer 3 of" in out2 and "2 done" in out2
    first_screen = out2.split("Key:")[0]
    assert all(r.text[:20] not in first_screen for r in rows)


def test_a_shortcut_that_clashes_with_a_command_is_refused(cli, project, survey, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[frame]\nname = "x"\n[[codes]]\nkey = "a"\nshortcut = "s"\n[[codes]]\nkey = "b"\n',
                   encoding="utf-8")
    code, _, err = cli("label", survey, "--codeframe", bad, "--keys", "q")
    assert code == 1 and "key 's'" in err and "skip" in err


def test_custom_shortcuts_and_norwegian_keys(cli, project, survey, tmp_path):
    frame = tmp_path / "ja_nei.toml"
    frame.write_text('[frame]\nname = "janei"\nmulti_label = false\n'
                     '[[codes]]\nkey = "ja"\nshortcut = "j"\n[[codes]]\nkey = "nei"\nshortcut = "n"\n'
                     '[[codes]]\nkey = "vet_ikke"\nname = "Vet ikke / usikker"\nshortcut = "æ"\n', encoding="utf-8")
    code, out, err = cli("label", survey, "--text-column", "svar", "--codeframe", frame, "--annotator", "per",
                         "--keys", "j enter æ enter q")
    assert code == 0, err
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        assert [r.labels for r in store.decisions()] == [["ja"], ["vet_ikke"]]


def _reader(pipe, buf):
    for chunk in iter(lambda: pipe.read1(4096) if hasattr(pipe, "read1") else pipe.read(1), b""):
        buf.append(chunk)


def _prompts(buf) -> int:
    return b"".join(buf).count(b"Key:")


def _wait(cond, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_sigkill_mid_session_loses_no_decision_and_no_data(project, survey, model_dir):
    store_path = project / "training_data" / "annotations.sqlite"
    env = {**os.environ, "SURVEY_CODER_HOME": str(project), "COLUMNS": "100"}
    p = subprocess.Popen(
        [sys.executable, "-u", str(ROOT / "cli.py"), "review", str(survey), "--model", str(model_dir),
         "--text-column", "svar", "--annotator", "kari", "--all", "--script", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    buf: list[bytes] = []
    t = threading.Thread(target=_reader, args=(p.stdout, buf), daemon=True)
    t.start()
    try:
        assert _wait(lambda: _prompts(buf) >= 1), b"".join(buf).decode() + p.stderr.read1(10000).decode()
        p.stdin.write(b"\n" * 5)  # five accepts, then wait until the sixth answer is on screen
        p.stdin.flush()
        assert _wait(lambda: _prompts(buf) >= 6)
        p.stdin.write(b"\n" * 30)  # a burst of keys, and the kill lands somewhere in the middle of it
        p.stdin.flush()
        time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    t.join(timeout=5)
    assert p.returncode == -signal.SIGKILL
    shown_after_a_decision = _prompts(buf) - 1  # every screen after the first follows a committed decision
    with AnnotationStore(store_path) as store:
        assert store.integrity_check() == "ok"
        rows = store.decisions()
    assert len(rows) >= max(5, shown_after_a_decision)
    print(f"killed after {len(rows)} decisions; {shown_after_a_decision} screens shown after one")
    assert len(rows) <= 35 and all(r.action == "accept" for r in rows)
    assert len({r.answer_hash for r in rows}) == len(rows)  # each answer decided once
    # A new session goes on after the last saved decision.
    queue_keys = [r.answer_hash for r in rows]
    with AnnotationStore(store_path) as store:
        assert store.decided_keys(rows[0].frame_hash, "kari") == set(queue_keys)


def test_one_key_table_drives_parsing_the_help_screen_and_the_footer(frame):
    from classifier.cli._keys import KEYS, key_name, parse
    from classifier.cli._screen import help_text
    from classifier.review import ReviewSession

    shortcuts = frame.shortcuts()
    assert parse("", shortcuts) == parse(" ENTER ", shortcuts) == parse("⏎", shortcuts) == ("accept", None)
    assert parse("2", shortcuts) == ("toggle", ["employer_cooperation"])
    assert parse("2 3", shortcuts) == parse("23", shortcuts) == ("toggle", ["employer_cooperation", "practice_placements"])
    assert parse("S", shortcuts) == parse("skip", shortcuts) == ("skip", None)
    assert parse("Def", shortcuts) == ("definition", None) and parse("d5", shortcuts) == ("definition", "other")
    assert parse("?", shortcuts) == parse("help", shortcuts) == ("help", None)
    assert parse("zz", shortcuts) == ("unknown", "zz")
    assert parse(">", shortcuts) == parse("more", shortcuts) == ("scroll_down", None)
    for key in KEYS:
        if key.action not in ("toggle", "definition", "quit", "help", "scroll_down", "scroll_up"):
            assert callable(getattr(ReviewSession, key.action)), key  # the session does what the row says
        if key.key:
            assert parse(key.key.upper(), shortcuts)[0] == key.action
    lines = help_text(shortcuts).plain.splitlines()
    assert len(lines) == sum(bool(k.help) for k in KEYS) and "1/2/3/4/5    switch a code on or off" in lines[1]
    assert len({line.index(k.help) for line, k in zip(lines, [k for k in KEYS if k.help])}) == 1  # one column
    footer = [key_name(k, shortcuts, footer=True) for k in KEYS if k.label]
    assert footer == ["Enter", "1/2/3/4/5", "s", "u", "b", "d", "q", "?"]  # scrolling is named in the answer's panel
