"""`report` on two coded years: every file written, tables equal to counts made with pandas."""

import pandas as pd
import pytest

from ..conftest import ROOT

FYLKER = ["Nordland", "Viken", "Vestland"]


@pytest.fixture
def coded_years(cli, model_dir, tmp_path):
    """The last two survey years of training_data/ as raw survey files, coded by `predict --year`."""
    files = sorted((ROOT / "training_data").glob("*.csv"))
    rows = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
    years = sorted(rows["year"].unique(), key=int)[-2:]
    coded = []
    for y in years:
        raw = rows[rows["year"] == y][["id", "text"]].rename(columns={"id": "respondent_id", "text": "svar"})
        raw["fylke"] = [FYLKER[i % 3] for i in range(len(raw))]
        src = tmp_path / f"survey_{y}.csv"
        raw.to_csv(src, index=False, sep=";")
        out = tmp_path / f"coded_{y}.csv"
        code, _, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--year", y, "--out", out)
        assert code == 0, err
        coded.append(out)
    return years, coded


def test_report_on_two_years_writes_all_files_matching_direct_counts(cli, coded_years, frame, tmp_path):
    years, coded = coded_years
    out = tmp_path / "report"
    code, stdout, err = cli("report", *coded, "--by", "fylke", "--out", out)
    assert code == 0, err
    for name in ["report.md", "report.html", "report.xlsx", "shares_by_year.png",
                 *[f"shares_by_fylke_{y}.png" for y in years]]:
        assert (out / name).stat().st_size > 0, name
    assert "Share of answers per code" in stdout
    sheets = pd.read_excel(out / "report.xlsx", sheet_name=None, dtype={"year": str})
    shares = sheets["shares"].set_index(["code", "year"])
    review = sheets["review"].set_index("year")
    by_group = sheets["by_group"].set_index(["year", "fylke", "code"])
    for y, path in zip(years, coded, strict=True):
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        assert set(df["year"]) == {y}  # written by predict --year
        answered = df[df["labels"] != ""]
        counts = answered["labels"].str.split(";").explode().value_counts()
        for key in frame.keys:
            assert shares.loc[(key, y), "count"] == counts.get(key, 0)
            assert shares.loc[(key, y), "answers"] == len(answered)
            assert shares.loc[(key, y), "share"] == pytest.approx(counts.get(key, 0) / len(answered))
        assert review.loc[y, "needs_review"] == (answered["needs_review"] == "true").sum()
        for fylke, part in answered.groupby("fylke"):
            c = part["labels"].str.split(";").explode().value_counts()
            for key in frame.keys:
                assert by_group.loc[(y, fylke, key), "count"] == c.get(key, 0)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert all(code.name in md for code in frame.codes)


def test_report_years_from_the_option(cli, coded_years, tmp_path):
    _, coded = coded_years
    code, stdout, err = cli("report", *coded, "--years", "2030", "2031", "--out", tmp_path / "r")
    assert code == 0, err
    assert "2030" in stdout and "2031" in stdout


def test_report_errors_are_one_line(cli, coded_years, tmp_path):
    _, coded = coded_years
    plain = tmp_path / "export.csv"
    pd.read_csv(coded[0], sep=";", dtype=str).drop(columns=["year"]).to_csv(plain, sep=";", index=False)
    code, _, err = cli("report", plain, "--out", tmp_path / "r")
    assert code == 1 and "Cannot tell which survey year" in err and "Traceback" not in err
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("x")
    code, _, err = cli("report", *coded, "--out", a_file)
    assert code == 1 and "is a file" in err
    code, _, err = cli("report", *coded, "--by", "kommune", "--out", tmp_path / "r")
    assert code == 1 and "Column 'kommune' not found" in err
    code, _, err = cli("report", *coded, "--out", tmp_path / "missing" / "r")
    assert code == 1 and "does not exist" in err
