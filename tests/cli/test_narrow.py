"""What a person reads fits an 80-column terminal, and hints show the command as it is run."""

import shutil
import sys

import pytest
from rich.console import Console

from classifier import paths
from classifier.cli import _models, _util
from classifier.cli.predict import summary_table
from classifier.coding import code_table

from ..conftest import ROOT


def rendered(table, width=80) -> list[str]:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text().splitlines()


def fits(lines, width=80, whole=()):
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    text = "\n".join(lines)
    for word in whole:  # shown in full, not cut with '…'
        assert word in text, text


def test_tables_fit_80_columns_with_every_code_and_header_whole(model, project, model_dir):
    import pandas as pd

    frame = model.coder.frame
    df = pd.DataFrame({"svar": ["Flere praksisplasser", "Mentorordning og kontakt med bedrifter", "", "Bolig"]})
    _, summary = code_table(df, "svar", model.coder)
    fits(rendered(summary_table(summary, frame, "20261125-135140-imdi_kvalifisering (tfidf, spaCy blank:nb)",
                                question="tjenester")), whole=[*frame.keys, "answers", "share", "needs review"])
    scores = model.metadata["cv_scores"]
    fits(rendered(_util.metrics_table("Cross-validated scores", scores, frame, width=80)),
         whole=[*frame.keys, "precision", "recall", "support", "exact match"])
    assert any(frame.codes[0].name in line for line in rendered(
        _util.metrics_table("scores", scores, frame, width=120), width=120))  # names where they fit
    shutil.copytree(model_dir, project / "models" / "20261125-135140-imdi_kvalifisering")
    fits(rendered(_models.models_table(width=80)),
         whole=["20261125-135140-imdi_kvalifisering", "answers", "macro F1 (CV)", "imdi_kvalifisering v1"])


@pytest.mark.parametrize("argv0,expected", [
    ("/usr/local/bin/survey-coder", "survey-coder review 'coded data.xlsx' --question 'Åpent svar'"),
    ("cli.py", "python cli.py review 'coded data.xlsx' --question 'Åpent svar'"),
])
def test_a_hint_is_the_command_as_run_with_names_with_spaces_quoted(monkeypatch, argv0, expected):
    monkeypatch.setattr(sys, "argv", [argv0])
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")  # outside the current folder: 'python'
    assert _util.command("review", "coded data.xlsx", "--question", "Åpent svar") == expected


def test_from_the_repository_the_hint_names_its_virtual_environment(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["cli.py"])
    monkeypatch.setattr(sys, "executable", str(ROOT / ".venv" / "bin" / "python"))
    assert _util.command("train") == ".venv/bin/python cli.py train"
    paths.use_project(ROOT / "somewhere")
    try:
        assert _util.command("models") == f".venv/bin/python cli.py --project {ROOT / 'somewhere'} models"
    finally:
        paths.use_project(None)
    assert _util.as_run("Run 'survey-coder train' first.") == "Run '.venv/bin/python cli.py train' first."


def test_help_examples_show_the_command_as_run(monkeypatch, capsys):
    from classifier.cli import main

    monkeypatch.setattr(sys, "argv", ["cli.py"])
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    out = capsys.readouterr().out
    assert "  python cli.py predict survey.xlsx --out coded.xlsx" in out and "  survey-coder predict" not in out


@pytest.mark.parametrize("command", ["train", "evaluate", "curve", "audit", "predict", "review", "report", "import"])
def test_column_options_say_their_defaults_and_no_jargon_is_left_unexplained(capsys, command):
    from classifier.cli import main

    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split()).split("options:", 1)[1]  # the options, not the usage
    for option in ("--text-column", "--labels-column"):
        if option in text:
            assert text.split(f"{option} COL", 1)[1].split("--", 1)[0].count("default") == 1, (command, option)
    for jargon in ("out-of-fold", "n-gram", "regularisation", "folds (default"):
        assert jargon not in text, (command, jargon)
