"""The report written out: every file, the charts' glyphs, and answers kept as text in HTML and XLSX."""

import warnings
import zipfile

import matplotlib.image
import pandas as pd
import pytest
from matplotlib import font_manager, ft2font
from openpyxl import load_workbook

from classifier.report import build_report, read_coded_files
from classifier.report_render import write_report

from .report_data import FORMULA, coded_year, direct_counts, last_two_years, training_rows


@pytest.fixture(scope="module")
def rows():
    return training_rows()


@pytest.fixture
def two_years(rows, tmp_path):
    return last_two_years(rows, tmp_path)


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
