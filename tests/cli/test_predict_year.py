"""`predict` on a new survey year: --year, the drift check before coding, .sav output, model safety."""

import pandas as pd
import pyreadstat
import pytest

from classifier.coders import persist
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


def test_answers_about_a_new_topic_are_warned_about(cli, model_dir, tmp_path):
    out = tmp_path / "coded.csv"
    code, stdout, err = cli("predict", NEW_TOPIC, "--text-column", "svar", "--model", model_dir, "--out", out)
    assert code == 0, err
    flat = " ".join(err.split())
    assert "Warning:" in flat and "never occur in the training answers" in flat
    assert "The answers look like the training answers" not in stdout


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
