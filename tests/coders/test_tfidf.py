"""The classifier: calibrated probabilities, thresholds, fallback rule, confidence, determinism."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from classifier.codeframe import CodeFrame
from classifier.coders import TfidfCoder
from classifier.dataset import read_coded
from classifier.preprocess import transliterate

from ..conftest import ROOT


def test_probabilities_and_decisions_have_frame_shape(model, frame):
    texts = ["Vi trenger flere praksisplasser", "Bolig og tolk", "Godkjenning av utdanning via NOKUT"]
    P = model.coder.predict_proba(texts)
    assert P.shape == (3, len(frame.keys))
    assert ((P >= 0) & (P <= 1)).all()
    D = model.coder.decide(P)
    assert set(np.unique(D)) <= {0, 1}


def test_clear_answers_get_their_codes(model, frame):
    keys = frame.keys
    D = model.coder.predict(["Vi trenger flere språkpraksisplasser i kommunen",
                             "Godkjenning av utdanning fra hjemlandet, NOKUT",
                             "Bolig."])
    assert D[0, keys.index("practice_placements")] == 1
    assert D[1, keys.index("education_guidance")] == 1
    assert D[2, keys.index("other")] == 1


def test_fallback_never_stands_beside_another_code(model, training_answers, frame):
    D = model.coder.predict(training_answers.texts[:300])
    j = frame.keys.index("other")
    others = np.delete(D, j, axis=1).sum(axis=1)
    assert (D[:, j] == (others == 0)).all()
    assert (D.sum(axis=1) >= 1).all()


def test_thresholds_and_cv_scores_are_sane(model, frame):
    coder = model.coder
    assert len(coder.thresholds_) == len(frame.keys)
    assert ((coder.thresholds_ > 0) & (coder.thresholds_ < 1)).all()
    assert coder.cv_scores_["macro_f1"] > 0.8
    assert coder.oof_proba_.shape == (coder.n_train_, len(frame.keys))


def test_calibration_is_checked_out_of_fold(model, training_answers, frame):
    """Out-of-fold probabilities mean what they say: in each probability band the share of
    positives is close to the band's mean probability (reliability)."""
    P = model.coder.oof_proba_.ravel()
    Y = training_answers.indicator(frame).ravel()
    for lo, hi in [(0.0, 0.2), (0.8, 1.0)]:
        band = (P >= lo) & (P < hi + 1e-9)
        assert abs(Y[band].mean() - P[band].mean()) < 0.1


def test_confidence_is_a_probability_and_ranks_correctness(model, training_answers, frame):
    coder = model.coder
    conf = coder.oof_confidence_
    assert ((conf >= 0) & (conf <= 1)).all()
    correct = coder.oof_correct_
    assert conf[correct].mean() > conf[~correct].mean() + 0.1
    cut = coder.review_cutoff(0.95)
    auto = conf >= cut
    assert correct[auto].mean() >= 0.95
    assert coder.review_cutoff(0.99) >= cut >= coder.review_cutoff(0.8)


def test_same_input_same_output(model):
    texts = ["praksisplasser og samarbeid med NAV", "vet ikke"]
    a = model.coder.predict_proba(texts)
    b = model.coder.predict_proba(list(reversed(texts)))[::-1]
    assert np.array_equal(a, b)


def test_refitting_is_deterministic(frame, training_answers):
    sub = training_answers.subset(np.arange(len(training_answers)) < 400)
    Y = sub.indicator(frame)
    a = TfidfCoder(frame, cv=3).fit(sub.texts, Y)
    b = TfidfCoder(frame, cv=3).fit(sub.texts, Y)
    texts = ["Vi trenger hjelp med arbeidspraksis"]
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))
    assert np.array_equal(a.thresholds_, b.thresholds_)


def test_unfitted_model_refuses_to_predict(frame):
    with pytest.raises(NotFittedError):
        TfidfCoder(frame).predict_proba(["x"])


def test_single_choice_frame_picks_exactly_one_code():
    frame = CodeFrame.from_dict({"frame": {"name": "tone", "multi_label": False},
                                 "codes": [{"key": "positive"}, {"key": "negative"}, {"key": "neutral"}]})
    pos = ["Veldig bra samarbeid", "Fornøyd med tilbudet", "Flott jobba av alle", "Bra og nyttig",
           "Kjempebra oppfølging", "God hjelp fra IMDi", "Supert kurs", "Svært fornøyd", "Nyttig og bra", "Bra!",
           "Godt fornøyd med veiledningen", "Topp service"]
    neg = ["Dårlig oppfølging", "Svært misfornøyd", "Elendig samarbeid", "Ikke bra i det hele tatt",
           "Dårlig informasjon", "Misfornøyd med svartiden", "Altfor dårlig", "Skuffende innsats", "Dårlig!",
           "Veldig dårlig kommunikasjon", "Helt elendig", "Ikke fornøyd"]
    neu = ["Ingen formening", "Vet ikke", "Har ikke brukt tjenesten", "Ingen kommentar", "Ikke aktuelt",
           "Ikke relevant for oss", "Har ingen erfaring", "Kan ikke svare", "Uaktuelt", "Ingen mening",
           "Vet ikke helt", "Usikker"]
    texts = pos + neg + neu
    Y = np.zeros((len(texts), 3), dtype=int)
    for i in range(len(texts)):
        Y[i, i // 12] = 1
    coder = TfidfCoder(frame, cv=3).fit(texts, Y)
    D = coder.predict(["Veldig bra og nyttig", "Svært dårlig", "Vet ikke"])
    assert (D.sum(axis=1) == 1).all()
    assert D[0, 0] == 1 and D[1, 1] == 1
    conf = coder.assess(["bra"]).confidence
    assert 0 <= conf[0] <= 1


def test_copies_of_an_answer_share_a_fold(frame, training_answers):
    """Out-of-fold scores must not come from a model that saw a copy of the answer."""
    sub = training_answers.subset(np.arange(len(training_answers)) < 300)
    texts = sub.texts + sub.texts[:60]  # 60 answers twice
    Y = np.vstack([sub.indicator(frame), sub.indicator(frame)[:60]])
    coder = TfidfCoder(frame, cv=3).fit(texts, Y)
    assert np.array_equal(coder.oof_proba_[:60], coder.oof_proba_[300:])


def test_score_is_probabilities_codes_and_confidence_in_one(model):
    texts = ["Praksisplasser", "Bolig", "Praksisplasser"]
    s = model.coder.assess(texts)
    assert np.array_equal(s.proba, model.coder.predict_proba(texts))
    assert np.array_equal(s.codes, model.coder.decide(s.proba))
    assert s.confidence[0] == s.confidence[2] == model.coder.assess(["Praksisplasser"]).confidence[0]
    assert ((s.confidence >= 0) & (s.confidence <= 1)).all()
    assert model.coder.assess([]).proba.shape == (0, len(model.coder.frame.keys))


def test_answers_that_differ_only_in_case_and_punctuation_share_a_fold(frame, training_answers):
    texts = training_answers.texts[:300] + [t.upper() + "!" for t in training_answers.texts[:40]]
    Y = np.vstack([training_answers.indicator(frame)[:300], training_answers.indicator(frame)[:40]])
    for _train, test in TfidfCoder(frame, cv=3).cv_splits(texts, Y):
        in_test = set(test.tolist())
        assert all((i in in_test) == (300 + i in in_test) for i in range(40))


def test_document_frequencies_are_recovered_from_the_fitted_weights(model, training_answers):
    """The vocabulary capability: each single term's count of training answers holding it."""
    coder = model.coder
    df = coder.term_document_frequencies()
    counted = pd.Series([w for terms in coder.answer_terms(training_answers.texts) for w in set(terms)]).value_counts()
    assert set(df) == set(counted.index)
    assert all(df[w] == counted[w] for w in df)


@pytest.mark.parametrize("o, a", [("oe", "aa"), ("o", "a")])
def test_held_out_answers_typed_without_norwegian_letters_keep_their_codes(model, o, a):
    """At least 99 % of eval_data/ keeps exactly its codes when æøå are typed as ae/oe/aa (or ae/o/a)."""
    texts = read_coded([ROOT / "eval_data"]).texts
    written = model.coder.predict(texts)
    typed = model.coder.predict([transliterate(t, o, a) for t in texts])
    same = (written == typed).all(axis=1)
    assert sum(t != transliterate(t, o, a) for t in texts) > 100  # most answers do hold æøå
    assert same.mean() >= 0.99, [t for t, s in zip(texts, same) if not s]


def test_a_large_training_set_is_cross_validated_on_a_sample(frame, training_answers):
    """Above `cv_max` answers, C, the decision layer and the scores come from the
    cross-validation of a sample; the final model still sees every answer. `cv_max=0`
    cross-validates them all (the audit needs each answer's out-of-fold probabilities)."""
    sub = training_answers.subset(np.arange(len(training_answers)) < 400)
    texts, Y = sub.texts, sub.indicator(frame)
    sampled = TfidfCoder(frame, cv=3, C=4.0, cv_max=250).fit(texts, Y)
    assert sampled.oof_proba_.shape == (250, len(frame.keys))
    assert sampled.cv_scores_["n_answers"] == 250
    assert sampled.n_train_ == 400
    every = TfidfCoder(frame, cv=3, C=4.0, cv_max=0).fit(texts, Y)
    assert every.oof_proba_.shape == (400, len(frame.keys))
    assert every.cv_scores_["n_answers"] == 400
    vocab = [c.head_.named_steps["features"].named_transformers_["terms"].vocabulary_ for c in (sampled, every)]
    assert vocab[0] == vocab[1]  # the final model is fitted on all 400 either way
