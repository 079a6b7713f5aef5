"""The year-over-year report: tables checked against counts made directly with pandas."""

import pandas as pd
import pytest
from scipy.stats import binomtest

from classifier.codeframe import load_codeframe
from classifier.errors import UserError
from classifier.report import build_report, read_coded_files, year_from_name

from .conftest import FRAME
from .report_data import coded_year, direct_counts, last_two_years, training_rows


@pytest.fixture(scope="module")
def rows():
    return training_rows()


@pytest.fixture
def two_years(rows, tmp_path):
    return last_two_years(rows, tmp_path)


@pytest.fixture(scope="module")
def frame():
    return load_codeframe(FRAME)


def test_tables_match_counts_made_with_pandas(two_years, frame):
    years, paths = two_years
    df, _ = read_coded_files(paths)
    report = build_report(df, frame, by="fylke")
    assert report.years == years
    for year, path in zip(years, paths, strict=True):
        counts, n, raw = direct_counts(path)
        got = report.shares[report.shares["year"] == year].set_index("code")
        for key in frame.keys:
            assert got.loc[key, "count"] == counts.get(key, 0)
            assert got.loc[key, "answers"] == n
            assert got.loc[key, "share"] == pytest.approx(counts.get(key, 0) / n)
            ci = binomtest(int(counts.get(key, 0)), n).proportion_ci(0.95, method="wilson")
            assert (got.loc[key, "ci_low"], got.loc[key, "ci_high"]) == pytest.approx((ci.low, ci.high))
        review = report.review.set_index("year").loc[year]
        answered = raw[raw["labels"] != ""]
        assert review["needs_review"] == (answered["needs_review"] == "true").sum()
        assert review["empty"] == 2 and review["rows"] == len(raw)
        assert review["mean_confidence"] == pytest.approx(answered["confidence"].astype(float).mean())
        # by group
        for fylke, part in answered.groupby("fylke"):
            sub = report.by_group[(report.by_group["year"] == year) & (report.by_group["fylke"] == fylke)]
            sub = sub.set_index("code")
            c = part["labels"].str.split(";").explode().value_counts()
            for key in frame.keys:
                assert sub.loc[key, "count"] == c.get(key, 0)
                assert sub.loc[key, "answers"] == len(part)


def test_changes_between_years(two_years, frame):
    years, paths = two_years
    report = build_report(read_coded_files(paths)[0], frame)
    ch = report.changes.set_index("code")
    s = report.shares.set_index(["code", "year"])
    for key in frame.keys:
        assert ch.loc[key, "change"] == pytest.approx(s.loc[(key, years[1]), "share"] - s.loc[(key, years[0]), "share"])
        assert 0 <= ch.loc[key, "p_value"] <= 1


def test_examples_are_the_surest_answers_with_the_code(two_years, frame):
    years, paths = two_years
    report = build_report(read_coded_files(paths)[0], frame, n_examples=2)
    raw = pd.concat([pd.read_csv(p, sep=";", dtype=str, keep_default_na=False) for p in paths])
    for key in frame.keys:
        ex = report.examples[report.examples["code"] == key]
        assert len(ex) == 2
        for text in ex["text"]:
            match = raw[raw["text"].str.strip() == text]
            assert (match["labels"].str.split(";").map(lambda ks, key=key: key in ks)).any()
            assert (match["needs_review"] == "false").any()
        assert set(ex["year"]) == {years[-1]}  # newest year first


def test_year_from_column_option_or_file_name(rows, tmp_path):
    p = coded_year(rows, "2019", tmp_path / "coded.csv")
    with pytest.raises(UserError, match="Cannot tell which survey year"):
        read_coded_files([p])
    assert set(read_coded_files([p], years=["2031"])[0]["_year"]) == {"2031"}
    with pytest.raises(UserError, match="--years names 2 years for 1 files"):
        read_coded_files([p], years=["2031", "2032"])
    df = pd.read_csv(p, sep=";", dtype=str, keep_default_na=False)
    df["aar"] = "2015"
    df.to_csv(p, index=False, sep=";")
    assert set(read_coded_files([p])[0]["_year"]) == {"2015"}
    df["survey"] = ["2016", "2017"] * (len(df) // 2) + ["2016"] * (len(df) % 2)
    df.to_csv(p, index=False, sep=";")
    assert set(read_coded_files([p], year_column="survey")[0]["_year"]) == {"2016", "2017"}
    assert year_from_name(tmp_path / "kommuneundersokelsen_2020_coded.csv") == "2020"
    assert year_from_name(tmp_path / "export_12020.csv") is None


def test_a_file_that_is_not_coded_is_refused(tmp_path):
    p = tmp_path / "raw_2020.csv"
    p.write_text("id;svar\n1;Praksis\n", encoding="utf-8")
    with pytest.raises(UserError, match="is not a coded file"):
        read_coded_files([p])


V2 = """
[frame]
name = "demo"
version = "2"
fallback = "other"
[frame.previous]
version = "1"
map = { work = ["courses", "jobs"], praksis = ["practice"] }
[[codes]]
key = "practice"
name = "Praksisplasser"
[[codes]]
key = "courses"
name = "Kurs"
[[codes]]
key = "jobs"
name = "Jobbløp"
[[codes]]
key = "other"
name = "Annet"
"""


def test_previous_frame_version_is_translated_and_a_split_gets_its_own_row(tmp_path):
    frame_path = tmp_path / "demo.toml"
    frame_path.write_text(V2, encoding="utf-8")
    old = tmp_path / "s_2019.csv"
    old.write_text('id;svar;labels\n1;Praksis;praksis\n2;Kurs og jobb;work\n3;Bolig;other\n4;Praksis og kurs;"praksis;work"\n',
                   encoding="utf-8")
    new = tmp_path / "s_2020.csv"
    new.write_text("id;svar;labels\n1;Praksis;practice\n2;Kurs;courses\n3;Jobb;jobs\n4;Kurs og jobb;\"courses;jobs\"\n"
                   "5;Tolk;other\n", encoding="utf-8")
    df, _ = read_coded_files([old, new])
    frame = load_codeframe(frame_path)
    report = build_report(df, frame)
    s = report.shares.set_index(["code", "year"])
    assert s.loc[("practice", "2019"), "count"] == 2 and s.loc[("practice", "2020"), "count"] == 1
    assert pd.isna(s.loc[("courses", "2019"), "count"]) and s.loc[("courses", "2020"), "count"] == 2
    assert s.loc[("courses+jobs", "2019"), "count"] == 2 and s.loc[("courses+jobs", "2020"), "count"] == 3
    assert s.loc[("courses+jobs", "2019"), "name"] == "Kurs + Jobbløp"
    assert any("'work' had not yet been split" in n for n in report.notes)
    assert "courses" not in set(report.changes["code"])  # no change across the split
    assert "courses+jobs" in set(report.changes["code"])


def test_files_coded_by_people_and_by_the_model_side_by_side(rows, tmp_path, frame):
    """Training data (column 'text', no review flags) beside a predict output (column 'svar')."""
    people = tmp_path / "coded_by_people.csv"
    rows[rows["year"] == "2018"].to_csv(people, index=False)
    model = coded_year(rows, "2019", tmp_path / "model_2019.csv")
    df = pd.read_csv(model, sep=";", dtype=str, keep_default_na=False).rename(columns={"text": "svar"})
    df.to_csv(model, index=False, sep=";")
    report = build_report(read_coded_files([people, model])[0], frame)
    assert report.years == ["2018", "2019"]
    review = report.review.set_index("year")
    assert pd.isna(review.loc["2018", "review_share"]) and review.loc["2019", "review_share"] > 0
    texts_2018 = set(rows.loc[rows["year"] == "2018", "text"].str.strip())
    texts_2019 = set(df["svar"].str.strip())
    for year, text in zip(report.examples["year"], report.examples["text"], strict=True):
        assert text in (texts_2018 if year == "2018" else texts_2019)
    assert set(report.examples["year"]) == {"2019"}  # newest first
