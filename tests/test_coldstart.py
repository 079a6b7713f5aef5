"""Cold start: keyword suggestions, then models trained as decisions come in (in this process,
or in a child process that may die), and the order they choose."""

from __future__ import annotations

import os
import signal
from collections import Counter

import numpy as np
import pytest

import classifier.coldstart as coldstart
from classifier import i18n
from classifier.codeframe import Code, CodeFrame
from classifier.coders import MIN_EXAMPLES
from classifier.coldstart import RETRAIN_EVERY, ColdStartSession, keyword_suggester
from classifier.errors import Errors, Notes
from classifier.queue import group_answers, least_confidence
from classifier.store import AnnotationStore

N_ITEMS = 160


@pytest.fixture(scope="module")
def answers(training_answers, frame):
    """The first distinct training answers, in file order, with their gold codes."""
    items = group_answers(training_answers.texts)[:N_ITEMS]
    gold = {it.key: [k for k in frame.keys if k in training_answers.labels[it.rows[0]]] for it in items}
    return items, gold


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(tmp_path / "annotations.sqlite")
    yield s
    s.close()


def session(store, frame, items, mode="wait"):
    return ColdStartSession(store, items, frame, source="new.csv", annotator="kari", all_items=items, fit_mode=mode)


def code(s, gold, n):
    """Give `n` answers their gold codes; (key, suggester kind, outcome message) of each."""
    out = []
    for _ in range(n):
        screen = s.current()
        kind = s.suggester.kind
        s.selection = list(gold[screen.item.key])
        result = s.accept()
        assert result.ok
        out.append((screen.item.key, kind, result.message))
    return out


def first_enough(keys, gold) -> int:
    """How many answers of `keys` are coded when every code first has MIN_EXAMPLES."""
    counts = Counter()
    for i, k in enumerate(keys, 1):
        counts.update(gold[k])
        if min(counts[c] for c in ("education_guidance", "employer_cooperation", "practice_placements",
                                   "work_pathways", "other")) >= MIN_EXAMPLES:
            return i
    raise AssertionError("never enough")


def test_keyword_suggestions_only_where_an_example_matches(frame):
    items = group_answers(["Praksisplasser.", "Vi trenger NOKUT og bedre kontakt med bedrifter", "Bolig"])
    sug = keyword_suggester(frame, items)
    assert sug.kind == "keywords" and sug.version == "keywords"
    codes = [[k for k, d in zip(frame.keys, row) if d] for row in sug.suggestions.decided]
    assert codes == [["practice_placements"], ["education_guidance", "employer_cooperation"], ["other"]]
    yes_no = CodeFrame("ja_nei", (Code("ja", examples=("ja", "gjerne")), Code("nei", examples=("nei",))),
                       multi_label=False)
    sug = keyword_suggester(yes_no, group_answers(["Ja, gjerne", "Vet ikke"]))
    assert sug.suggestions.decided.tolist() == [[1, 0], [0, 0]]  # no example in it: no guess
    assert keyword_suggester(CodeFrame("bare", (Code("a"), Code("b"))), items).kind == "none"


def test_keywords_first_then_a_model_and_its_order(store, frame, answers):
    items, gold = answers
    s = session(store, frame, items)
    screen = s.current()
    assert s.status.startswith(Notes.COLDSTART_KEYWORDS) and "education_guidance has 0" in s.status
    assert screen.item.text == "Praksisplasser." and screen.suggested == ["practice_placements"]
    assert screen.proba == {} and screen.confidence is None  # a keyword's prior is not shown as a probability
    enough = first_enough([it.key for it in items], gold)
    done = code(s, gold, enough)
    assert {kind for _, kind, _ in done} == {"keywords"}
    assert [k for k, _, _ in done] == [it.key for it in items[:enough]]  # file order until the model
    # The model is trained on those answers and suggests from the very next answer on.
    assert s.suggester.kind == "model" and s.suggester.n_answers == enough
    assert s.status == Notes.COLDSTART_MODEL.format(n=enough)
    screen = s.current()
    assert screen.confidence is not None and set(screen.proba) == set(frame.keys)
    assert screen.item.key == items[enough].key  # it was on its way already: only its codes are the model's
    model = s.suggester
    shown = [k for k, _, _ in code(s, gold, RETRAIN_EVERY)]
    decided = {k for k, _, _ in done} | {shown[0]}
    assert shown[1:] == [k for k in model.order if k not in decided][: RETRAIN_EVERY - 1]  # the model's order
    assert shown[1:] != [it.key for it in items[enough + 1: enough + RETRAIN_EVERY]]
    unsure = least_confidence(model.suggestions.proba)
    first = [unsure[model.suggestions.get(k)] for k in shown[1:6]]
    assert np.mean(first) > np.quantile(unsure, 0.75)  # the least sure come first
    # Retrained after RETRAIN_EVERY more answers.
    assert s.suggester.n_answers == enough + RETRAIN_EVERY
    models = [d.model for d in store.decisions()]
    assert models[:enough] == ["keywords"] * enough
    assert models[enough: enough + RETRAIN_EVERY] == [f"coldstart-{enough}"] * RETRAIN_EVERY


def test_a_fit_that_fails_keeps_the_suggester_and_is_tried_again_later(store, frame, answers, monkeypatch):
    items, gold = answers
    calls = []

    def fail(**job):
        calls.append(len(job["texts"]))
        raise ValueError("too few answers in a fold")

    monkeypatch.setattr(coldstart, "fit_suggester", fail)
    s = session(store, frame, items)
    enough = first_enough([it.key for it in items], gold)
    done = code(s, gold, enough + RETRAIN_EVERY)
    messages = [(i, m) for i, (_, _, m) in enumerate(done, 1) if m]
    said = [(n, Notes.COLDSTART_FIT_FAILED.format(n=n, reason="ValueError: too few answers in a fold"))
            for n in (enough, enough + RETRAIN_EVERY)]
    assert messages == said  # said once with the answer after it, then quiet until the next try
    assert calls == [enough, enough + RETRAIN_EVERY]  # once, then only after RETRAIN_EVERY more
    assert s.suggester.kind == "keywords" and {kind for _, kind, _ in done} == {"keywords"}
    assert store.count() == enough + RETRAIN_EVERY  # every decision kept


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_background_fit_in_a_child_process_and_one_that_is_killed(store, frame, answers, tmp_path):
    items, gold = answers
    s = session(store, frame, items, mode="process")
    enough = first_enough([it.key for it in items], gold)
    code(s, gold, enough)
    assert s.fitter.busy and s.fitter.pid is not None and s.suggester.kind == "keywords"
    assert s.status.endswith(Notes.COLDSTART_TRAINING.format(n=enough))
    code(s, gold, 2)  # keys go on while it fits
    assert s.wait_for_fit(120) or s.suggester.kind == "model"
    assert s.suggester.kind == "model" and s.suggester.n_answers == enough
    # The same model as one fitted in this process on the same answers.
    with AnnotationStore(tmp_path / "other.sqlite") as other:
        here = session(other, frame, items)
        code(here, gold, enough)
        assert np.allclose(here.suggester.suggestions.proba, s.suggester.suggestions.proba)
    # The next fit's process dies (as under the out-of-memory killer): the model stays.
    code(s, gold, RETRAIN_EVERY - 2)
    assert s.fitter.busy
    os.kill(s.fitter.pid, signal.SIGKILL)
    assert not s.wait_for_fit(60)
    assert s.suggester.n_answers == enough
    message = code(s, gold, 1)[0][2]
    assert message == Notes.COLDSTART_FIT_FAILED.format(
        n=enough + RETRAIN_EVERY, reason=Errors.FIT_PROCESS_DIED.format(code=-9))
    assert store.count() == enough + RETRAIN_EVERY + 1 and store.integrity_check() == "ok"
    s.quit()


def test_a_fit_in_a_child_says_why_it_failed_in_the_session_language(frame, answers):
    """The job carries the session's language: a spawned child starts in English."""
    items, gold = answers
    few = items[:3]
    job = {"frame": frame, "texts": [it.text for it in few], "labels": [gold[it.key] for it in few],
           "items": few, "open_keys": [], "language": "nb"}
    try:
        kind, reason = coldstart._run(job)
        assert kind == "error"
    finally:
        i18n.use_language(None)
    kind, english = coldstart._run({k: v for k, v in job.items() if k != "language"})
    assert kind == "error" and reason != english  # the same failure, in Norwegian and in English
    assert "language" in job  # the caller's job is left as it was
