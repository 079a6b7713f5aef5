"""`train`, `evaluate`, `info` and `models` through the command line."""

import json

from ..conftest import FRAME, ROOT


def small_training_file(tmp_path, training_answers, n=300):
    import pandas as pd

    df = pd.DataFrame({"text": training_answers.texts[:n], "labels": [";".join(x) for x in training_answers.labels[:n]]})
    p = tmp_path / "train.xlsx"
    df.to_excel(p, index=False)
    return p


def test_train_prints_per_code_table_and_saves(cli, tmp_path, training_answers):
    data = small_training_file(tmp_path, training_answers)
    out = tmp_path / "m"
    code, stdout, err = cli("train", "--data", data, "--codeframe", FRAME, "--out", out, "--cv", "3")
    assert code == 0, err
    for word in ("precision", "recall", "F1", "support", "education_guidance", "macro F1", "blank:nb"):
        assert word in stdout
    assert (out / "model.json").is_file() and (out / "metadata.json").is_file()


def test_evaluate_json_and_table(cli, model_dir):
    code, stdout, err = cli("evaluate", "--data", ROOT / "eval_data" / "heldout.csv", "--model", model_dir, "--json")
    assert code == 0, err
    result = json.loads(stdout)
    assert result["n"] == 219
    assert 0 <= result["macro_f1"] <= 1 and 0 <= result["exact_match"] <= 1
    assert set(result["per_code"]) == {"education_guidance", "employer_cooperation", "practice_placements",
                                       "work_pathways", "other"}
    auto = result["auto_coding"]
    assert 0 <= auto["auto_share"] <= 1 and auto["n_auto"] <= auto["n"]
    code, stdout, _ = cli("evaluate", "--data", ROOT / "eval_data" / "heldout.csv", "--model", model_dir)
    assert code == 0 and "Auto-coded" in stdout and "macro F1" in stdout


def test_info_names_pipeline_models_and_frame(cli, project, model_dir):
    import shutil

    shutil.copytree(model_dir, project / "models" / "20260101-000000-imdi")
    code, stdout, _ = cli("info")
    assert code == 0
    assert "blank:nb" in stdout and "nb_core_news_sm" in stdout
    assert "20260101-000000-imdi" in stdout
    assert "imdi_kvalifisering" in stdout and "practice_placements" in stdout


def test_models_lists_and_sets_default(cli, project, model_dir):
    import shutil

    for name in ("20260101-000000-a", "20260201-000000-b"):
        shutil.copytree(model_dir, project / "models" / name)
    code, stdout, _ = cli("models")
    assert code == 0 and "20260101-000000-a" in stdout and "20260201-000000-b" in stdout
    code, stdout, _ = cli("models", "--set-default", "a")
    assert code == 0 and "Default model: 20260101-000000-a" in stdout
    assert (project / "models" / "DEFAULT").read_text().strip() == "20260101-000000-a"


def test_train_refuses_an_out_folder_of_other_files_before_fitting(cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine", encoding="utf-8")

    def no_fit(*args, **kwargs):
        raise AssertionError("the model was fitted before --out was checked")

    monkeypatch.setattr("classifier.training.fit_coder", no_fit)
    code, _, err = cli("train", "--data", ROOT / "training_data", "--codeframe", FRAME, "--out", work)
    assert code == 1 and "other files than a model" in err and "Traceback" not in err
    assert [p.name for p in work.iterdir()] == ["notes.txt"]
