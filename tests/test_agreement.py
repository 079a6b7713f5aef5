"""Agreement between coders: Krippendorff's alpha (by hand) and Cohen's kappa (scikit-learn)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from classifier.agreement import agreement, cohen_kappa, krippendorff_alpha_nominal
from classifier.store import AnnotationStore

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the worked example with
# four coders, twelve units and missing values; the paper gives nominal alpha = 0.743.
NAN = None
PAPER = [  # coders A-D (rows) x units 1-12
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def units(coders):
    return [list(u) for u in zip(*coders)]


def pairwise_alpha(data) -> float:
    """Alpha from its other textbook form: 1 - observed / expected disagreement over all
    pairable values (an independent way to the same number, for cross-checking)."""
    pairable = [[v for v in u if v is not None] for u in data]
    pairable = [u for u in pairable if len(u) >= 2]
    values = [v for u in pairable for v in u]
    n = len(values)
    d_o = sum(sum(a != b for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in pairable) / n
    d_e = sum(a != b for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - d_o / d_e


def test_alpha_reproduces_the_published_example():
    alpha = krippendorff_alpha_nominal(units(PAPER))
    assert round(alpha, 3) == 0.743
    assert alpha == pytest.approx(pairwise_alpha(units(PAPER)))


def test_alpha_does_not_depend_on_the_order_of_coders_or_units():
    a = krippendorff_alpha_nominal(units(PAPER))
    assert krippendorff_alpha_nominal(units(PAPER[::-1])) == pytest.approx(a)
    assert krippendorff_alpha_nominal(units(PAPER)[::-1]) == pytest.approx(a)


def test_alpha_on_random_data_matches_the_pairwise_form():
    rng = np.random.default_rng(3)
    for _ in range(5):
        data = [[None if rng.random() < 0.2 else int(rng.integers(0, 3)) for _ in range(4)] for _ in range(30)]
        assert krippendorff_alpha_nominal(data) == pytest.approx(pairwise_alpha(data))


def test_alpha_limits():
    assert krippendorff_alpha_nominal([[1, 1], [0, 0], [1, 1, 1]]) == 1.0
    assert math.isnan(krippendorff_alpha_nominal([[1, 1], [1, 1]]))  # no variation: undefined
    assert math.isnan(krippendorff_alpha_nominal([[1], [0]]))  # nothing pairable
    assert krippendorff_alpha_nominal([[0, 1], [1, 0], [0, 1], [1, 0]]) < 0  # systematic disagreement


def test_kappa_is_sklearns():
    a, b = [1, 0, 1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 0, 1, 1, 0]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b)) == pytest.approx(0.5)
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))


def code(store, frame, who, text, labels):
    store.add(text=text, labels=labels, action="correct", frame=frame, source="s.csv", annotator=who)


def test_agreement_from_the_store_two_and_three_coders(tmp_path, frame):
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        assert agreement(store, frame) is None
        answers = {"Bolig": ["other"], "Praksisplasser": ["practice_placements"],
                   "NOKUT": ["education_guidance"], "Mentor": ["employer_cooperation"]}
        for text, labels in answers.items():
            code(store, frame, "anna", text, labels)
            code(store, frame, "per", text, labels if text != "Mentor" else ["work_pathways"])
        code(store, frame, "anna", "Only anna", ["other"])  # one coder: not counted
        rep = agreement(store, frame)
        assert rep.annotators == ["anna", "per"] and rep.n_answers == 4
        by = {a.code: a for a in rep.per_code}
        assert by["other"].statistic == "Cohen's kappa" and by["other"].value == pytest.approx(1.0)
        assert by["employer_cooperation"].agreement == pytest.approx(0.75)
        assert by["employer_cooperation"].value == pytest.approx(
            cohen_kappa_score([0, 0, 0, 1], [0, 0, 0, 0]))
        assert [d.text for d in rep.disagreements] == ["Mentor"]
        assert rep.overall.agreement == pytest.approx(0.75)

        code(store, frame, "kari", "Mentor", ["employer_cooperation"])
        code(store, frame, "kari", "Bolig", ["other"])
        rep = agreement(store, frame)
        assert rep.per_code[0].statistic == "Krippendorff's alpha" and rep.annotators == ["anna", "kari", "per"]
        units_ec = [[0, 0], [0, 0], [0, 0, 0], [1, 0, 1]]  # anna/per/(kari) on employer_cooperation
        by = {a.code: a for a in rep.per_code}
        assert by["employer_cooperation"].value == pytest.approx(krippendorff_alpha_nominal(units_ec))


# -- intervals --------------------------------------------------------------------------------------
def test_the_vectorised_forms_match_the_exact_ones():
    from classifier.agreement import alpha_counts, kappa_binary, value_counts

    rng = np.random.default_rng(7)
    for _ in range(20):
        a, b = rng.integers(0, 2, 25), rng.integers(0, 2, 25)
        assert kappa_binary(a, b) == pytest.approx(cohen_kappa(a, b), nan_ok=True)
        data = [[None if rng.random() < 0.2 else int(rng.integers(0, 3)) for _ in range(4)] for _ in range(30)]
        assert alpha_counts(value_counts(data)) == pytest.approx(krippendorff_alpha_nominal(data), nan_ok=True)
    assert alpha_counts(value_counts(units(PAPER))) == pytest.approx(0.743, abs=5e-4)
    assert math.isnan(kappa_binary([1, 1], [1, 1]))


def test_agreement_comes_with_a_seeded_bootstrap_interval(tmp_path, frame):
    rng = np.random.default_rng(0)
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        for i in range(60):
            labels = ["other"] if rng.random() < 0.5 else ["work_pathways"]
            flip = rng.random() < 0.15  # per disagrees now and then
            code(store, frame, "anna", f"svar nummer {i}", labels)
            code(store, frame, "per", f"svar nummer {i}",
                 (["work_pathways"] if labels == ["other"] else ["other"]) if flip else labels)
        rep = agreement(store, frame, resamples=400, seed=3)
        again = agreement(store, frame, resamples=400, seed=3)
        other_seed = agreement(store, frame, resamples=400, seed=4)
    by = {a.code: a for a in rep.per_code}
    low, high = by["other"].interval
    assert low < by["other"].value < high and 0 < high - low < 0.6  # around the estimate, not everywhere
    assert [a.interval for a in again.per_code] == [a.interval for a in rep.per_code]  # same seed, same interval
    assert other_seed.per_code[3].interval != rep.per_code[3].interval
    assert by["education_guidance"].interval is None  # nobody used it: undefined, no interval
    assert rep.overall.interval is not None and rep.resamples == 400
