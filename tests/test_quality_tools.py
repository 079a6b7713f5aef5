"""Learning curve, audit and explain on a small coded data set (tests/data/quality_small.csv)."""

from pathlib import Path

import numpy as np
import pytest

from classifier.audit import audit, given_code_loss
from classifier.coders import Scores, TfidfCoder
from classifier.curve import learning_curve
from classifier.dataset import check_against_frame, read_coded
from classifier.explain import WordMap, distinct_answers, explain_column, explain_text, ngram_words, readable
from classifier.preprocess import fold, term

SMALL = Path(__file__).resolve().parent / "data" / "quality_small.csv"


@pytest.fixture(scope="module")
def small(frame):
    return check_against_frame(read_coded([SMALL]), frame)


@pytest.fixture(scope="module")
def small_coder(small, frame):
    return TfidfCoder(frame, cv=3).fit(small.texts, small.indicator(frame))


def plant_miscode(data, frame):
    """Recode one plain practice-placement answer as `other`; return its position."""
    i = next(i for i, (t, lab) in enumerate(zip(data.texts, data.labels))
             if lab == ["practice_placements"] and "praksisplass" in fold(t))
    data.labels[i] = [frame.fallback]
    return i


def test_learning_curve_has_one_point_per_fraction_within_0_and_1(small, frame):
    fractions = (0.5, 0.75, 1.0)
    curve = learning_curve(small, frame, fractions, cv=3)
    assert [p.fraction for p in curve.points] == list(fractions)
    sizes = [p.n_train for p in curve.points]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    for p in curve.points:
        assert p.n_folds == 3
        for value in (p.macro_f1, p.auto_share):
            assert 0.0 <= value <= 1.0
        assert p.auto_accuracy is None or 0.0 <= p.auto_accuracy <= 1.0


def test_learning_curve_rejects_fractions_outside_0_1(small, frame):
    with pytest.raises(ValueError):
        learning_curve(small, frame, (0.0, 1.0), cv=3)


def test_given_code_loss_grows_with_disagreement():
    Y = np.array([[1, 0], [1, 0]])
    P = np.array([[0.9, 0.1], [0.1, 0.9]])
    loss = given_code_loss(P, Y)
    assert loss[1] > loss[0] > 0


def test_audit_ranks_a_planted_miscode_near_the_top(small, frame):
    data = check_against_frame(read_coded([SMALL]), frame)
    planted = plant_miscode(data, frame)
    result = audit(data, frame, cv=3)
    ranks = {r.index: r.rank for r in result.rows}
    assert ranks[planted] <= 3
    row = result.rows[ranks[planted] - 1]
    assert row.given == [frame.fallback]
    assert "practice_placements" in row.suggested
    assert [r.score for r in result.rows] == sorted((r.score for r in result.rows), reverse=True)


def test_explain_names_a_word_that_is_in_the_text(small_coder):
    text = "Vi trenger flere språkpraksisplasser i kommunen"
    exp = explain_text(small_coder, text)
    assert "practice_placements" in exp.labels
    up = exp.codes["practice_placements"].up
    assert up, "an assigned code has words that pushed it up"
    words = {fold(w) for w in text.split()}
    assert any(fold(t.label) in words or any(fold(t.label) in w for w in words) for t in up)
    assert any(t.kind == "chars" and t.label in text.split() for t in up)


def test_readable_feature_names():
    text = "Flere Språkpraksisplasser, takk"
    assert readable("terms__praksisplass", text) == [("word", "praksisplass")]
    assert readable("chars__ sprak", text) == [("chars", "Språkpraksisplasser")]
    assert ngram_words("ser ", text) == ["Språkpraksisplasser"]
    assert ngram_words(" prak", text) == []  # inside a word, not at its start
    assert ngram_words("re", text) == ["Flere"]


def test_word_map_puts_features_on_the_words_as_written():
    text = "Flere NAV-kontor, og 25 språkpraksisplasser (www.nav.no)!"
    wm = WordMap(text)
    assert [text[w.start:w.end] for w in wm.words] == [
        "Flere", "NAV-kontor", "og", "25", "språkpraksisplasser", "www.nav.no"]
    assert wm.hits("terms__" + term("kontor")) == (1,)  # a part of a hyphenated word
    assert wm.hits("terms__" + term("flere") + " " + term("kontor")) == (0, 1)  # either word of a bigram
    assert wm.hits("terms___num_") == (3,) and wm.hits("terms___url_") == (5,)
    assert wm.hits("chars__or, ") == (1,)  # char_wb keeps the comma on the token
    assert wm.hits("chars__ sprak") == (4,) and wm.hits("chars__zzz") == ()
    S = wm.shares(["chars__r", "chars__zzz"])  # "r" is in Flere, NAV-kontor and språkpraksisplasser
    assert S.shape == (2, 6) and S[0].tolist() == [1 / 3, 1 / 3, 0, 0, 1 / 3, 0] and S[1].sum() == 0


def test_explain_column_with_precomputed_scores_equals_it_without(small_coder):
    texts = ["Vi trenger flere praksisplasser", "-", " Bolig og tolk ", "Vi trenger flere praksisplasser",
             None, "Bolig og tolk", "Samarbeid med NAV om arbeidstrening"]
    cells = explain_column(small_coder, texts)
    assert cells[1] == cells[4] == "" and cells[0] == cells[3] and cells[2] == cells[5]
    assert all(cells[i] for i in (0, 2, 6))
    distinct = distinct_answers(texts)
    assert distinct == ["Vi trenger flere praksisplasser", "Bolig og tolk", "Samarbeid med NAV om arbeidstrening"]
    scores = small_coder.assess(distinct)
    assert explain_column(small_coder, texts, scores=scores) == cells
    rows = small_coder.assess(["" if t is None else t for t in texts])  # scores per row work too
    assert explain_column(small_coder, texts, scores=rows) == cells
    # The scores given are the ones used: with no codes, no code is explained.
    none = Scores(scores.proba, np.zeros_like(scores.codes), scores.confidence)
    assert explain_column(small_coder, texts, scores=none) == [""] * len(texts)
    with pytest.raises(ValueError):
        explain_column(small_coder, texts, scores=small_coder.assess(distinct[:2]))
