"""Which answers are shown, and in what order: grouping, uncertainty, diversity."""

from __future__ import annotations

import numpy as np

from classifier.preprocess import answer_hash
from classifier.queue import (
    Diversify,
    Entropy,
    FileOrder,
    LeastConfidence,
    Shuffled,
    entropy,
    group_answers,
    least_confidence,
    rank,
)


def test_answers_identical_after_normalisation_are_one_item_with_their_rows():
    texts = ["Praksisplasser!", "Bolig", "praksisplasser", "", "-", "PRAKSISPLASSER.", "Godkjenning av utdanning",
             "godkjenning  av utdanning", "Språkpraksis", "spraakpraksis"]
    items = group_answers(texts, ids=[f"r{i}" for i in range(len(texts))])
    assert [(it.text, it.n_rows) for it in items] == [
        ("Praksisplasser!", 3), ("Bolig", 1), ("Godkjenning av utdanning", 2), ("Språkpraksis", 2)]
    assert items[0].ids == ["r0", "r2", "r5"] and items[0].rows == [0, 2, 5]
    assert items[0].key == answer_hash("praksisplasser")


def test_row_numbers_stand_in_for_missing_ids():
    items = group_answers(["a b", "c d", "A B"])
    assert items[0].ids == ["2", "4"]  # spreadsheet row numbers: row 1 is the header


def test_least_confidence_and_entropy_put_the_unsure_first():
    P = np.array([[0.99, 0.01], [0.5, 0.5], [0.8, 0.1], [0.6, 0.45]])
    lc = least_confidence(P)
    assert np.argmax(lc) == 1 and np.argmin(lc) == 0
    assert LeastConfidence().order([None] * 4, P) == [1, 3, 2, 0]
    assert Entropy().order([None] * 4, P) == [1, 3, 2, 0]
    # single-choice: 1 - the top probability; entropy of the choice
    S = np.array([[0.9, 0.05, 0.05], [0.4, 0.3, 0.3], [0.6, 0.4, 0.0]])
    assert list(np.argsort(-least_confidence(S, multi_label=False))) == [1, 2, 0]
    assert np.argmax(entropy(S, multi_label=False)) == 1


def test_least_confidence_uses_the_models_confidence_and_breaks_its_ties():
    P = np.array([[0.9, 0.1], [0.55, 0.5], [0.7, 0.3], [0.5, 0.5]])
    conf = np.array([0.9, 0.4, 0.4, 0.8])  # isotonic confidence has ties
    # 1 and 2 tie on confidence; 1's probabilities are less sure, so it comes first
    assert LeastConfidence().order([None] * 4, P, conf) == [1, 2, 3, 0]


def test_file_order_and_seeded_shuffle():
    items = list(range(50))
    assert FileOrder().order(items) == items
    a, b, c = Shuffled(7).order(items), Shuffled(7).order(items), Shuffled(8).order(items)
    assert a == b and a != c and sorted(a) == items


def test_diversity_breaks_up_runs_of_near_identical_answers():
    texts = ["Flere praksisplasser", "Flere praksisplasser i kommunen", "Flere gode praksisplasser",
             "Bolig til flyktninger", "Samarbeid med NAV om arbeidsrettede tiltak", "Tolk",
             "Flere praksisplasser i bedrifter"]
    items = group_answers(texts)
    order = list(range(len(items)))  # as uncertainty ranked them: four praksis answers among the first
    out = rank(items, FileOrder(), diversify=Diversify())
    assert sorted(out) == order and out[0] == 0  # every item once; the most informative still first
    similar = {0, 1, 2, 6}
    runs = [a in similar and b in similar for a, b in zip(out, out[1:])]
    assert not any(runs[:3]), [items[i].text for i in out]
    # with nothing else left, near-identical answers still come (nothing is dropped)
    assert [items[i].text for i in rank(items[:3], FileOrder(), diversify=Diversify())] == texts[:3]


def test_diversity_keeps_the_order_of_answers_that_are_not_alike():
    texts = ["Bolig", "Praksisplasser i kommunen", "Samarbeid med arbeidsgivere", "Godkjenning av utdanning"]
    items = group_answers(texts)
    assert rank(items, FileOrder(), diversify=Diversify()) == [0, 1, 2, 3]
