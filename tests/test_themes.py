"""Theme discovery: three topics planted among the training answers coded `other`
(tests/data/planted_themes.csv, written by hand for the project) come out as themes of their
own; the same seed gives the same themes; one-off answers stay unassigned; the words are
words from the answers; verdicts and the contrast with training answers use only the
model's public methods; the draft code frame loads."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from classifier.cli.review import check_shortcuts
from classifier.codeframe import load_codeframe
from classifier.errors import UserError, Warnings
from classifier.preprocess import NorwegianNormalizer, fold
from classifier.theme_files import TODO, draft_frame, write_themes
from classifier.theme_words import answer_words, display_form, log_odds_z, theme_key, theme_name, top_terms
from classifier.themes import TYPICAL, find_themes, parse_count, select_answers

from .conftest import DATA, ROOT

TOPICS = ("digital", "okonomi", "svomming")
ONE_OFFS = ["Kantina på rådhuset bør servere bedre kaffe.", "Takk for en fin undersøkelse!",
            "Vi har fått ny ordfører i år."]


def planted_table() -> pd.DataFrame:
    """The training answers coded `other`, a few coded otherwise, the planted topics and three
    one-off answers, all as one coded file would hold them."""
    train = pd.read_csv(ROOT / "training_data" / "kommuneundersokelsen_2016-2019.csv", dtype=str)
    other = train[train["labels"] == "other"][["text", "labels"]].assign(topic="-")
    coded = train[train["labels"] == "practice_placements"][["text", "labels"]].head(15).assign(topic="coded")
    planted = pd.read_csv(DATA / "planted_themes.csv", sep=";", dtype=str).rename(columns={"svar": "text"})
    planted = planted.assign(labels="other")[["text", "labels", "topic"]]
    odd = pd.DataFrame({"text": ONE_OFFS, "labels": "other", "topic": "one-off"})
    df = pd.concat([other.iloc[:100], coded, planted, other.iloc[100:], odd], ignore_index=True)
    return df.assign(needs_review=["true" if i % 3 == 0 else "false" for i in range(len(df))])


@pytest.fixture(scope="module")
def table():
    return planted_table()


@pytest.fixture(scope="module")
def result(table):
    return find_themes(select_answers(table, "text", "planted.csv", where_code="other"), seed=0)


def planted_recovery(theme_of_row, topics) -> dict:
    """Per topic: (share of its answers in its most common theme, share of that theme's answers
    from the topic, the theme)."""
    theme_of_row, topics = np.asarray(theme_of_row), np.asarray(topics)
    out = {}
    for topic in TOPICS:
        mine = theme_of_row[(topics == topic) & (theme_of_row > 0)]
        best, count = Counter(mine.tolist()).most_common(1)[0]
        out[topic] = (count / (topics == topic).sum(), (topics[theme_of_row == best] == topic).mean(), best)
    return out


def test_each_planted_topic_gets_a_theme_of_its_own(table, result):
    rec = planted_recovery(result.theme_of_row, table["topic"])
    for topic, (recall, purity, _) in rec.items():
        assert recall >= 0.6, (topic, rec)
        assert purity >= 0.5, (topic, rec)
    assert len({best for _, _, best in rec.values()}) == 3, rec
    # the answers coded otherwise were not grouped
    assert {result.status[i] for i in np.flatnonzero(table["topic"] == "coded")} == {"not selected"}


def test_one_off_answers_stay_unassigned(table, result):
    odd = np.flatnonzero(table["topic"] == "one-off")
    assert [result.status[i] for i in odd] == ["unassigned"] * 3
    assert all(result.theme_of_row[i] == 0 for i in odd)
    assert result.n_unassigned >= 3
    assert result.n_unassigned == sum(s == "unassigned" for s in result.status)


def test_every_row_has_a_theme_or_a_reason(table, result):
    assert len(result.theme_of_row) == len(result.status) == len(table)
    assert set(result.status) <= {"theme", "unassigned", "empty", "not selected"}
    grouped = sum(s in ("theme", "unassigned") for s in result.status)
    assert grouped == result.n_answers == (table["labels"] == "other").sum()
    sizes = Counter(n for n in result.theme_of_row if n)
    assert [t.size for t in result.themes] == [sizes[t.number] for t in result.themes]
    assert [t.size for t in result.themes] == sorted((t.size for t in result.themes), reverse=True)
    assert all(t.size >= result.min_size for t in result.themes)
    assert sum(t.share for t in result.themes) == pytest.approx(1 - result.n_unassigned / result.n_answers)


def test_same_seed_same_themes(table, result):
    again = find_themes(select_answers(table, "text", "planted.csv", where_code="other"), seed=0)
    assert again.theme_of_row == result.theme_of_row
    assert [(t.key, t.words, t.typical) for t in again.themes] == [(t.key, t.words, t.typical) for t in result.themes]


def test_another_seed_still_finds_the_planted_topics(table):
    other = find_themes(select_answers(table, "text", "planted.csv", where_code="other"), seed=7)
    rec = planted_recovery(other.theme_of_row, table["topic"])
    assert all(r >= 0.6 and p >= 0.5 for r, p, _ in rec.values()), rec


def test_words_and_typical_answers_come_from_the_theme(table, result):
    texts = table["text"].tolist()
    for theme in result.themes:
        members = [texts[i] for i in theme.rows]
        words_there = {w for t in members for w in fold(t).replace(",", " ").replace(".", " ").split()}
        for word in theme.words:  # written forms, not stems
            assert fold(word) in words_there, (word, theme.name)
        assert len(theme.typical) == min(TYPICAL, len(set(members))) and set(theme.typical) <= set(members)
    rec = planted_recovery(result.theme_of_row, table["topic"])
    digital = next(t for t in result.themes if t.number == rec["digital"][2])
    assert "BankID" in digital.words  # the capitals of a name are kept
    swimming = next(t for t in result.themes if t.number == rec["svomming"][2])
    assert any(w.startswith("svømm") for w in swimming.words)  # shown with ø, not folded


def test_fixed_number_of_themes(table):
    res = find_themes(select_answers(table, "text", "planted.csv", where_code="other"), n_themes=6, seed=0)
    fewer = [n for n in res.notes if "asked for 6 themes" in n]
    assert len(res.themes) == 6 or (len(res.themes) < 6 and fewer), (len(res.themes), res.notes)
    assert all(t.number == i for i, t in enumerate(res.themes, start=1))


def test_where_review_takes_the_flagged_answers(table):
    sel = select_answers(table, "text", "planted.csv", where_review=True)
    assert list(sel.rows) == [i for i in range(len(table)) if i % 3 == 0]


@pytest.mark.parametrize("kwargs, df_change, fragment", [
    ({"where_code": "other"}, lambda df: df.drop(columns="labels"), "no 'labels' column"),
    ({"where_code": "bolig"}, None, "No code 'bolig'"),
    ({"where_review": True}, lambda df: df.drop(columns="needs_review"), "no 'needs_review' column"),
    ({"where_code": "other"}, lambda df: df.assign(labels="practice_placements"), "No code 'other'"),
    ({}, lambda df: df.assign(text="-"), "has no answers"),
])
def test_selection_errors_name_the_problem(table, kwargs, df_change, fragment):
    df = df_change(table) if df_change else table
    with pytest.raises(UserError, match=fragment):
        select_answers(df, "text", "planted.csv", **kwargs)


def test_no_answers_left_after_filtering(table, frame):
    """The model's frame knows the code, but no answer carries it."""
    with pytest.raises(UserError, match="no answer is coded 'other'"):
        select_answers(table.assign(labels="practice_placements"), "text", "planted.csv", where_code="other",
                       frame=frame)


@pytest.mark.parametrize("value", ["0", "1", "-3", "many", "2.5"])
def test_bad_theme_counts(value):
    with pytest.raises(UserError, match="--themes must be"):
        parse_count(value)


def test_theme_counts():
    assert parse_count("auto") is None and parse_count("AUTO") is None and parse_count("12") == 12


def test_too_few_and_too_many(table):
    few = table.head(8)
    with pytest.raises(UserError, match="needs at least 10"):
        find_themes(select_answers(few, "text", "few.csv"))
    sel = select_answers(table.head(30), "text", "some.csv")
    with pytest.raises(UserError, match="more themes than"):
        find_themes(sel, n_themes=31)


# -- words ---------------------------------------------------------------------------------------
def test_terms_are_the_normalisers_and_have_written_forms():
    texts = ["Svømmeopplæring for vaksne, ikkje berre for born!", "Hjelp med BankID og nettbank paa nett",
             "Vi trenger 3 tolker: https://imdi.no"]
    words = answer_words(texts)
    norm = NorwegianNormalizer().transform(texts)["terms"].tolist()
    for line, terms, forms in zip(norm, words.terms, words.forms):
        assert set(terms.split()) <= set(line.split())  # the normaliser's terms, some dropped
        assert set(terms.split()) == set(forms)
    assert "ikk" not in words.terms[0].split() and "_num_" not in words.terms[2] and "_url_" not in words.terms[2]
    assert "pa" not in words.terms[1].split()  # 'paa' is 'på', a stop word typed without å
    assert display_form(words.forms[1]["bankid"]) == "BankID"


def test_display_form_prefers_the_spelling_with_aeoeaa():
    assert display_form(Counter({"norskopplaering": 3, "Norskopplæring": 2})) == "norskopplæring"
    assert display_form(Counter({"NAV": 2, "nav": 1})) == "NAV"
    assert display_form(Counter({"Bolig": 3, "bolig": 1})) == "bolig"


def test_log_odds_ranks_a_word_that_sets_a_group_apart_first():
    inside = Counter({"tolk": 10, "trenger": 5, "tigrinja": 3})
    outside = Counter({"tolk": 2, "trenger": 60, "bolig": 40})
    assert top_terms(inside, outside)[0] == "tolk"
    assert "trenger" not in top_terms(inside, outside)
    z = log_odds_z(np.array([10, 0]), np.array([0, 10]), np.array([10, 10]))
    assert z[0] > 1.96 > -1.96 > z[1]


def test_keys_and_names():
    taken = {"other"}
    assert theme_key(["Svømmeopplæring", "basseng"], 1, taken) == "tema_svommeopplaering_basseng"
    assert theme_key(["Svømmeopplæring", "basseng"], 2, taken) == "tema_svommeopplaering_basseng_2"
    assert theme_key([], 3, taken) == "tema_3"
    assert theme_name(["svømmeopplæring", "basseng", "symjekurs"], 1) == "Svømmeopplæring, basseng og symjekurs"
    assert theme_name(["BankID"], 1) == "BankID"


# -- with a model --------------------------------------------------------------------------------
class KeywordCoder:
    """A stand-in model with only the public methods themes uses: `frame`, `predict_proba`
    and, optionally, `term_document_frequencies`."""

    def __init__(self, frame, counts=None):
        self.frame = frame
        if counts is not None:
            self.term_document_frequencies = lambda: counts

    def predict_proba(self, texts):
        P = np.zeros((len(texts), len(self.frame.keys)))
        for i, t in enumerate(texts):
            P[i, self.frame.keys.index("practice_placements")] = 0.9 if "bolig" in t.lower() else 0.01
            P[i, self.frame.keys.index("other")] = 0.5
        return P


def test_verdicts_from_the_models_probabilities(table, frame):
    sel = select_answers(table, "text", "planted.csv", where_code="other")
    res = find_themes(sel, seed=0, coder=KeywordCoder(frame), model_name="kw")
    assert Warnings.THEMES_NO_TRAINING_WORDS.format(model="kw") in res.notes and not res.training_contrast
    housing = next(t for t in res.themes if "bolig" in t.words)
    assert housing.verdict.kind == "existing" and housing.verdict.code == "practice_placements"
    assert housing.verdict.mean_p >= 0.5
    assert "other" not in housing.verdict.means  # the fallback is no candidate
    rec = planted_recovery(res.theme_of_row, table["topic"])
    digital = next(t for t in res.themes if t.number == rec["digital"][2])
    assert digital.verdict.kind == "new" and digital.verdict.mean_p < 0.2


def test_contrast_with_training_answers_when_the_model_gives_word_counts(table, frame):
    sel = select_answers(table, "text", "planted.csv", where_code="other")
    counts = {"digital": 500, "bankid": 0, "bolig": 300}
    res = find_themes(sel, seed=0, coder=KeywordCoder(frame, counts), model_name="kw")
    assert res.training_contrast and not res.notes
    rec = planted_recovery(res.theme_of_row, table["topic"])
    digital = next(t for t in res.themes if t.number == rec["digital"][2])
    assert "BankID" in digital.new_words and "digital" not in digital.new_words
    assert "digital" in digital.words  # still what sets it apart from the other themes


def test_verdicts_with_the_trained_model(table, model):
    """The real model: the planted digital-skills theme is far from every code, and a theme of
    answers about practice placements looks like that code."""
    placements = pd.read_csv(ROOT / "eval_data" / "heldout.csv", dtype=str)
    placements = placements[placements["labels"] == "practice_placements"].assign(topic="placements")
    df = pd.concat([table, placements], ignore_index=True)
    sel = select_answers(df, "text", "mixed.csv")
    res = find_themes(sel, seed=0, coder=model.coder, model_name=model.name)
    rec = planted_recovery(res.theme_of_row, df["topic"])
    digital = next(t for t in res.themes if t.number == rec["digital"][2])
    assert digital.verdict.kind == "new"
    topics = df["topic"].to_numpy()
    biggest = max(res.themes, key=lambda t: (topics[t.rows] == "placements").sum())
    assert biggest.verdict.kind == "existing" and biggest.verdict.code == "practice_placements"


# -- the draft frame -----------------------------------------------------------------------------
def test_draft_frame_loads_and_keeps_the_review_keys_free(tmp_path, table, result, frame):
    paths = write_themes(result, tmp_path)
    draft = load_codeframe(paths["codeframe_draft.toml"])
    assert draft.keys == [t.key for t in result.themes] + ["other"] and draft.fallback == "other"
    for t in result.themes:
        code = draft.code(t.key)
        assert code.definition.startswith(TODO) and list(code.examples) == t.words[:8]
    assert check_shortcuts(draft) == draft.shortcuts()  # no code on a review key (that raises)
    with_model = draft_frame(replace(result, frame=frame, model_name="m"))
    assert with_model.keys[:4] == frame.keys[:4] and with_model.keys[-1] == "other"
    assert set(frame.keys) < set(with_model.keys) and with_model.multi_label == frame.multi_label
    assert len(set(with_model.shortcuts())) == len(with_model.keys)


def test_theme_keys_never_clash_with_explicit_shortcuts(result, frame):
    keyed = replace(frame, codes=tuple(replace(c, shortcut="6") if c.key == "education_guidance" else c
                                       for c in frame.codes))
    draft = draft_frame(replace(result, frame=keyed, model_name="m"))
    shortcuts = draft.shortcuts()
    assert len(shortcuts) == len(draft.keys) and shortcuts["6"] == "education_guidance"
    assert check_shortcuts(draft) == shortcuts


def test_answers_with_nothing_in_common_give_no_themes():
    texts = ONE_OFFS + ["Sykkelverksted på biblioteket", "Hundepark i sentrum", "Nye lyspærer i gymsalen",
                        "Færre møter om formiddagen", "Bedre parkering ved legekontoret", "Snøbrøyting av gangveier",
                        "Julebord for de ansatte", "Ny nettside for kommunen"]
    sel = select_answers(pd.DataFrame({"svar": texts}), "svar", "odd.csv")
    with pytest.raises(UserError, match="No themes among the 11 answers"):
        find_themes(sel)


def test_a_small_survey_still_finds_its_two_topics():
    housing = ["Bolig", "Boliger til store familier", "Mangler kommunale boliger", "bolig bolig bolig",
               "Bustader, vi har ikkje nok husvære", "Flere boliger"]
    interpreters = ["Tolk", "Tolk på telefon fungerer dårlig", "Kvalifiserte tolker", "tolker på tigrinja",
                    "Tilgang på tolk", "Tolketjenester"]
    other = ["Vet ikke", "Mer penger", "Barnehageplass", "Helse"]
    res = find_themes(select_answers(pd.DataFrame({"svar": housing + interpreters + other}), "svar", "small.csv"))
    best = []
    for rows in (res.theme_of_row[:6], res.theme_of_row[6:12]):
        theme, count = Counter(n for n in rows if n).most_common(1)[0]
        assert count >= 4, rows
        best.append(theme)
    assert best[0] != best[1]
