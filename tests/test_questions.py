"""Several questions in one file: matching their columns, and their prefixed coded columns."""

from pathlib import Path

import pandas as pd
import pytest

from classifier.errors import UserError
from classifier.project import Question
from classifier.questions import join_coded, match_questions, prefixed, unprefixed
from classifier.tables import Table


def q(key, column):
    return Question(key, column, Path("labels/x.toml"))


def table(*columns):
    return Table(pd.DataFrame({c: ["a", "b"] for c in columns}), Path("survey.xlsx"))


def test_columns_are_matched_as_typed_or_normalised_and_missing_ones_are_named():
    t = table("Respondent", "Åpent svar", "Hva fungerte?")
    found, missing = match_questions(t, [q("a", "A\u030apent svar "), q("b", "Hva fungerte?"), q("c", "Q7")],
                                     "survey-coder.toml")
    assert [(x.key, col) for x, col in found] == [("a", "Åpent svar"), ("b", "Hva fungerte?")]
    assert [x.key for x in missing] == ["c"]


def test_an_ambiguous_header_and_a_file_with_none_of_the_questions_are_errors():
    with pytest.raises(UserError, match="Column 'svar' of question 'a' matches several columns .*'Svar', 'svar '"):
        match_questions(table("Svar", "svar ", "id"), [q("a", "svar")], "survey-coder.toml")
    with pytest.raises(UserError, match="None of the questions .*'Q7' \\(c\\).*Columns there are: id, svar"):
        match_questions(table("id", "svar"), [q("c", "Q7")], "survey-coder.toml")


def test_every_added_column_gets_the_prefix_and_a_clashing_input_column_is_kept():
    added = pd.DataFrame({"labels": ["x", ""], "confidence": [0.9, None], "review_reason": ["", "low"],
                          "p_x": [0.9, None]})
    part = prefixed(added, "tjenester")
    assert list(part.columns) == ["tjenester_labels", "tjenester_confidence", "tjenester_review_reason",
                                  "tjenester_p_x"]
    df = pd.DataFrame({"id": ["1", "2"], "tjenester_labels": ["old", "old"]})
    out = join_coded(df, [part, prefixed(added, "tiltak")])
    assert list(out.columns)[:2] == ["id", "tjenester_labels_input"]
    assert out["tjenester_labels"].tolist() == ["x", ""] and out["tiltak_review_reason"].tolist() == ["", "low"]


def test_one_question_s_view_has_plain_names():
    df = pd.DataFrame(columns=["labels", "a_labels", "a_p_x", "a_b_labels", "b_labels", "svar"])
    view = unprefixed(df, "a", others=["a", "a_b", "b"])
    assert list(view.columns) == ["labels_input", "labels", "p_x", "a_b_labels", "b_labels", "svar"]
