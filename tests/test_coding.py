"""Applying a model to a survey table."""

import numpy as np
import pandas as pd
import pytest

from classifier.coding import code_table, code_texts, model_suggestions
from classifier.errors import UserError


def test_table_keeps_columns_and_adds_results(model, frame):
    df = pd.DataFrame({"id": ["1", "2", "3", "4"], "labels": ["x", "y", "z", "w"],
                       "svar": ["Flere praksisplasser", "", "-", "Bolig og tolk"]})
    out, summary = code_table(df, "svar", model.coder)
    assert list(out.columns[:3]) == ["id", "labels_input", "svar"]
    assert out["labels_input"].tolist() == ["x", "y", "z", "w"]
    for col in ["labels", "confidence", "needs_review"] + [f"p_{k}" for k in frame.keys]:
        assert col in out.columns
    assert out.loc[1, "labels"] == "" and out.loc[2, "labels"] == ""
    assert out.loc[1, "needs_review"] == "false" and pd.isna(out.loc[1, "confidence"])
    assert "practice_placements" in out.loc[0, "labels"].split(";")
    assert out.loc[3, "labels"] == "other"
    assert summary.n_rows == 4 and summary.n_empty == 2 and summary.n_answers == 2
    assert summary.counts["other"] == 1


def test_review_flag_follows_confidence_and_target(model, training_answers):
    texts = training_answers.texts[:200]
    strict = code_texts(model.coder, texts, 0.99)
    lenient = code_texts(model.coder, texts, 0.80)
    assert strict.needs_review.sum() >= lenient.needs_review.sum()
    cut = model.coder.review_cutoff(0.95)
    normal = code_texts(model.coder, texts, 0.95)
    assert (normal.needs_review == (normal.confidence < cut)).all()


def test_repeated_answers_get_identical_results(model):
    coded = code_texts(model.coder, ["Praksisplasser", "Bolig", "Praksisplasser", " Praksisplasser "])
    assert coded.labels[0] == coded.labels[2] == coded.labels[3]
    assert np.array_equal(coded.proba[0], coded.proba[2])


def test_bad_target_precision(model):
    with pytest.raises(UserError, match="target-precision"):
        code_texts(model.coder, ["x"], 1.5)


def test_model_suggestions_from_a_predict_output(model, frame):
    df, _ = code_table(pd.DataFrame({"svar": ["Flere praksisplasser", "Bolig og tolk", "-"]}), "svar", model.coder)
    df = df.astype(object).where(df.notna(), "").astype(str)  # as read back from a file: all text
    df.loc[1, f"p_{frame.keys[-1]}"] = "n/a"
    suggested = model_suggestions(df, model.coder)
    assert suggested[0] == df.loc[0, "labels"].split(";")
    assert suggested[1] is None and suggested[2] is None  # not a number; no answer
    assert model_suggestions(df.drop(columns=[f"p_{frame.keys[0]}"]), model.coder) is None
