"""Cells that are not real answers, found by what they are rather than by a model.

A model trained on answers gives some code to anything, often with high confidence: a
number, a formula, keyboard mash, the survey question pasted back, an English sentence.
These checks run before anyone trusts the model with a cell; a cell they flag always goes
to review, with the reason:

- not text: fewer than two letters ('12', '2019', '3,5', '12.03.2024'), or one letter
  repeated ('xxxxx');
- formula: what a spreadsheet would calculate ('=SUM(A1:A2)', '=A1*2', '@SUM(B:B)');
- question echoed: the survey question (the code frame's `question`) pasted as the answer;
- other language: more English function words than Norwegian ones (spaCy's stop-word
  lists for English and bokmål, plus the nynorsk words `preprocess` adds).

Words and letter patterns the model never saw ('asdfgh', a foreign word salad) are judged
by the coder itself (its familiarity signals, see `coders.base.Decisions`).
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
from spacy.lang.nb.stop_words import STOP_WORDS as BOKMAL

from .preprocess import NYNORSK_STOP, answer_key

NOT_TEXT = "not text"
FORMULA = "formula"
QUESTION = "question echoed"
LANGUAGE = "other language"

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
_FORMULA = re.compile(r"^[=+@]\s*(?:[A-Za-z][A-Za-z0-9_.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b)")
_NORWEGIAN = (BOKMAL | NYNORSK_STOP) - (ENGLISH & BOKMAL)  # words both lists hold ('for', 'i') say nothing
_ENGLISH = ENGLISH - BOKMAL - NYNORSK_STOP


def reason(text: str, question_key: str = "") -> str:
    """Why `text` is not an answer to trust a model with ('' when it looks like one).
    `question_key`: `answer_key` of the survey question, '' when the frame has none."""
    stripped = text.strip()
    if _FORMULA.match(stripped):
        return FORMULA
    letters = _LETTER.findall(stripped)
    if len(letters) < 2 or len({c.lower() for c in letters}) == 1:
        return NOT_TEXT
    if question_key and _echoes(answer_key(stripped), question_key):
        return QUESTION
    words = [w.lower() for w in _WORD.findall(stripped)]
    english = sum(w in _ENGLISH for w in words)
    if english >= 2 and english > sum(w in _NORWEGIAN for w in words):
        return LANGUAGE
    return ""


def screen(texts, question: str = "") -> list[str]:
    """The reason for each text (see `reason`); each distinct text is judged once."""
    qkey = answer_key(question) if question else ""
    seen: dict[str, str] = {}
    return [seen[t] if t in seen else seen.setdefault(t, reason(t, qkey)) for t in texts]


def _echoes(key: str, question_key: str) -> bool:
    """The answer is the question, or part of it: at least four words, nearly all of them
    the question's, that cover most of the question or begin as it begins ('Hvilke tjenester
    har kommunen behov for?'). A real answer may use the question's words ('kvalifisering og
    sysselsetting av flyktninger'), but it does not open with its question words."""
    if key == question_key:
        return True
    words, asked = key.split(), question_key.split()
    if len(words) < 4 or not asked:
        return False
    shared = sum(w in set(asked) for w in words)
    return shared / len(words) >= 0.9 and (shared / len(set(asked)) >= 0.6 or words[:3] == asked[:3])
