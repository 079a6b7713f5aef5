"""Coded files for the report tests: the shipped training answers written as `predict` would
have coded them, one file per year (shared by test_report.py and test_report_render.py)."""

from __future__ import annotations

import pandas as pd

from .conftest import ROOT

FYLKER = ["Nordland", "Viken", "Vestland", "Oslo", "Agder"]
FORMULA = '=HYPERLINK("http://example.com","klikk") <script>alert(1)</script> fagbrev'


def training_rows() -> pd.DataFrame:
    files = sorted((ROOT / "training_data").glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def last_two_years(rows: pd.DataFrame, folder):
    """The last two survey years as coded files in `folder`: (years, paths)."""
    years = sorted(rows["year"].unique(), key=int)[-2:]
    return years, [coded_year(rows, y, folder / f"kommuneundersokelsen_{y}_coded.csv") for y in years]


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


def direct_counts(path):
    """Per code: answers carrying it, and the number of non-empty answers, straight from the file."""
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    answered = df[df["labels"] != ""]
    codes = answered["labels"].str.split(";").explode()
    return codes.value_counts(), len(answered), df
