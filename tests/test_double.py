"""Planning a double-coding sample: seeded or the riskiest, planned once, from undecided answers."""

from __future__ import annotations

from classifier.double import plan, sample_keys
from classifier.queue import group_answers
from classifier.store import AnnotationStore

TEXTS = [f"Svar om behov nummer {i}" for i in range(30)]


def test_a_random_sample_is_seeded_and_planned_once(tmp_path, frame):
    items = group_answers(TEXTS)
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        store.add(text=TEXTS[0], labels=["other"], action="correct", frame=frame, annotator="kari")
        s = plan(store, frame.hash, items, 5, seed=1, source="s.csv", annotator="kari")
        assert s.planned_now and len(s.keys) == 5 and items[0].key not in s.keys  # decided: not in the sample
        assert sample_keys(store, frame.hash) == set(s.keys)
        again = plan(store, frame.hash, items, 8, seed=2, annotator="per")  # planned already: kept as it was
        assert not again.planned_now and again.keys == s.keys and again.planned_by == "kari"
    with AnnotationStore(tmp_path / "b.sqlite") as other:  # the same seed and answers: the same sample
        assert set(plan(other, frame.hash, items[1:], 5, seed=1).keys) == set(s.keys)
        assert set(plan(other, "another frame", items[1:], 5, seed=9).keys) != set(s.keys)


def test_the_riskiest_are_the_least_confident(tmp_path, frame):
    items = group_answers(TEXTS)
    confidence = {it.key: (0.1 if i in (7, 3, 21) else 0.9) for i, it in enumerate(items)}
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        s = plan(store, frame.hash, items, 3, method="riskiest", confidence=confidence)
    assert set(s.keys) == {items[i].key for i in (3, 7, 21)} and s.method == "riskiest"
