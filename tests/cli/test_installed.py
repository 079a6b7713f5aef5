"""The issue's test: the installed `survey-coder` script, in a new project outside the repository,
codes a survey-tool XLSX with two questions in one run."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from .project_data import Q1, Q2, configure, survey_xlsx

SCRIPT = Path(sys.executable).with_name("survey-coder")  # the console script of the environment's install


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "SURVEY_CODER_HOME"}
    return subprocess.run([str(SCRIPT), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_init_example_then_one_predict_codes_both_questions_of_a_survey_tool_xlsx(tmp_path, model_dir):
    assert SCRIPT.is_file(), "the package is not installed in this environment (pip install -e .)"
    made = run("init", "proj", "--example", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    proj = tmp_path / "proj"
    # Reuse the session's model (trained on the same frame and data) instead of training for ~10 s;
    # training on first use is tested in test_project.py.
    shutil.copytree(model_dir, proj / "models" / "20260101-000000-imdi_kvalifisering")
    configure(proj)
    survey_xlsx(proj / "survey.xlsx", n=30)
    done = run("predict", "survey.xlsx", "--out", "coded.xlsx", cwd=proj)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Header: row 3 of sheet 'Svar'" in done.stdout
    assert f"tjenester ('{Q1}'), tiltak ('{Q2}')" in done.stdout
    assert "survey-coder review coded.xlsx --question tjenester" in done.stdout  # the hint as it is run

    wb = load_workbook(proj / "coded.xlsx")
    assert wb.sheetnames == ["Svar", "Om undersøkelsen"]
    assert list(wb["Om undersøkelsen"].values) == [("Utvalg", 356), ("Svarprosent", 0.62)]
    ws = wb["Svar"]
    assert ws["A1"].value == "Kommuneundersøkelsen 2020"
    header = [c.value for c in ws[3]]
    assert header[:6] == ["Respondent", "Kommune", "Innsendt", "Innbyggere", Q1, Q2]
    for key in ("tjenester", "tiltak"):
        for col in ("labels", "confidence", "needs_review", "p_practice_placements"):
            assert f"{key}_{col}" in header
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 30
    at = {name: header.index(name) for name in header}
    for i, row in enumerate(rows):
        assert row[0] == 1000 + i and isinstance(row[0], int)  # numbers still numbers
        assert row[2] == dt.datetime(2020, 10, 1 + i % 28, 12, 30)  # dates still dates
        assert row[3] == 1500 + 37 * i
        for key, question in (("tjenester", Q1), ("tiltak", Q2)):
            answered = bool(str(row[at[question]] or "").strip(" -."))
            assert bool(row[at[f"{key}_labels"]]) == answered
            if answered:
                assert isinstance(row[at[f"{key}_confidence"]], float)
                assert row[at[f"{key}_needs_review"]] in ("true", "false")
    assert any(row[at["tjenester_labels"]] != row[at["tiltak_labels"]] for row in rows)  # each its own answers
