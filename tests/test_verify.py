"""verify: the blind sample of auto-coded answers and the comparison with a person's codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from classifier.errors import UserError
from classifier.preprocess import answer_key
from classifier.verify import (
    Columns,
    check_sample_output,
    compare,
    draw_sample,
    proportional_allocation,
    read_coded,
    read_gold,
    write_sample,
)

KEYS = ["education_guidance", "employer_cooperation", "practice_placements", "work_pathways", "other"]

# A small `predict` output, written for this test: (id, answer, the model's codes, confidence, needs review).
ROWS = [
    ("r01", "Flere praksisplasser i kommunen", "practice_placements", 0.97, False),
    ("r02", "Praksisplasser", "practice_placements", 0.99, False),
    ("r03", "praksisplasser!", "practice_placements", 0.99, False),
    ("r04", "Praksisplasser", "practice_placements", 0.99, False),
    ("r05", "Godkjenning av utdanning fra hjemlandet", "education_guidance", 0.96, False),
    ("r06", "fagbrev for voksne", "education_guidance", 0.93, False),
    ("r07", "Bolig", "other", 0.98, False),
    ("r08", "bolig.", "other", 0.98, False),
    ("r09", "Tolk", "other", 0.95, False),
    ("r10", "Samarbeid med lokale bedrifter om rekruttering", "employer_cooperation", 0.94, False),
    ("r11", "Jobbsjansen og bransjekurs", "work_pathways", 0.92, False),
    ("r12", "Mentorordning hos arbeidsgiver", "employer_cooperation", 0.91, False),
    ("r13", "Språkpraksis med god oppfølging", "practice_placements", 0.90, False),
    ("r14", "Lønnstilskudd og praksis i bedrift", "practice_placements;work_pathways", 0.89, False),
    ("r15", "Kombinasjonsklasser og vgs for voksne", "education_guidance", 0.95, False),
    ("r16", "Vet ikke", "other", 0.99, False),
    ("r17", "vet ikke", "other", 0.99, False),
    ("r18", "Vi trenger alt mulig", "other", 0.55, True),
    ("r19", "Bedre norskopplæring og kontakt med næringslivet", "employer_cooperation", 0.60, True),
    ("r20", "", "", None, False),
    ("r21", "-", "", None, False),
]


def write_coded(path, rows=ROWS, decimal="."):
    """`rows` as predict writes them: the input columns, then labels, confidence, needs_review, p_<code>
    (numbers with `decimal` as decimal mark)."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame({
        "id": [r[0] for r in rows], "kommune": ["Lom"] * len(rows), "svar": [r[1] for r in rows],
        "labels": [r[2] for r in rows],
        "confidence": ["" if r[3] is None else str(r[3]).replace(".", decimal) for r in rows],
        "needs_review": ["true" if r[4] else "false" for r in rows],
    })
    for k in KEYS:
        df[f"p_{k}"] = [f"{p:.4f}".replace(".", decimal) if r[3] is not None else ""
                        for p, r in zip(rng.random(len(rows)), rows)]
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def write_gold(path, rows):
    """A coordinator's file: (id, answer, codes) per row."""
    pd.DataFrame(rows, columns=["id", "svar", "labels"]).to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def codes_of(cell) -> frozenset:
    return frozenset(c.strip() for c in str(cell).split(";") if c.strip())


def by_hand(coded_path, gold_path) -> float:
    """The accuracy as anyone would compute it: look up every auto-coded row's answer in the
    coordinator's file and count the rows whose code sets agree."""
    coded = pd.read_csv(coded_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    gold = pd.read_csv(gold_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    auto = coded[(coded.needs_review == "false") & coded.svar.str.strip().str.strip("-").ne("")].copy()
    auto["key"] = auto.svar.map(answer_key)
    gold = gold[gold.labels.str.strip() != ""].assign(key=lambda g: g.svar.map(answer_key))
    both = auto.merge(gold[["key", "labels"]], on="key", suffixes=("_model", "_gold"))
    return float((both.labels_model.map(codes_of) == both.labels_gold.map(codes_of)).mean())


@pytest.fixture
def coded(tmp_path):
    return read_coded(write_coded(tmp_path / "coded.csv"))


# -- sampling -----------------------------------------------------------------------------
@pytest.mark.parametrize("sizes,n,expected", [
    ([50, 30, 20], 10, [5, 3, 2]),
    ([3, 3, 3, 2, 1, 1], 6, [1, 1, 1, 1, 1, 1]),   # remainders .38 .38 .38 .92 .46 .46
    ([1, 1, 1], 2, [1, 1, 0]),                     # equal remainders: the earlier stratum
    ([4, 1], 9, [4, 1]),                           # never more than a stratum holds
    ([5, 3, 2], 4, [2, 1, 1]),                     # 2.0 1.2 0.8: the largest remainder, not the larger stratum
])
def test_proportional_allocation_by_largest_remainders(sizes, n, expected):
    assert proportional_allocation(sizes, n) == expected


def test_reads_the_auto_coded_answers_of_a_predict_output(coded):
    assert coded.text == "svar"  # guessed, never the labels or p_ columns
    assert coded.n_auto == 17 and coded.n_answers == 19
    assert coded.code_keys == KEYS


def test_sample_is_stratified_by_the_models_codes_in_proportion(coded, frame):
    sample = draw_sample(coded, 6, frame, seed=0)
    # 13 distinct auto-coded answers: 'Praksisplasser' x3, 'Bolig' x2 and 'Vet ikke' x2 count once.
    assert (sample.n, sample.n_distinct, sample.n_auto, sample.n_strata) == (6, 13, 17, 6)
    row_of = {str(i): n for n, i in enumerate(range(1, len(ROWS) + 1))}
    drawn = [ROWS[row_of[i]] for i in sample.table["coded_row"]]
    assert all(not r[4] and r[1].strip("- ") for r in drawn)  # auto-coded, non-empty answers only
    assert len({answer_key(r[1]) for r in drawn}) == 6  # each distinct answer at most once
    strata = pd.Series([r[2] for r in drawn]).value_counts().sort_index()
    assert strata.to_dict() == {s: 1 for s in ["education_guidance", "employer_cooperation", "other",
                                               "practice_placements", "practice_placements;work_pathways",
                                               "work_pathways"]}
    bigger = draw_sample(coded, 10, frame, seed=0)  # 10 of 13: allocation 2.3 2.3 2.3 1.5 .8 .8 -> 2 2 2 2 1 1
    counts = pd.Series([ROWS[row_of[i]][2] for i in bigger.table["coded_row"]]).value_counts()
    assert counts.to_dict() == {"education_guidance": 2, "other": 2, "practice_placements": 2,
                                "employer_cooperation": 2, "work_pathways": 1, "practice_placements;work_pathways": 1}


def test_sample_is_blind(coded, frame, tmp_path):
    sample = draw_sample(coded, 8, frame, seed=4)
    assert list(sample.table.columns) == ["coded_row", "svar", "labels"]
    assert set(sample.table["labels"]) == {""}
    out = write_sample(sample, tmp_path / "s.xlsx")
    sheets = pd.read_excel(out, sheet_name=None, dtype=str)
    assert list(sheets) == ["sample", "codes"]
    assert list(sheets["sample"].columns) == ["coded_row", "svar", "labels"]
    assert sheets["sample"]["labels"].isna().all()
    assert sheets["codes"]["key"].tolist() == KEYS and sheets["codes"]["name"].iloc[4] == "Annet"
    # no confidence, probability or code anywhere in the sample sheet
    text = " ".join(sheets["sample"].fillna("").to_numpy().ravel())
    assert not any(k in text for k in KEYS) and "0.9" not in text


def test_sample_with_an_id_column_keeps_the_ids(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"), id_column="id")
    sample = draw_sample(coded, 5, frame, seed=2)
    assert list(sample.table.columns) == ["id", "svar", "labels"]
    answers = dict((r[0], r[1]) for r in ROWS)
    assert all(answers[i] == t for i, t in zip(sample.table["id"], sample.table["svar"]))


def test_sample_is_the_same_for_a_seed_and_another_for_another_seed(coded, frame):
    first = draw_sample(coded, 7, frame, seed=11).table
    assert first.equals(draw_sample(coded, 7, frame, seed=11).table)
    others = [draw_sample(coded, 7, frame, seed=s).table for s in range(12, 17)]
    assert any(not o.equals(first) for o in others)


def test_a_sample_larger_than_the_answers_takes_them_all(coded, frame):
    sample = draw_sample(coded, 500, frame)
    assert sample.n == 13 == sample.n_distinct


def test_sample_refuses_bad_input(coded, frame, tmp_path):
    with pytest.raises(UserError, match="--sample must be 1 or more"):
        draw_sample(coded, 0, frame)
    all_review = [(r[0], r[1], r[2], r[3], True) for r in ROWS]
    none = read_coded(write_coded(tmp_path / "review.csv", all_review))
    with pytest.raises(UserError, match="no auto-coded answers"):
        draw_sample(none, 5, frame)
    raw = tmp_path / "raw.csv"
    pd.DataFrame({"svar": ["Bolig", "Tolk"]}).to_csv(raw, sep=";", index=False)
    with pytest.raises(UserError, match="not a 'predict' output: it has no 'labels' column"):
        read_coded(raw)
    with pytest.raises(UserError, match="Use .xlsx"):
        check_sample_output(tmp_path / "s.sav", coded.path)
    (tmp_path / "taken.xlsx").write_bytes(b"codes a coordinator typed")
    with pytest.raises(UserError, match="already exists"):
        check_sample_output(tmp_path / "taken.xlsx", coded.path)
    assert (tmp_path / "taken.xlsx").read_bytes() == b"codes a coordinator typed"


# -- comparing ---------------------------------------------------------------------------
GOLD = [  # the coordinator's codes for a sample of the answers above
    ("r02", "Praksisplasser", "practice_placements"),                    # right, 3 copies
    ("r05", "Godkjenning av utdanning fra hjemlandet", "education_guidance"),
    ("r07", "Bolig", "other"),                                           # right, 2 copies
    ("r10", "Samarbeid med lokale bedrifter om rekruttering", "employer_cooperation"),
    ("r11", "Jobbsjansen og bransjekurs", "work_pathways"),
    ("r12", "Mentorordning hos arbeidsgiver", "employer_cooperation;practice_placements"),  # wrong
    ("r14", "Lønnstilskudd og praksis i bedrift", "work_pathways;practice_placements"),   # right, other order
    ("r16", "Vet ikke", "work_pathways"),                                # wrong, 2 copies
    ("r06", "fagbrev for voksne", ""),                                   # not coded yet
]


@pytest.mark.parametrize("match", ["id", "text"])
def test_accuracy_is_what_one_computes_by_hand_from_the_two_files(tmp_path, frame, match):
    coded_path = write_coded(tmp_path / "coded.csv")
    gold_path = write_gold(tmp_path / "gold.csv", GOLD)
    coded = read_coded(coded_path, id_column="id" if match == "id" else None)
    gold = read_gold(gold_path, coded, frame)
    assert gold.id_column == ("id" if match == "id" else None)
    result = compare(coded, gold, frame)
    assert result.auto_coded_accuracy == pytest.approx(by_hand(coded_path, gold_path))
    assert (result.rows_right, result.rows_compared) == (9, 12)  # 3 + 1 + 2 + 1 + 1 + 0 + 1 + 0 of 12 rows
    assert (result.answers_right, result.answers_compared) == (6, 8)
    assert result.matched_by == match and result.ignored["uncoded"] == 1
    assert result.ci_low <= result.auto_coded_accuracy <= result.ci_high
    assert result.n_auto == 17


def test_interval_is_wilsons_and_matches_scipy_when_no_answer_repeats(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"))
    distinct = [g for g in GOLD if g[0] not in ("r02", "r07", "r16")]  # answers with one copy each
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", distinct), coded, frame), frame)
    assert (result.rows_right, result.rows_compared, result.effective_n) == (4, 5, 5)
    ci = binomtest(4, 5).proportion_ci(0.95, method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx((ci.low, ci.high))
    assert result.ci_low < 0.8 < result.ci_high


def test_repeated_answers_narrow_the_interval_less_than_their_rows_would(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"))
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", GOLD), coded, frame), frame)
    # weights 3,1,2,1,1,1,1,2: effective n = 12^2 / 22
    assert result.effective_n == pytest.approx(144 / 22)
    naive = binomtest(9, 12).proportion_ci(0.95, method="wilson")
    assert result.ci_high - result.ci_low > naive.high - naive.low


def test_per_code_precision_and_recall_on_the_sample(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"))
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", GOLD), coded, frame), frame)
    pc = result.per_code
    # rows: model other x4 (Bolig x2 right, Vet ikke x2 coded work_pathways by the coordinator)
    assert pc["other"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "model": 4, "gold": 2, "both": 2}
    # work_pathways: model r11 and r14; coordinator r11, r14 and Vet ikke x2
    assert (pc["work_pathways"]["precision"], pc["work_pathways"]["recall"]) == (1.0, 0.5)
    # practice_placements: model 3 + r14; coordinator also on r12 (the model missed it)
    assert (pc["practice_placements"]["precision"], pc["practice_placements"]["recall"]) == (1.0, 0.8)
    assert pc["education_guidance"]["model"] == 1


@pytest.mark.parametrize("decimal", [".", ","], ids=["decimal point", "decimal comma"])
def test_cutoff_that_would_have_met_the_target(tmp_path, frame, decimal):
    # 30 distinct answers auto-coded: the 12 surest are right, the rest wrong.
    rows, gold = [], []
    for i in range(30):
        text = f"Svar nummer {i} om praksis i bedrift"
        conf = round(0.99 - i * 0.004, 4)
        rows.append((f"a{i}", text, "practice_placements", conf, False))
        gold.append((f"a{i}", text, "practice_placements" if i < 12 else "work_pathways"))
    rows += [("b1", "Noe annet helt", "other", 0.5, True), ("b2", "Enda noe annet", "other", 0.3, True)]
    coded = read_coded(write_coded(tmp_path / "coded.csv", rows, decimal))
    assert coded.confidence[:3].tolist() == [0.99, 0.986, 0.982]  # read in either convention
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", gold), coded, frame), frame)
    assert result.auto_coded_accuracy == pytest.approx(12 / 30) and result.ci_high < 0.95
    assert result.verdict == "below"
    c = result.cutoff
    assert c.cutoff == pytest.approx(0.99 - 11 * 0.004)  # the 12th surest: one more adds a wrong answer
    assert (c.accuracy, c.sample_rows, c.year_auto) == (1.0, 12, 12)
    assert c.year_share == pytest.approx(12 / 32)


def test_no_cutoff_when_none_meets_the_target_on_the_sample(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"))
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", GOLD), coded, frame), frame)
    # 9 of 12 rows, effective n 6.5: below 95 %; the surest rows ('Vet ikke', 0.99) are wrong,
    # so no cutoff reaches 95 % on this sample.
    assert result.ci_high < 0.95 and result.verdict == "below" and result.cutoff is None


def test_verdict_says_whether_the_interval_holds_the_target(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"))
    distinct = [g for g in GOLD if g[0] not in ("r02", "r07", "r16")]
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", distinct), coded, frame), frame)
    assert result.ci_low < 0.95 <= result.ci_high and result.verdict == "unclear" and result.cutoff is None
    d = result.as_dict()
    assert {"auto_coded_accuracy", "ci_low", "ci_high", "n_auto", "per_code", "verdict"} <= set(d)
    rows = [(f"a{i}", f"Svar nummer {i} om praksis", "practice_placements", 0.97, False) for i in range(80)]
    coded = read_coded(write_coded(tmp_path / "many.csv", rows))
    gold = write_gold(tmp_path / "many_gold.csv", [(r[0], r[1], r[2]) for r in rows])
    result = compare(coded, read_gold(gold, coded, frame), frame)
    assert result.auto_coded_accuracy == 1.0 and result.ci_low >= 0.95 and result.verdict == "meets"


def test_gold_rows_outside_the_auto_coded_answers_are_counted_and_left_out(tmp_path, frame):
    coded = read_coded(write_coded(tmp_path / "coded.csv"))
    extra = GOLD + [("r18", "Vi trenger alt mulig", "other"), ("x1", "Et svar som ikke er i filen", "other")]
    result = compare(coded, read_gold(write_gold(tmp_path / "gold.csv", extra), coded, frame), frame)
    assert result.ignored == {"uncoded": 1, "not_in_coded": 1, "not_auto_coded": 1}
    assert result.rows_compared == 12


def test_gold_refuses_bad_input(tmp_path, frame):
    coded_path = write_coded(tmp_path / "coded.csv")
    coded = read_coded(coded_path)
    bad = write_gold(tmp_path / "typo.csv", GOLD[:3] + [("r10", "Samarbeid med lokale bedrifter om rekruttering",
                                                         "employer_coop")])
    with pytest.raises(UserError, match=r"Unknown code 'employer_coop' in .*typo.csv row 5\."):
        read_gold(bad, coded, frame)
    none = tmp_path / "nolabels.csv"
    pd.DataFrame({"svar": ["Bolig"], "kode": ["other"]}).to_csv(none, sep=";", index=False)
    with pytest.raises(UserError, match="no 'labels' column"):
        read_gold(none, coded, frame)
    with pytest.raises(UserError, match="None of the 2 rows .* has codes"):
        read_gold(write_gold(tmp_path / "empty.csv", [("r02", "Praksisplasser", ""), ("r05", "x", "")]), coded, frame)
    with pytest.raises(UserError, match="None of the 1 coded answers .* is an auto-coded answer"):
        read_gold(write_gold(tmp_path / "other.csv", [("z", "Helt andre svar", "other")]), coded, frame)
    with pytest.raises(UserError, match="coded differently in rows 2 and 3"):
        read_gold(write_gold(tmp_path / "conflict.csv", [("r02", "Praksisplasser", "practice_placements"),
                                                          ("r03", "praksisplasser!", "other")]), coded, frame)
    by_id = read_coded(coded_path, id_column="id")
    with pytest.raises(UserError, match=r"row 2: the answer with id 'r05' .* is a different answer"):
        read_gold(write_gold(tmp_path / "shifted.csv", [("r05", "Praksisplasser", "practice_placements")]),
                  by_id, frame)


def test_column_names_live_in_one_place(tmp_path, frame):
    """A survey with several questions names the model's columns per question."""
    path = write_coded(tmp_path / "coded.csv")
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df.rename(columns={"labels": "q1_labels", "needs_review": "q1_needs_review", "confidence": "q1_confidence"})
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    columns = Columns(labels="q1_labels", review="q1_needs_review", confidence="q1_confidence")
    coded = read_coded(path, columns)
    assert coded.n_auto == 17 and coded.text == "svar"
    sample = draw_sample(coded, 3, frame)
    assert list(sample.table.columns) == ["coded_row", "svar", "q1_labels"]
