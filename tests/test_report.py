"""The year-over-year report: tables checked against counts made directly with pandas."""

import warnings
import zipfile

import matplotlib.image
import pandas as pd
import pytest
from matplotlib import font_manager, ft2font
from openpyxl import load_workbook
from scipy.stats import binomtest

from classifier.codeframe import load_codeframe
from classifier.errors import UserError
from classifier.report import (
    build_report,
    read_coded_files,
    wilson_interval,
    write_report,
    year_from_name,
)

from .conftest import FRAME, ROOT

FYLKER = ["Nordland", "Viken", "Vestland", "Oslo", "Agder"]
FORMULA = '=HYPERLINK("http://example.com","klikk") <script>alert(1)</script> fagbrev'


def coded_year(rows: pd.DataFrame, year: str, path):
    """A coded file as `predict` writes it, from the human-coded rows of one year."""
    df = rows[rows["year"] == year][["id", "text", "labels"]].reset_index(drop=True)
    df.insert(1, "fylke", [FYLKER[i % len(FYLKER)] for i in range(len(df))])
    df["confidence"] = [f"{0.5 + (i % 50) / 100:.2f}" for i in range(len(df))]
    df["needs_review"] = ["true" if i % 4 == 0 else "false" for i in range(len(df))]
    empty = pd.DataFrame({"id": ["e1", "e2"], "fylke": ["Viken", "Oslo"], "text": ["-", ""], "labels": ["", ""],
                          "confidence": ["", ""], "needs_review": ["false", "false"]})
    df = pd.concat([df, empty], ignore_index=True)
    df.to_csv(path, index=False, sep=";")
    return path


@pytest.fixture(scope="module")
def rows():
    files = sorted((ROOT / "training_data").glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


@pytest.fixture
def two_years(rows, tmp_path):
    years = sorted(rows["year"].unique(), key=int)[-2:]
    paths = [coded_year(rows, y, tmp_path / f"kommuneundersokelsen_{y}_coded.csv") for y in years]
    return years, paths


@pytest.fixture(scope="module")
def frame():
    return load_codeframe(FRAME)


def direct_counts(path):
    """Per code: answers carrying it, and the number of non-empty answers, straight from the file."""
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    answered = df[df["labels"] != ""]
    codes = answered["labels"].str.split(";").explode()
    return codes.value_counts(), len(answered), df


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


def test_writes_every_file_and_xlsx_sheets_hold_the_tables(two_years, frame, tmp_path):
    years, paths = two_years
    report = build_report(read_coded_files(paths)[0], frame, by="fylke")
    out = tmp_path / "report"
    out.mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = write_report(report, out)
    assert not [w for w in caught if "missing from" in str(w.message)]  # every glyph (æøå) found
    names = {p.name for p in files.values()}
    assert {"report.md", "report.html", "report.xlsx", "shares_by_year.png"} <= names
    assert {f"shares_by_fylke_{y}.png" for y in years} <= names
    for p in files.values():
        assert p.stat().st_size > 0
        if p.suffix == ".png":
            img = matplotlib.image.imread(p)
            assert img.shape[0] > 100 and img.shape[1] > 100
    assert not list(out.glob(".*.part"))  # atomic: no temporary files left
    sheets = pd.read_excel(out / "report.xlsx", sheet_name=None, dtype={"year": str})
    assert set(sheets) == {"counts", "shares", "review", "by_group", "changes", "examples"}
    counts = sheets["counts"].set_index("code")
    for year, path in zip(years, paths, strict=True):
        direct, _, _ = direct_counts(path)
        for key in frame.keys:
            assert counts.loc[key, f"{year} count"] == direct.get(key, 0)
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    for code in frame.codes:
        assert code.name in md and code.name in html
    assert "![Share of answers per code and year](shares_by_year.png)" in md
    assert '<img src="shares_by_year.png"' in html


def test_norwegian_letters_exist_in_the_chart_font():
    path = font_manager.findfont(font_manager.FontProperties())  # the charts use the default font
    font = ft2font.FT2Font(path)
    assert all(font.get_char_index(ord(ch)) for ch in "æøåÆØÅ")


def test_answers_stay_text_in_html_and_xlsx(rows, tmp_path, frame):
    path = coded_year(rows, "2019", tmp_path / "survey_2019.csv")
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    df.loc[0, ["text", "labels", "confidence", "needs_review"]] = [FORMULA, "education_guidance", "0.99", "false"]
    df.to_csv(path, index=False, sep=";")
    report = build_report(read_coded_files([path])[0], frame, n_examples=50)
    (tmp_path / "out").mkdir()
    files = write_report(report, tmp_path / "out")
    html = files["html"].read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    ws = load_workbook(files["xlsx"])["examples"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(files["xlsx"]) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


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


def test_wilson_interval_matches_scipy():
    for k, n in [(0, 10), (3, 10), (10, 10), (96, 228), (1, 1)]:
        ci = binomtest(k, n).proportion_ci(0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high))


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
