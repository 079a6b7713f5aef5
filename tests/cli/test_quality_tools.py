"""`curve` (and the old `evaluate --curve`), `audit`, `explain` and `predict --explain` through the command line."""

import json

import pandas as pd
import pytest

from classifier.preprocess import fold
from classifier.tables import read_table

from ..conftest import DATA

SMALL = DATA / "quality_small.csv"


def test_curve_writes_chart_and_tables(cli, project, tmp_path):
    out = tmp_path / "curve"
    code, stdout, err = cli("curve", "--data", SMALL, "--out", out, "--cv", "3", "--fractions", "0.5,1")
    assert code == 0, err
    assert "moved" not in err
    assert (out / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = read_table(out / "learning_curve.csv").frame
    assert table["fraction"].astype(float).tolist() == [0.5, 1.0]
    assert all(0 <= float(v) <= 1 for v in table["macro_f1"])
    assert "| 50 % |" in (out / "learning_curve.md").read_text(encoding="utf-8")
    assert "Learning curve" in stdout


def test_evaluate_curve_still_runs_and_says_it_moved(cli, project, tmp_path):
    out = tmp_path / "curve"
    code, stdout, err = cli("evaluate", "--data", SMALL, "--curve", "--out", out, "--cv", "3", "--fractions", "1",
                            "--json")
    assert code == 0, err
    assert [line for line in err.splitlines() if line.strip()] == [
        "Warning: 'evaluate --curve' is now the 'curve' command ('survey-coder curve --data PATH --out DIR'); it still "
        "runs here."]
    assert json.loads(stdout)["points"][0]["fraction"] == 1.0  # stdout stays pure JSON
    assert (out / "learning_curve.csv").is_file()


def test_evaluate_curve_needs_out(cli, project):
    code, _, err = cli("evaluate", "--data", SMALL, "--curve")
    assert code == 1 and "--out" in err and "Traceback" not in err


def test_curve_needs_out_and_data(cli, project):
    with pytest.raises(SystemExit) as e:
        cli("curve", "--data", SMALL)
    assert e.value.code == 2


def test_audit_writes_a_review_file(cli, project, tmp_path):
    data = pd.read_csv(SMALL, dtype=str, keep_default_na=False)
    i = data.index[(data["labels"] == "practice_placements") & data["text"].map(fold).str.contains("praksisplass")][0]
    data.loc[i, "labels"] = "other"  # the planted mis-code
    planted = data.loc[i, "id"]
    coded = tmp_path / "coded.csv"
    data.to_csv(coded, index=False)
    review = tmp_path / "to_review.csv"
    code, stdout, err = cli("audit", "--data", coded, "--top", "5", "--cv", "3", "--to-review", review)
    assert code == 0, err
    assert planted in stdout
    queue = read_table(review).frame
    assert list(queue.columns) == ["id", "text", "labels", "suggested"]
    assert len(queue) == 5
    row = queue[queue["id"] == planted].iloc[0]
    assert row["labels"] == "other" and "practice_placements" in row["suggested"]
    assert f"survey-coder review {review}" in stdout.replace("\n", "")
    assert coded.read_text(encoding="utf-8").count(planted) == 1  # input untouched


def test_audit_refuses_to_overwrite_its_input(cli, project, tmp_path):
    coded = tmp_path / "coded.csv"
    coded.write_bytes(SMALL.read_bytes())
    code, _, err = cli("audit", "--data", coded, "--to-review", coded)
    assert code == 1 and "input" in err
    assert coded.read_bytes() == SMALL.read_bytes()


def test_explain_names_words_of_the_answer(cli, model_dir):
    text = "Vi trenger flere språkpraksisplasser og samarbeid med bedrifter"
    code, stdout, err = cli("explain", text, "--model", model_dir)
    assert code == 0, err
    assert "practice_placements" in stdout
    assert "språkpraksisplasser" in stdout


def test_explain_empty_text_is_one_line_error(cli, model_dir):
    code, _, err = cli("explain", " - ", "--model", model_dir)
    assert code == 1 and "Nothing to explain" in err and "Traceback" not in err


def test_predict_explain_column(cli, model_dir, tmp_path):
    src = tmp_path / "survey.csv"
    src.write_text("id;svar\n1;Vi trenger flere praksisplasser\n2;-\n3;Bolig og tolk\n", encoding="utf-8")
    out = tmp_path / "coded.csv"
    code, _, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--out", out, "--explain")
    assert code == 0, err
    coded = read_table(out).frame
    assert coded.loc[0, "explain"].startswith("practice_placements: ")
    assert "praksisplass" in fold(coded.loc[0, "explain"])
    assert coded.loc[1, "explain"] == ""
    for cell, labels in zip(coded["explain"], coded["labels"]):
        assert [part.split(":")[0] for part in cell.split(" | ") if part] == [k for k in labels.split(";") if k]
