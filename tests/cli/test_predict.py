"""`predict`: coded copies of survey files, byte-for-byte reproducible."""

import shutil
import time

import pandas as pd

from classifier.tables import read_table

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "kommuneundersokelsen_2020.csv"


def test_predict_example_export(cli, model_dir, tmp_path, frame):
    out = tmp_path / "coded.csv"
    code, stdout, err = cli("predict", EXAMPLE, "--text-column", "svar", "--id-column", "respondent_id",
                            "--model", model_dir, "--out", out)
    assert code == 0, err
    coded = read_table(out).frame
    source = read_table(EXAMPLE).frame
    assert len(coded) == len(source) == 150
    assert coded["respondent_id"].tolist() == source["respondent_id"].tolist()
    assert coded["svar"].tolist() == source["svar"].tolist()  # formula guard undone on reading back
    empty = source["svar"].str.strip().isin(["", "-", "."])
    assert (coded.loc[empty, "labels"] == "").all()
    assert (coded.loc[~empty, "labels"] != "").all()
    for labels in coded.loc[~empty, "labels"]:
        assert set(labels.split(";")) <= set(frame.keys)
    assert set(coded["needs_review"]) <= {"true", "false"}
    assert "needs review" in stdout and "tfidf, spaCy blank:nb" in stdout
    assert f"survey-coder review {out} --text-column svar" in stdout  # run in-process: not as cli.py
    empty_row = next(line for line in stdout.splitlines() if "empty / no answer" in line)
    assert f" {int(empty.sum())} " in empty_row
    review_row = next(line for line in stdout.splitlines() if "needs review" in line and "│" in line)
    assert f" {(coded['needs_review'] == 'true').sum()} " in review_row


def test_same_input_same_output_byte_for_byte(cli, model_dir, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        assert cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--out", out)[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_xlsx_in_and_out(cli, model_dir, tmp_path):
    src = tmp_path / "in.xlsx"
    pd.DataFrame({"id": ["a", "b"], "answer": ["Språkpraksis", "Godkjenning av utdanning"]}).to_excel(src, index=False)
    out = tmp_path / "out.xlsx"
    code, stdout, err = cli("predict", src, "--text-column", "answer", "--model", model_dir, "--out", out)
    assert code == 0, err
    coded = pd.read_excel(out, dtype=str)
    assert coded["id"].tolist() == ["a", "b"] and "confidence" in coded.columns


def test_text_column_is_guessed_and_said(cli, model_dir, tmp_path):
    code, stdout, _ = cli("predict", EXAMPLE, "--model", model_dir, "--out", tmp_path / "o.csv")
    assert code == 0 and "svar" in stdout and "guessed" in stdout


def test_default_output_name_beside_input(cli, model_dir, tmp_path):
    src = tmp_path / "survey.csv"
    shutil.copy(EXAMPLE, src)
    assert cli("predict", src, "--model", model_dir)[0] == 0
    assert (tmp_path / "survey_coded.csv").is_file()
    assert src.read_bytes() == EXAMPLE.read_bytes()


def test_first_run_trains_the_default_model(cli, project, tmp_path):
    shutil.copytree(ROOT / "training_data", project / "training_data", dirs_exist_ok=True)
    out = tmp_path / "o.csv"
    code, stdout, err = cli("predict", EXAMPLE, "--text-column", "svar", "--out", out)
    assert code == 0, err
    assert "training the default model" in stdout and "macro F1" in stdout
    assert len(list((project / "models").glob("*/model.json"))) == 1
    assert out.is_file()


def test_interrupted_run_leaves_no_output(cli, model_dir, tmp_path, monkeypatch):
    from classifier.cli import predict as predict_cmd

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(predict_cmd, "code_texts", interrupted)
    out = tmp_path / "o.csv"
    code, _, err = cli("predict", EXAMPLE, "--model", model_dir, "--out", out)
    assert code == 130 and "Interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_xlsx_output_is_the_same_byte_for_byte(cli, model_dir, tmp_path, monkeypatch):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--out", a)[0] == 0
    later = time.time() + 3 * 86400  # the second run "days later": no clock may reach the file
    monkeypatch.setattr(time, "time", lambda: later)
    assert cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--out", b)[0] == 0
    assert a.read_bytes() == b.read_bytes()
