"""`export`, `import`, `agreement`, and `train` with the annotation store."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from classifier.preprocess import answer_hash
from classifier.registry import load_model
from classifier.store import AnnotationStore

from ..conftest import FRAME, ROOT


@pytest.fixture
def store_path(project, frame):
    """A store where anna and per coded the same four answers and disagree on one."""
    path = project / "training_data" / "annotations.sqlite"
    with AnnotationStore(path) as s:
        codings = {"Bolig til alle": ["other"], "Flere språkpraksisplasser": ["practice_placements"],
                   "Godkjenning av utdanning (NOKUT)": ["education_guidance"],
                   "=Mentorordning hos arbeidsgiver": ["employer_cooperation"]}
        for who in ("anna", "per"):
            for text, labels in codings.items():
                if who == "per" and text.startswith("=Mentor"):
                    labels = ["work_pathways"]
                s.add(text=text, labels=labels, action="correct", frame=frame, source="s.csv", annotator=who)
        s.add(text="Vet ikke", labels=[], action="skip", frame=frame, source="s.csv", annotator="anna")
        s.undo_last("anna", frame.hash, "s.csv")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_export_then_import_into_a_new_store_gives_the_same_log(cli, project, store_path, suffix, tmp_path):
    out = tmp_path / f"decisions{suffix}"
    code, text, err = cli("export", "--out", out)
    assert code == 0, err
    assert "Wrote 10 decisions" in text
    if suffix == ".jsonl":
        first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert first["text"] == "Bolig til alle" and first["annotator"] == "anna"
    copy = tmp_path / "copy.sqlite"
    code, text, err = cli("import", out, "--store", copy)
    assert code == 0, err
    with AnnotationStore(store_path) as a, AnnotationStore(copy) as b:
        strip = lambda ds: [(d.answer_hash, d.text, d.labels, d.action, d.annotator, d.created) for d in ds]  # noqa: E731
        assert strip(a.decisions()) == strip(b.decisions())
        assert [(d.text, d.labels) for d in a.latest(a.decisions()[0].frame_hash)] == \
               [(d.text, d.labels) for d in b.latest(a.decisions()[0].frame_hash)]
    code, text, _ = cli("import", out, "--store", copy)  # twice: nothing doubled
    assert code == 0 and "Imported 0 decisions" in text


def test_export_latest_is_training_data(cli, project, store_path, tmp_path):
    out = tmp_path / "reviewed.csv"
    code, _, err = cli("export", "--latest", "--disagreement", "majority", "--out", out)
    assert code == 0, err
    df = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert set(df.columns) >= {"text", "labels"} and len(df) == 4
    assert df.loc[df.text.str.contains("Mentor"), "disagreement"].tolist() == ["True"]


def test_export_refuses_an_unknown_file_type_and_a_missing_store(cli, project, store_path, tmp_path):
    code, _, err = cli("export", "--out", tmp_path / "x.txt")
    assert code == 1 and ".jsonl" in err
    code, _, err = cli("export", "--out", tmp_path / "x.csv", "--store", tmp_path / "none.sqlite")
    assert code == 1 and "not found" in err


def test_import_spreadsheet_corrections_from_a_predict_output(cli, project, model_dir, tmp_path):
    survey = tmp_path / "survey.csv"
    texts = ["Praksisplasser!", "Bolig", "Godkjenning av utdanning", "Jobbsjansen", "Samarbeid med bedrifter",
             "Tolk", "-"]
    pd.DataFrame({"id": range(len(texts)), "svar": texts}).to_csv(survey, sep=";", index=False)
    coded = tmp_path / "coded.xlsx"
    code, _, err = cli("predict", survey, "--text-column", "svar", "--model", model_dir, "--out", coded)
    assert code == 0, err
    df = pd.read_excel(coded, dtype=str).fillna("")
    df.loc[1, "labels"] = "employer_cooperation"  # the analyst's correction
    df.loc[3, "labels"] = "work_pathway"  # a typo: unknown code, rejected by row
    fixed = tmp_path / "coded_fixed.xlsx"
    df.to_excel(fixed, index=False)
    code, out, err = cli("import", fixed, "--model", model_dir, "--annotator", "kari", "--text-column", "svar")
    assert code == 1  # some rows were rejected ...
    assert "coded_fixed.xlsx row 5" in out and "work_pathway" in out and "4 rows still have the model's codes" in out
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()  # ... and the good one is in
    assert [(r.text, r.labels, r.action, r.annotator) for r in rows] == [
        ("Bolig", ["employer_cooperation"], "correct", "kari")]
    assert rows[0].suggested and rows[0].suggested != rows[0].labels


def test_agreement_reports_kappa_and_the_disagreements(cli, project, store_path, tmp_path):
    out = tmp_path / "dis.csv"
    code, text, err = cli("agreement", "--out", out)
    assert code == 0, err
    assert "Cohen's kappa" in text and "anna, per" in text and "Mentorordning" in text
    df = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert df[["anna", "per"]].values.tolist() == [["employer_cooperation", "work_pathways"]]
    assert df.text.tolist() == ["'=Mentorordning hos arbeidsgiver"]  # made inert for Excel


def test_agreement_with_no_overlap_says_so(cli, project, frame, tmp_path):
    path = tmp_path / "one.sqlite"
    with AnnotationStore(path) as s:
        s.add(text="Bolig", labels=["other"], action="correct", frame=frame, source="s.csv", annotator="anna")
    code, _, err = cli("agreement", "--store", path)
    assert code == 1 and "two or more annotators" in err


def test_train_reports_disagreements_and_follows_the_rule(cli, project, store_path, tmp_path):
    out = tmp_path / "m"
    code, text, err = cli("train", "--data", ROOT / "training_data", "--codeframe", FRAME, "--cv", "2",
                          "--out", out, "--disagreement", "skip")
    assert code == 0, err
    assert "1 answers where annotators disagree" in text and "anna: employer_cooperation" in text
    assert "left out" in text
    meta = load_model(out).metadata
    assert meta["annotations"]["n_used"] == 3 and meta["annotations"]["rule"] == "skip"
    assert meta["training_data"]["n_answers"] == meta_n_without(cli, tmp_path) + 3


def meta_n_without(cli, tmp_path):
    out = tmp_path / "m_files_only"
    code, _, err = cli("train", "--data", ROOT / "training_data", "--codeframe", FRAME, "--cv", "2", "--out", out,
                       "--no-annotations")
    assert code == 0, err
    meta = load_model(out).metadata
    assert "annotations" not in meta
    return meta["training_data"]["n_answers"]


def test_decisions_replace_training_rows_with_the_same_text(cli, project, frame, tmp_path, training_answers):
    text = training_answers.texts[0]
    old = training_answers.labels[0]
    new = ["other"] if old != ["other"] else ["employer_cooperation"]
    path = tmp_path / "s.sqlite"
    with AnnotationStore(path) as s:
        s.add(text=text.upper() + " !", labels=new, action="correct", frame=frame, source="s.csv", annotator="kari")
    from classifier.training import apply_annotations

    merged, used = apply_annotations(training_answers.subset([True] * len(training_answers)), frame, path)
    assert used.n_replaced == sum(answer_hash(t) == answer_hash(text) for t in training_answers.texts) >= 1
    hits = [lab for t, lab in zip(merged.texts, merged.labels) if answer_hash(t) == answer_hash(text)]
    assert hits == [new]
    code, _, err = cli("train", "--annotations", tmp_path / "missing.sqlite")
    assert code == 1 and "not found" in err


def test_import_a_predict_output_with_text_in_a_probability_cell(cli, project, model_dir, frame, tmp_path):
    survey = tmp_path / "survey.csv"
    texts = ["Praksisplasser!", "Bolig", "Godkjenning av utdanning"]
    pd.DataFrame({"id": range(len(texts)), "svar": texts}).to_csv(survey, sep=";", index=False)
    coded = tmp_path / "coded.csv"
    assert cli("predict", survey, "--text-column", "svar", "--model", model_dir, "--out", coded)[0] == 0
    df = pd.read_csv(coded, sep=";", dtype=str, encoding="utf-8-sig").fillna("")
    df.loc[0, f"p_{frame.keys[0]}"] = "n/a"  # typed by hand: the model's codes for row 2 are unknown
    df.to_csv(coded, sep=";", index=False, encoding="utf-8-sig")
    code, out, err = cli("import", coded, "--model", model_dir, "--annotator", "kari", "--text-column", "svar")
    assert code == 0, err
    assert "2 rows still have the model's codes" in out
    with AnnotationStore(project / "training_data" / "annotations.sqlite") as store:
        rows = store.decisions()
    assert [(r.text, r.suggested) for r in rows] == [("Praksisplasser!", [])]


def test_export_and_agreement_never_write_over_the_store(cli, project, frame, tmp_path):
    store = tmp_path / "decisions.jsonl"  # a store may have any name, also an export's
    with AnnotationStore(store) as s:
        for who, labels in (("anna", ["other"]), ("per", ["employer_cooperation"])):
            s.add(text="Bolig", labels=labels, action="correct", frame=frame, source="s.csv", annotator=who)
    before = store.read_bytes()
    for command in ("export", "agreement"):
        code, _, err = cli(command, "--store", store, "--out", store)
        assert code == 1 and "is the input file" in err
    assert store.read_bytes() == before
