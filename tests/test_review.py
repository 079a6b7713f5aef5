"""The review session as a plain object: keys in, decisions in the store, screen state out."""

from __future__ import annotations

import pytest

from classifier.codeframe import Code, CodeFrame
from classifier.explain import explain_texts, word_weights
from classifier.preprocess import answer_hash
from classifier.queue import FileOrder, LeastConfidence, group_answers, rank
from classifier.review import ReviewSession
from classifier.store import AnnotationStore
from classifier.suggestions import review_order, suggest

ANSWERS = ["Praksisplasser!", "Bolig", "praksisplasser", "Godkjenning av utdanning fra hjemlandet (NOKUT)",
           "Samarbeid med lokale arbeidsgivere", "Tolk", "-", "Jobbsjansen og bransjekurs"]


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(tmp_path / "annotations.sqlite")
    yield s
    s.close()


def label_session(store, frame, annotator="kari", **kw):
    items = group_answers(ANSWERS)
    return ReviewSession(store, items, frame, None, source="survey.csv", annotator=annotator, all_items=items, **kw)


def test_label_session_codes_answers_in_order_and_records_each(store, frame):
    s = label_session(store, frame)
    assert s.progress().total == 6 and s.current().item.n_rows == 2  # "Praksisplasser" x2, "-" left out
    assert s.current().selected == [] and s.current().suggested == []
    assert not s.accept().ok  # nothing chosen yet: refused, nothing written
    assert store.count() == 0
    s.toggle("practice_placements")
    assert s.accept().ok
    rows = store.decisions()
    assert [(r.text, r.labels, r.action, r.n_rows, r.row_ids, r.annotator, r.source, r.frame_hash) for r in rows] == [
        ("Praksisplasser!", ["practice_placements"], "correct", 2, "2;4", "kari", "survey.csv", frame.hash)]
    assert s.current().item.text == "Bolig"
    assert s.progress().done == 1 and s.progress().decisions == 1


def test_toggle_keeps_the_fallback_alone(store, frame):
    s = label_session(store, frame)
    s.toggle("education_guidance")
    s.toggle("work_pathways")
    assert s.current().selected == ["education_guidance", "work_pathways"]
    s.toggle("other")  # the fallback clears the rest
    assert s.current().selected == ["other"]
    s.toggle("employer_cooperation")  # a substantive code clears the fallback
    assert s.current().selected == ["employer_cooperation"]
    s.toggle("employer_cooperation")
    assert s.current().selected == []
    assert not s.toggle("nonsense").ok


def test_single_choice_frame_keeps_one_code(store):
    frame = CodeFrame("yesno", (Code("yes"), Code("no"), Code("unsure")), multi_label=False)
    s = label_session(store, frame)
    s.toggle("yes")
    s.toggle("no")
    assert s.current().selected == ["no"]


def test_skip_undo_back_and_resume(store, frame, tmp_path):
    s = label_session(store, frame)
    s.toggle("practice_placements")
    s.accept()  # Praksisplasser
    s.toggle("other")
    s.accept()  # Bolig
    s.skip()  # Godkjenning ...
    assert s.current().item.text.startswith("Samarbeid")
    out = s.undo()  # takes back the skip: that answer is on screen again
    assert out.ok and s.current().item.text.startswith("Godkjenning")
    assert s.progress().done == 2 and s.progress().undos == 1
    s.back()  # Bolig, as decided
    screen = s.current()
    assert screen.item.text == "Bolig" and screen.previous.labels == ["other"] and screen.selected == ["other"]
    s.accept()  # unchanged: nothing new is written, and we are back where we were
    assert store.count() == 4 and s.current().item.text.startswith("Godkjenning")
    s.back()
    s.toggle("employer_cooperation")  # change of mind about Bolig: a new decision wins
    s.accept()
    assert [(r.text, r.action, r.labels) for r in store.decisions()][-1] == ("Bolig", "correct", ["employer_cooperation"])
    assert s.current().item.text.startswith("Godkjenning")
    s.quit()
    assert s.current() is None

    # Resume: a new session only shows what kari has not decided.
    s2 = label_session(store, frame)
    assert s2.current().item.text.startswith("Godkjenning")
    assert s2.progress().done == 2 and s2.progress().remaining == 4
    # Undo after the restart takes back the latest decision from the earlier session.
    out = s2.undo()
    assert out.ok and s2.current().item.text == "Bolig"
    assert store.latest_for(answer_hash("Bolig"), frame.hash, "kari").labels == ["other"]
    # Another annotator starts from the beginning (double coding for agreement) ...
    assert label_session(store, frame, annotator="per").current().item.text == "Praksisplasser!"
    # ... unless the work is split: then what kari decided is left out for per too.
    split = label_session(store, frame, annotator="per", others_count=True)
    assert split.current().item.text.startswith("Godkjenning") and split.progress().done == 2


def test_limit_and_the_end_of_the_queue(store, frame):
    s = label_session(store, frame, limit=2)
    assert s.progress().total == 2
    for _ in range(2):
        s.skip()
    assert s.current() is None and not s.accept().ok and not s.skip().ok
    assert s.progress().remaining == 0 and s.undo().ok and s.current() is not None


def test_nothing_to_undo_or_go_back_to(store, frame):
    s = label_session(store, frame)
    assert not s.undo().ok and not s.back().ok
    assert store.count() == 0


def test_review_session_suggests_and_records_accept_or_correct(store, model):
    coder = model.coder
    items = group_answers(ANSWERS)
    sugg = suggest(coder, items)
    queue = review_order(items, sugg, LeastConfidence(), coder.frame.multi_label, include_all=True)
    assert sorted(it.key for it in queue) == sorted(it.key for it in items)
    first_needs = [it.key for it in queue][: int(sugg.needs_review.sum())]
    assert all(sugg.needs_review[sugg.get(k)] for k in first_needs)  # the unsure ones first
    s = ReviewSession(store, queue, coder.frame, coder, source="s.csv", annotator="kari", suggestions=sugg,
                      model_version="m@1", all_items=items)
    screen = s.current()
    assert screen.suggested and screen.selected == screen.suggested
    assert set(screen.proba) == set(coder.frame.keys) and 0 <= screen.confidence <= 1
    s.accept()
    wrong = next(k for k in coder.frame.substantive if k not in s.current().suggested)
    s.toggle(wrong)
    s.accept()
    a, c = store.decisions()
    assert (a.action, a.labels, a.suggested, a.model) == ("accept", screen.suggested, screen.suggested, "m@1")
    assert c.action == "correct" and wrong in c.labels and c.labels != c.suggested


def test_highlighting_finds_the_words(model):
    text = "Vi trenger flere språkpraksisplasser og samarbeid med NAV"
    words = word_weights(model.coder, text, ["practice_placements"])["practice_placements"]
    top = text[words[0][0]:words[0][1]]
    assert top == "språkpraksisplasser"
    assert all(w > 0 for _, _, w in words)
    assert word_weights(model.coder, text, []) == {}


def test_highlighting_and_explain_put_the_same_weight_on_each_word(model):
    """One mapping from features to words: a highlighted word's weight is what `explain`
    gives that word (its stem features plus its n-grams)."""
    coder = model.coder
    text = "Vi trenger flere språkpraksisplasser og samarbeid med NAV om jobb"
    exp = explain_texts(coder, [text], top=10_000)[0]
    checked = 0
    for code in coder.frame.keys:
        by_word: dict[str, float] = {}
        for t in exp.codes[code].up + exp.codes[code].down:
            by_word[t.label.lower()] = by_word.get(t.label.lower(), 0.0) + t.weight
        for start, end, weight in word_weights(coder, text, [code])[code]:
            assert weight == pytest.approx(by_word[text[start:end].lower()], rel=1e-6, abs=1e-9)
            checked += 1
    assert checked >= len(coder.frame.keys)


def test_file_order_label_queue_is_the_file(store, frame):
    items = group_answers(ANSWERS)
    assert [items[i].text for i in rank(items, FileOrder())][:2] == ["Praksisplasser!", "Bolig"]


# -- resume by answer, undo that shows the truth, positions ---------------------------------------
def test_resume_goes_by_answer_not_by_file(store, frame):
    s = label_session(store, frame)
    s.toggle("practice_placements")
    s.accept()  # Praksisplasser
    s.skip()  # Bolig
    s.quit()
    # The same answers in another file (another order, other spellings): nothing is asked twice.
    items = group_answers(["Bolig!", "Tolk", "PRAKSISPLASSER", "Ny tekst her"])
    other = ReviewSession(store, items, frame, None, source="survey_coded.csv", annotator="kari", all_items=items)
    assert other.elsewhere == 2 and other.progress().done == 2 and other.current().item.text == "Tolk"
    assert other.number[answer_hash("tolk")] == 2  # its place in this file's queue
    # Per has decided nothing: he gets all of them (each their own queue) ...
    assert ReviewSession(store, items, frame, None, source="x.csv", annotator="per", all_items=items).progress().done == 0
    # ... unless the work is split: then kari's decisions count for him too, wherever they were made.
    split = ReviewSession(store, items, frame, None, source="x.csv", annotator="per", all_items=items,
                          others_count=True)
    assert split.progress().done == 2 and split.elsewhere == 2
    split.quit()


def test_undo_after_a_restart_shows_the_decision_now_in_force(store, frame):
    s = label_session(store, frame)
    s.toggle("practice_placements")
    s.accept()  # Praksisplasser: practice_placements
    s.back()
    s.toggle("employer_cooperation")
    s.accept()  # changed: practice_placements + employer_cooperation (the decision in force)
    s.toggle("other")
    s.accept()  # Bolig: other
    s.quit()

    s2 = label_session(store, frame)  # a restart
    out = s2.undo()  # takes back Bolig's coding: nothing of kari's is in force on it now
    screen = s2.current()
    assert screen.item.text == "Bolig" and screen.previous is None and screen.selected == []
    assert "no decision of yours now" in out.message
    assert not s2.accept().ok  # Enter does not silently record the undone coding again
    out = s2.undo()  # takes back the change on Praksisplasser: the first coding is in force again
    screen = s2.current()
    assert screen.item.text == "Praksisplasser!" and screen.previous.labels == ["practice_placements"]
    assert screen.selected == ["practice_placements"] and "In force now: your earlier correct" in out.message
    n = store.count()
    assert s2.accept().ok and store.count() == n  # as it is in force: nothing new to record
    assert s2.current().item.text == "Bolig"


def test_an_answer_keeps_its_number_when_going_back(store, frame):
    s = label_session(store, frame)
    numbers = {}
    for _ in range(3):
        numbers[s.current().item.key] = s.current().number
        s.skip()
    assert sorted(numbers.values()) == [1, 2, 3]
    for _ in range(3):
        s.back()
        assert s.current().number == numbers[s.current().item.key]
    s.quit()
    s2 = label_session(store, frame)
    assert s2.current().number == 4  # the same queue, the same numbers after a restart


# -- split work and double coding ------------------------------------------------------------------
def split_session(store, frame, who, items, **kw):
    return ReviewSession(store, items, frame, None, source="survey.csv", annotator=who, all_items=items,
                         others_count=True, double=kw.pop("double", set()), **kw)


def test_split_work_never_shows_one_answer_to_two(tmp_path, frame):
    path = tmp_path / "shared.sqlite"
    items = group_answers(ANSWERS)
    with AnnotationStore(path) as a_store, AnnotationStore(path) as b_store:
        anna = split_session(a_store, frame, "anna", items)
        per = split_session(b_store, frame, "per", items)
        shown = {"anna": [], "per": []}
        for who, s in [("anna", anna), ("per", per)] * 4:
            screen = s.current()
            if screen is None:
                continue
            other = per if s is anna else anna
            assert other.current() is None or other.current().item.key != screen.item.key
            shown[who].append(screen.item.key)
            s.toggle("other")
            assert s.accept().ok
        assert not set(shown["anna"]) & set(shown["per"])
        assert len(shown["anna"]) + len(shown["per"]) == 6 and anna.current() is None and per.current() is None
        decided = a_store.decisions()
        assert sorted(d.answer_hash for d in decided) == sorted(shown["anna"] + shown["per"])
        assert a_store.conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0  # released on decision
        anna.back()  # a change of mind on her own last answer is hers to make
        anna.toggle("other")
        anna.toggle("work_pathways")
        assert anna.accept().ok and a_store.decisions()[-1].labels == ["work_pathways"]
        assert a_store.decisions()[-1].annotator == "anna"


def test_an_answer_left_on_screen_goes_back_to_the_queue_on_quit(tmp_path, frame):
    path = tmp_path / "shared.sqlite"
    items = group_answers(ANSWERS)
    with AnnotationStore(path) as a_store, AnnotationStore(path) as b_store:
        anna = split_session(a_store, frame, "anna", items)
        first = anna.current().item.key
        per = split_session(b_store, frame, "per", items)
        assert per.current().item.key != first and per.progress().held_by_others == 1
        for _ in range(5):  # per codes everything he can get
            per.toggle("other")
            per.accept()
        assert per.current() is None and per.waiting == [first]
        anna.quit()  # anna goes home without deciding: her answer is free again
        per2 = split_session(b_store, frame, "per", items)
        assert per2.current().item.key == first


def test_an_answer_taken_over_after_its_lease_ran_out_is_not_recorded_twice(tmp_path, frame):
    path = tmp_path / "shared.sqlite"
    items = group_answers(ANSWERS)
    with AnnotationStore(path) as a_store, AnnotationStore(path) as b_store:
        anna = split_session(a_store, frame, "anna", items)
        first = anna.current().item.key
        a_store.conn.execute("UPDATE leases SET expires = 0")  # anna went for lunch
        per = split_session(b_store, frame, "per", items)
        assert per.current().item.key == first
        per.toggle("other")
        per.accept()
        anna.toggle("work_pathways")
        out = anna.accept()  # back from lunch: per has it, so nothing is written for anna
        assert not out.ok and "per has it now" in out.message
        assert [(d.answer_hash, d.annotator) for d in a_store.decisions()] == [(first, "per")]
        assert anna.current().item.key != first


def test_double_coding_answers_come_first_blind_and_go_to_two(tmp_path, model):
    coder = model.coder
    path = tmp_path / "shared.sqlite"
    items = group_answers(ANSWERS)
    sugg = suggest(coder, items)
    sample = {items[3].key, items[5].key}
    with AnnotationStore(path) as a_store, AnnotationStore(path) as b_store:
        def session(store, who):
            return ReviewSession(store, items, coder.frame, coder, source="s.csv", annotator=who, suggestions=sugg,
                                 all_items=items, others_count=True, double=sample)

        anna, per = session(a_store, "anna"), session(b_store, "per")
        for s in (anna, per):
            screen = s.current()
            assert screen.item.key in sample and screen.blind  # first, and blind: no model, no ticks
            assert screen.suggested == [] and screen.proba == {} and screen.confidence is None
            assert screen.selected == [] and s.explain(screen.item) == {}
        assert anna.current().item.key == per.current().item.key  # a sample answer takes two coders
        for s in (anna, per):
            s.toggle("other")
            s.accept()
        assert anna.current().item.key == per.current().item.key != items[3].key  # the second one
        assert anna.current().item.key in sample
        for s in (anna, per):
            s.toggle("education_guidance")
            s.accept()
        rows = a_store.decisions()
        assert all(r.action == "correct" and r.suggested == [] for r in rows)
        assert {k: sorted(r.annotator for r in rows if r.answer_hash == k) for k in sample} == {
            k: ["anna", "per"] for k in sample}
        # The rest is split as usual, with the model's suggestion.
        assert not anna.current().blind and anna.current().suggested
        kari = session(a_store, "kari")
        assert kari.current().item.key not in sample  # two have coded them: not a third
