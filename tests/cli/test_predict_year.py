"""`predict` on a new survey year: --year, the drift check before coding, .sav output, model safety."""

import shlex
import shutil

import pandas as pd
import pyreadstat
import pytest

from classifier.cli._util import command
from classifier.cli._yearly import themes_command
from classifier.coders import persist
from classifier.drift import Check, DriftReport
from classifier.registry import load_model

from ..conftest import DATA, ROOT

NEW_TOPIC = DATA / "new_topic_answers.csv"


@pytest.fixture
def last_year(tmp_path):
    files = sorted((ROOT / "training_data").glob("*.csv"))
    rows = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
    year = max(rows["year"], key=int)
    raw = rows[rows["year"] == year][["id", "text"]].rename(columns={"id": "respondent_id", "text": "svar"})
    raw = pd.concat([raw, pd.DataFrame({"respondent_id": ["0042"], "svar": ["-"]})], ignore_index=True)
    path = tmp_path / "survey.csv"
    raw.to_csv(path, index=False, sep=";")
    return path, raw


def test_year_column_and_drift_check_before_coding(cli, model_dir, last_year, tmp_path):
    src, raw = last_year
    out = tmp_path / "coded.csv"
    code, stdout, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--year", "2031", "--out", out)
    assert code == 0, err
    coded = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert set(coded["year"]) == {"2031"}
    assert stdout.index("Checking that the 2031 answers") < stdout.index("Coded with")
    assert "words the model never saw" in stdout and "low confidence" in stdout
    n_review = (coded["needs_review"] == "true").sum()
    n_answers = (coded["labels"] != "").sum()
    assert f"{n_review} of {n_answers} answers" in " ".join(stdout.split())  # it ends with the review count
    assert "never occur in the training answers" not in err  # answers like the training data: no drift warning
    assert "themes" not in err + stdout  # nothing new to look into


def test_answers_about_a_new_topic_are_warned_about_and_themes_shows_them(cli, model_dir, tmp_path):
    out = tmp_path / "coded.csv"
    code, stdout, err = cli("predict", NEW_TOPIC, "--text-column", "svar", "--model", model_dir, "--out", out)
    assert code == 0, err
    flat = " ".join(err.split())
    assert "Warning:" in flat and "never occur in the training answers" in flat
    assert "The answers look like the training answers" not in stdout
    # The warnings end with the `themes` command to run on the coded file: the answers coded
    # 'other' (whose share jumped), with the model for the verdicts. It runs as printed.
    hint = next(line for line in err.splitlines() if "group them into themes:" in line)
    assert err.strip().splitlines().index(hint) > max(i for i, line in enumerate(err.strip().splitlines())
                                                      if line.startswith("Warning:"))
    args = shlex.split(hint.split("themes: ", 1)[1])
    themes_dir = tmp_path / "coded_themes"
    assert args == ["survey-coder", "themes", str(out), "--text-column", "svar", "--where-code", "other",
                    "--model", str(model_dir), "--out", str(themes_dir)]  # (a model outside models/: its path)
    code, stdout, err = cli(*args[1:])
    assert code == 0, err
    assert (themes_dir / "codeframe_draft.toml").is_file() and "coded 'other'" in stdout


def drift(words=False, rising=(), falling=()):
    def check(name, change, warn):
        return Check(name, 0.2 + change, 0.2, 100, 900, 0.0 if warn else 1.0, warn)
    shares = {k: check(k, 0.3, True) for k in rising} | {k: check(k, -0.2, True) for k in falling}
    return DriftReport(100, 100, 0.9, check("low_confidence", 0.0, False), check("unseen_words", 0.3, words), shares)


def test_themes_command_names_the_code_that_rose_the_fallback_or_the_flagged(project, copy_model, tmp_path):
    model = load_model(shutil.copytree(copy_model, project / "models" / "20261129-120000-imdi"))
    coded = tmp_path / "coded.xlsx"
    name = "20261129-120000-imdi"  # in the project's models/: named as `models` lists it
    assert themes_command(drift(), model, coded, "svar") is None
    assert themes_command(drift(falling=["other"]), model, coded, "svar") is None  # a code fell: nothing new
    assert themes_command(drift(words=True), model, coded, "svar", "id") == command(
        "themes", coded, "--text-column", "svar", "--id-column", "id", "--where-code", "other", "--model", name,
        "--out", tmp_path / "coded_themes")
    assert themes_command(drift(rising=["work_pathways"]), model, coded, "Svar 2021", key="tiltak") == command(
        "themes", coded, "--text-column", "Svar 2021", "--where-code", "work_pathways", "--labels-column",
        "tiltak_labels", "--model", name, "--out", tmp_path / "coded_tiltak_themes")
    none_other = drift(words=True)
    none_other.code_shares["other"] = Check("share:other", 0.0, 0.2, 100, 900, 0.0, True)
    assert "--where-review" in themes_command(none_other, model, coded, "svar")  # no answer is coded 'other'


def test_sav_output_has_one_labelled_variable_per_code(cli, model_dir, last_year, frame, tmp_path):
    src, raw = last_year
    out = tmp_path / "coded.sav"
    code, _, err = cli("predict", src, "--text-column", "svar", "--id-column", "respondent_id", "--model", model_dir,
                       "--year", "2031", "--out", out)
    assert code == 0, err
    data, meta = pyreadstat.read_sav(str(out))
    assert data["respondent_id"].tolist()[-1] == "0042"
    assert data["year"].tolist() == [2031.0] * len(raw)
    for c in frame.codes:
        assert meta.column_names_to_labels[c.key] == c.name
        assert meta.variable_value_labels[c.key] == {0.0: "Ikke nevnt", 1.0: "Nevnt"}
        assert set(data[c.key].dropna()) <= {0.0, 1.0}
        assert pd.isna(data[c.key].iloc[-1])  # the empty answer
    assert {"confidence", "needs_review"} <= set(data.columns)
    with_code = data[[c.key for c in frame.codes]].sum(axis=1)
    assert (with_code.iloc[:-1] >= 1).all()


def test_sav_input_keeps_its_labels(cli, model_dir, last_year, tmp_path):
    src, raw = last_year
    sav = tmp_path / "survey.sav"
    pyreadstat.write_sav(raw, str(sav), column_labels={"svar": "Hvilke tjenester har kommunen behov for?"})
    out = tmp_path / "coded.sav"
    code, _, err = cli("predict", sav, "--text-column", "svar", "--model", model_dir, "--out", out)
    assert code == 0, err
    _, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names_to_labels["svar"] == "Hvilke tjenester har kommunen behov for?"


def test_bad_year_and_existing_year_column(cli, model_dir, last_year, tmp_path):
    src, raw = last_year
    code, _, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--year", "19",
                       "--out", tmp_path / "c.csv")
    assert code == 1 and "--year must be a survey year" in err
    raw.assign(year="2030").to_csv(src, index=False, sep=";")
    code, _, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--year", "2031",
                       "--out", tmp_path / "c.csv")
    assert code == 0 and "already has a 'year' column" in " ".join(err.split())
    assert set(pd.read_csv(tmp_path / "c.csv", sep=";", dtype=str)["year"]) == {"2030"}


def test_tampered_model_is_refused_and_trust_model_warns(cli, copy_model, last_year, tmp_path):
    src, _ = last_year
    coder = load_model(copy_model).coder
    coder.decisions_.confidence_model_, coder.decisions_.confidence_constant_ = None, 1.0  # a changed model: sure of everything
    persist.save(coder, copy_model)
    out = tmp_path / "c.csv"
    code, _, err = cli("predict", src, "--text-column", "svar", "--model", copy_model, "--out", out)
    assert code == 1 and "does not match the SHA-256" in " ".join(err.split()) and "Traceback" not in err
    assert not out.exists()
    code, _, err = cli("predict", src, "--text-column", "svar", "--model", copy_model, "--trust-model", "--out", out)
    assert code == 0 and "without checking its files' hashes" in " ".join(err.split())
