"""One contract for every coder: the same checks run on each kind in `coders.CODERS`."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from classifier.coders import CODERS, Coder, KeywordCoder, Scores, make_coder
from classifier.errors import UserError

TEXTS = ["Vi trenger flere praksisplasser", "norsk", "Samarbeid med NAV og arbeidsgivere om jobb",
         "Godkjenning av utdanning fra hjemlandet", "bolig og tolk", "Praksisplass og videregående for voksne", ""]


@pytest.fixture(scope="module")
def small(training_answers):
    """300 coded answers: enough for 3-fold cross-validation of every kind."""
    return training_answers.subset(np.arange(len(training_answers)) < 300)


@pytest.fixture(scope="module", params=sorted(CODERS))
def fitted(request, small, frame):
    return make_coder(request.param, frame, cv=3).fit(small.texts, small.indicator(frame))


def test_probabilities_are_in_frame_shape_and_in_0_1(fitted, frame):
    P = fitted.predict_proba(TEXTS)
    assert isinstance(fitted, Coder)
    assert P.shape == (len(TEXTS), len(frame.keys))
    assert np.isfinite(P).all() and ((P >= 0) & (P <= 1)).all()


def test_decisions_obey_the_fallback_rule(fitted, small, frame):
    D = fitted.predict(small.texts)
    j = frame.keys.index(frame.fallback)
    others = np.delete(D, j, axis=1).sum(axis=1)
    assert set(np.unique(D)) <= {0, 1}
    assert (D[:, j] == (others == 0)).all()  # the fallback alone, and only when nothing else


def test_confidence_is_a_probability_and_the_cutoff_reaches_the_target_out_of_fold(fitted):
    s = fitted.assess(TEXTS)
    assert isinstance(s, Scores)
    assert ((s.confidence >= 0) & (s.confidence <= 1)).all()
    conf, correct = fitted.oof_confidence_, fitted.oof_correct_
    cut = fitted.review_cutoff(0.95)
    if np.isfinite(cut):
        assert correct[conf >= cut].mean() >= 0.95
    assert fitted.review_cutoff(0.99) >= cut


def test_scikit_learn_tools_work_on_a_coder(fitted, small, frame):
    """`score` is scikit-learn's (subset accuracy), so cross_val_score and clone work."""
    texts, Y = small.texts[:150], small.indicator(frame)[:150]
    fresh = clone(fitted).set_params(cv=2)
    scores = cross_val_score(fresh, texts, Y, cv=2)
    assert scores.shape == (2,) and ((scores >= 0) & (scores <= 1)).all()
    assert 0 <= fitted.score(texts, Y) <= 1


def test_unfitted_coders_refuse_to_code(frame):
    for kind in CODERS:
        with pytest.raises(NotFittedError):
            make_coder(kind, frame).predict_proba(["x"])


def test_describe_records_kind_and_parameters(fitted):
    d = fitted.describe()
    assert d["kind"] == fitted.kind and "frame" not in d["params"] and d["params"]["cv"] == 3


def test_an_unknown_kind_is_a_user_error(frame):
    with pytest.raises(UserError, match="Unknown coder kind 'bert'"):
        make_coder("bert", frame)


def test_the_keyword_coder_works_from_the_frame_alone(frame):
    """Cold start: no coded answers. It suggests the codes whose examples match, and with no
    evidence of its accuracy it sends every answer to review."""
    coder = KeywordCoder(frame).fit([], np.zeros((0, len(frame.keys))))
    keys = frame.keys
    s = coder.assess(["Vi trenger flere praksisplasser", "noe helt annet"])
    assert s.codes[0, keys.index("practice_placements")] == 1
    assert s.codes[1].tolist() == [int(k == frame.fallback) for k in keys]
    assert coder.review_cutoff(0.95) == float("inf")
