"""What is not a real answer is flagged by what it is, before any model is trusted with it."""

import pytest

from classifier.screening import FORMULA, LANGUAGE, NOT_TEXT, QUESTION, screen

QUESTION_TEXT = ("Hvilke tjenester har kommunen særskilt behov for når det gjelder kvalifisering og "
                 "sysselsetting av flyktninger?")


@pytest.mark.parametrize("cell, expected", [
    ("12", NOT_TEXT), ("2019", NOT_TEXT), ("3,5", NOT_TEXT), ("12.03.2024", NOT_TEXT), ("x", NOT_TEXT),
    ("xxxxx", NOT_TEXT), ("aaaa", NOT_TEXT), ("+47 99 88 77 66", NOT_TEXT),
    ("=SUM(A1:A2)", FORMULA), ("=summer(B2:B9)", FORMULA), ("@SUM(B:B)", FORMULA), ("=$A$1 + 2", FORMULA),
    (QUESTION_TEXT, QUESTION), (QUESTION_TEXT.upper().rstrip("?"), QUESTION),
    ("Hvilke tjenester har kommunen behov for når det gjelder sysselsetting av flyktninger", QUESTION),
    ("Hvilke tjenester har kommunen behov for?", QUESTION),
    ("We need more language training for the refugees", LANGUAGE), ("More work placements please", LANGUAGE),
])
def test_cells_that_are_not_answers_get_their_reason(cell, expected):
    assert screen([cell], QUESTION_TEXT) == [expected]


@pytest.mark.parametrize("answer", [
    "Praksisplasser", "Vi treng fleire praksisplassar og betre samarbeid med NAV", "Norsk", "bolig",
    "Tolk og bolig", "NAV", "kvalifisering og sysselsetting av flyktninger",  # a real answer may use the question's words
    "Flere arbeidsgivere som vil ta inn folk i praksis. For the record: vi har prøvd alt",  # one English aside
    "Jobbsjansen, 2 kurs i 2019", "Vg1 og Vg2 for voksne over 25 år",
])
def test_real_answers_pass(answer):
    assert screen([answer], QUESTION_TEXT) == [""]


def test_without_a_question_nothing_is_an_echo():
    assert screen([QUESTION_TEXT]) == [""]
