"""Drift: a model trained on the earlier survey years checks the last year's answers,
and answers about a new topic (tests/data/new_topic_answers.csv, written for this test)."""

import numpy as np
import pandas as pd
import pytest

from classifier.coding import code_texts
from classifier.drift import check_drift, expected_unseen_share
from classifier.errors import Warnings
from classifier.registry import load_model
from classifier.training import train

from .conftest import DATA, FRAME, ROOT

NEW_TOPIC = DATA / "new_topic_answers.csv"


def training_rows() -> pd.DataFrame:
    files = sorted((ROOT / "training_data").glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    """A model trained on every survey year but the last (3 folds), and the last year's rows."""
    rows = training_rows()
    last = max(rows["year"], key=int)
    folder = tmp_path_factory.mktemp("yearly")
    earlier = folder / "earlier_years.csv"
    rows[rows["year"] != last].to_csv(earlier, index=False)
    train([earlier], FRAME, out_dir=folder / "model", cv=3)
    return load_model(folder / "model"), rows[rows["year"] != last], rows[rows["year"] == last]


def direct_unseen_share(coder, texts):
    vocab = coder.term_document_frequencies()
    pairs = [(w in vocab) for terms in coder.answer_terms(texts) for w in set(terms)]
    return 1 - np.mean(pairs)


def test_last_year_figures_match_the_model_and_do_not_warn(yearly):
    loaded, earlier, last = yearly
    coder, meta = loaded.coder, loaded.metadata
    texts = last["text"].tolist()
    report = check_drift(coder, texts, meta)

    P = coder.predict_proba(texts)
    D = coder.decide(P)
    cutoff = coder.review_cutoff(0.95)
    assert report.n_answers == len(texts)
    assert report.low_confidence.observed == pytest.approx(np.mean(coder.assess(texts).confidence < cutoff))
    assert report.low_confidence.expected == pytest.approx(np.mean(coder.oof_confidence_ < cutoff))
    assert report.unseen_words.observed == pytest.approx(direct_unseen_share(coder, texts))
    # The training counts in the metadata are those of the earlier years' files.
    for j, key in enumerate(coder.frame.keys):
        coded = earlier["labels"].str.split(";").map(lambda ks, key=key: key in ks)
        assert report.code_shares[key].expected == pytest.approx(coded.mean())
        assert report.code_shares[key].observed == pytest.approx(D[:, j].mean())
    # Given the coded results, the count to review is what coding itself flags (low
    # confidence and every other reason); without them, the low-confidence share estimates it.
    coded = code_texts(coder, texts)
    assert check_drift(coder, texts, meta, coded=coded).review_estimate == int(coded.needs_review.sum())
    assert report.review_estimate == round(report.low_confidence.observed * len(texts))
    assert report.warnings == [], report.warnings


def test_good_turing_estimate_predicts_the_unseen_words_of_a_new_year(yearly):
    loaded, _, last = yearly
    expected, pairs = expected_unseen_share(np.array(list(loaded.coder.term_document_frequencies().values())))
    observed = direct_unseen_share(loaded.coder, last["text"].tolist())
    assert pairs > 1000
    assert 0 < expected < 0.5
    assert abs(observed - expected) < 0.05, (observed, expected)


def test_answers_about_a_new_topic_raise_the_drift_warning(yearly):
    loaded, _, _ = yearly
    texts = pd.read_csv(NEW_TOPIC, sep=";", dtype=str)["svar"].tolist()
    report = check_drift(loaded.coder, texts, loaded.metadata)
    assert report.drifted
    assert report.unseen_words.warn
    assert report.unseen_words.observed > report.unseen_words.expected + 0.10
    words = report.unseen_words
    assert Warnings.DRIFT_UNSEEN_WORDS.format(share=f"{100 * words.observed:.0f} %",
                                              expected=f"{100 * words.expected:.0f} %") in report.warnings
    moved = [k for k, c in report.code_shares.items() if c.warn]
    assert moved, "some code's share should have moved"
    assert all(report.code_shares[k].p_value < 0.01 / len(report.code_shares) for k in moved)


def test_low_confidence_warning_when_the_model_is_unsure(yearly, monkeypatch):
    loaded, _, last = yearly
    coder = loaded.coder
    monkeypatch.setattr(coder.decisions_, "confidence", lambda P, D, evidence: np.zeros(len(P)))
    report = check_drift(coder, last["text"].tolist(), loaded.metadata)
    assert report.low_confidence.observed == 1.0
    assert report.low_confidence.warn
    assert any("low confidence" in w for w in report.warnings)


def test_empty_answers_are_not_checked_and_big_files_are_sampled(yearly):
    loaded, _, last = yearly
    texts = last["text"].tolist()
    report = check_drift(loaded.coder, texts + ["", "-", "..."], loaded.metadata, max_answers=50)
    assert report.n_answers == len(texts)
    assert report.n_checked == 50
    again = check_drift(loaded.coder, texts, loaded.metadata, max_answers=50)
    assert again.low_confidence.observed == report.low_confidence.observed  # the sample is reproducible


def test_without_training_shares_the_share_check_is_skipped_with_a_note(yearly):
    loaded, _, last = yearly
    report = check_drift(loaded.coder, last["text"].tolist()[:40], {})
    assert report.code_shares == {}
    assert report.notes == [Warnings.DRIFT_NO_SHARES]


def test_checks_from_coded_results_equal_the_checks_that_score_themselves(yearly):
    """predict passes its coded results (no second scoring pass): the figures must not change."""
    loaded, _, last = yearly
    texts = last["text"].tolist() + ["", "-", last["text"].iloc[0]]
    alone = check_drift(loaded.coder, texts, loaded.metadata)
    reused = check_drift(loaded.coder, texts, loaded.metadata, coded=code_texts(loaded.coder, texts))
    assert reused.n_answers == alone.n_answers == reused.n_checked
    assert reused.low_confidence.observed == pytest.approx(alone.low_confidence.observed)
    assert reused.unseen_words.observed == pytest.approx(alone.unseen_words.observed)
    for key, check in alone.code_shares.items():
        assert reused.code_shares[key].observed == pytest.approx(check.observed)
    assert reused.warnings == alone.warnings
