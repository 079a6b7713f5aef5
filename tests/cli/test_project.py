"""Project folders on the command line: init, finding the project, several questions in
predict, review and report, and one-line errors for bad configurations."""

import shutil

import pandas as pd
import pyreadstat
import pytest

from classifier import paths
from classifier.project import init_project
from classifier.store import AnnotationStore
from classifier.tables import read_table

from ..conftest import ROOT
from .project_data import QUESTIONS, answers, configure, survey_xlsx

MODEL = "20260101-000000-imdi_kvalifisering"


@pytest.fixture
def example(tmp_path, monkeypatch, model_dir):
    """`init --example` in a temporary folder, the session's model in its models/, as the current folder."""
    monkeypatch.delenv("SURVEY_CODER_HOME", raising=False)
    proj = tmp_path / "proj"
    init_project(proj, example=True)
    shutil.copytree(model_dir, proj / "models" / MODEL)
    monkeypatch.chdir(proj)
    yield proj
    paths.use_project(None)


def survey_csv(path, n=20, columns=("kommune", "Hvilke tjenester har kommunen særskilt behov for?",
                                    "Hvilke tiltak har fungert best?")):
    rows = answers(n)
    pd.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(columns)}).to_csv(path, sep=";", index=False)
    return path


def one_line_error(code, out, err, expected):
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert expected in lines[0], lines[0]


def test_init_on_the_command_line_and_into_a_non_empty_folder(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("init", "proj")
    assert code == 0, err
    assert "survey-coder.toml" in out and "labels/README.md" in out and "survey-coder predict SURVEY.xlsx" in out
    before = sorted(p.name for p in (tmp_path / "proj").iterdir())
    one_line_error(*cli("init", "proj", "--example"), "Cannot make a project in proj: the folder is not empty")
    assert sorted(p.name for p in (tmp_path / "proj").iterdir()) == before


def test_outside_a_project_a_command_says_so_in_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEY_CODER_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    one_line_error(*cli("models"), "No survey-coder project here")
    one_line_error(*cli("predict", ROOT / "examples" / "kommuneundersokelsen_2020.csv", "--text-column", "svar",
                        "--out", tmp_path / "c.csv"), "Make one with 'survey-coder init DIR'")
    assert not (tmp_path / "c.csv").exists()


def test_project_option_before_or_after_the_command(cli, example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (("--project", example, "models"), ("models", "--project", example)):
        code, out, err = cli(*args)
        assert code == 0, err
        assert MODEL in out


def test_predict_in_the_example_project_codes_its_question(cli, example):
    code, out, err = cli("predict", "kommuneundersokelsen_2020.csv", "--out", "coded.csv")
    assert code == 0, err
    coded = read_table(example / "coded.csv").frame
    assert {"tjenester_labels", "tjenester_confidence", "tjenester_needs_review"} <= set(coded.columns)
    assert "labels" not in coded.columns
    assert list(coded.columns)[:5] == ["respondent_id", "kommune", "fylke", "innbyggere", "svar"]


def test_predict_codes_every_configured_question_in_the_file_and_names_the_missing(cli, example, frame):
    configure(example, QUESTIONS + '\n[[questions]]\nkey = "bolig"\ncolumn = "Q9 Bolig"\n'
                                  'codeframe = "labels/imdi_kvalifisering.toml"\n')
    survey_csv(example / "survey.csv")
    code, out, err = cli("predict", "survey.csv", "--out", "coded.csv")
    assert code == 0, err
    assert "Questions in survey.csv: tjenester (" in out and "Not in this file (not coded): bolig ('Q9 Bolig')" in out
    coded = read_table(example / "coded.csv").frame
    expected = [f"{key}_{c}" for key in ("tjenester", "tiltak")
                for c in ("labels", "confidence", "needs_review", "review_reason", *(f"p_{k}" for k in frame.keys))]
    assert list(coded.columns)[3:] == expected
    assert (coded["tiltak_labels"] != "").all() and len(coded) == 20
    # --text-column: one column, coded as without questions (no prefix)
    code, out, err = cli("predict", "survey.csv", "--text-column", "Hvilke tiltak har fungert best?",
                         "--model", MODEL, "--out", "one.csv")
    assert code == 0, err
    one = read_table(example / "one.csv").frame
    assert "labels" in one.columns and not any(c.startswith("tiltak_") for c in one.columns)
    assert one["labels"].tolist() == coded["tiltak_labels"].tolist()  # the same model, the same codes
    # --question: one of them, prefixed
    code, out, err = cli("predict", "survey.csv", "--question", "tiltak", "--out", "tiltak.csv")
    assert code == 0, err
    assert [c for c in read_table(example / "tiltak.csv").frame.columns if c.endswith("_labels")] == ["tiltak_labels"]


def test_a_sav_output_groups_each_question_as_a_multiple_response_set(cli, example, frame):
    configure(example)
    survey_xlsx(example / "survey.xlsx", n=12)
    code, out, err = cli("predict", "survey.xlsx", "--out", "coded.sav")
    assert code == 0, err
    data, meta = pyreadstat.read_sav(str(example / "coded.sav"))
    assert set(meta.mr_sets) == {"tjenester", "tiltak"}
    assert meta.mr_sets["tjenester"]["label"] == "Hvilke tjenester har kommunen særskilt behov for?"
    assert meta.mr_sets["tiltak"]["variable_list"] == [f"tiltak_{k}" for k in frame.keys]
    assert meta.variable_value_labels["tiltak_other"] == {0.0: "Ikke nevnt", 1.0: "Nevnt"}
    assert data["Innbyggere"].tolist()[:2] == [1500.0, 1537.0]
    assert cli("predict", "survey.xlsx", "--out", "again.sav")[0] == 0
    assert (example / "again.sav").read_bytes() == (example / "coded.sav").read_bytes()  # same input, same bytes


def test_review_and_report_take_one_question(cli, example, frame):
    configure(example)
    survey_xlsx(example / "survey.xlsx", n=20)
    assert cli("predict", "survey.xlsx", "--out", "coded.xlsx", "--year", "2020")[0] == 0
    code, out, err = cli("review", "coded.xlsx", "--question", "tiltak", "--all", "--keys", "enter q",
                         "--annotator", "kari")
    assert code == 0, err
    with AnnotationStore(example / "training_data" / "annotations.sqlite") as store:
        [decision] = store.decisions()
    tiltak = read_table(example / "coded.xlsx").frame["Hvilke tiltak har fungert best?"].tolist()
    assert decision.text in tiltak
    code, out, err = cli("report", "coded.xlsx", "--question", "tiltak", "--out", "report")
    assert code == 0, err
    shares = pd.read_excel(example / "report" / "report.xlsx", sheet_name="shares").set_index("code")
    review = pd.read_excel(example / "report" / "report.xlsx", sheet_name="review")
    coded = read_table(example / "coded.xlsx").frame
    for k in frame.keys:  # the tiltak columns, not the tjenester ones
        assert shares.loc[k, "count"] == sum(k in cell.split(";") for cell in coded["tiltak_labels"])
    assert review["needs_review"].tolist() == [(coded["tiltak_needs_review"] == "true").sum()]
    one_line_error(*cli("report", "coded.xlsx", "--question", "nope", "--out", "r2"),
                   "No question 'nope' in")
    one_line_error(*cli("review", "coded.xlsx", "--question", "tiltak", "--text-column", "Kommune", "--keys", "q"),
                   "--question and --text-column both say which column")


def test_verify_takes_one_question(cli, example, frame):
    """verify --question: the question's column and its KEY_ columns in the coded file."""
    configure(example)
    survey_xlsx(example / "survey.xlsx", n=30)
    assert cli("predict", "survey.xlsx", "--out", "coded.xlsx")[0] == 0
    coded = read_table(example / "coded.xlsx").frame
    code, out, err = cli("verify", "coded.xlsx", "--question", "tiltak", "--sample", "5", "--out", "sample.csv")
    assert code == 0, err
    sample = read_table(example / "sample.csv").frame
    auto = coded[coded["tiltak_needs_review"] == "false"]
    assert set(sample["Hvilke tiltak har fungert best?"]) <= set(auto["Hvilke tiltak har fungert best?"])
    assert "--question tiltak --against sample.csv" in " ".join(out.split())
    model_codes = dict(zip(auto["Hvilke tiltak har fungert best?"], auto["tiltak_labels"]))
    assert list(sample.columns)[-1] == "tiltak_labels" and (sample["tiltak_labels"] == "").all()  # blind
    gold = sample.assign(tiltak_labels=[model_codes[t] for t in sample["Hvilke tiltak har fungert best?"]])
    gold.to_csv(example / "gold.csv", index=False)  # the coordinator agrees with the model everywhere
    code, out, err = cli("verify", "coded.xlsx", "--question", "tiltak", "--against", "gold.csv", "--json")
    assert code == 0, err
    assert '"auto_coded_accuracy": 1.0' in out


def test_a_question_with_its_own_frame_gets_its_own_model_trained_first(cli, example):
    """Each question's default model: trained on its own frame and training answers when there is none."""
    frame = example / "labels" / "ja_nei.toml"
    frame.write_text('[frame]\nname = "ja_nei"\nmulti_label = false\n\n'
                     '[[codes]]\nkey = "ja"\nname = "Ja"\n\n[[codes]]\nkey = "nei"\nname = "Nei"\n', encoding="utf-8")
    yes = ["Ja", "ja, absolutt", "Ja, det vil vi", "Helt klart ja", "ja takk", "Ja, gjerne", "Ja!", "ja det",
           "Ja, i høst", "Ja, vi har planer om det", "ja, om vi får midler", "Ja, snart"]
    no = ["Nei", "nei", "Nei, ikke nå", "Nei takk", "Nei, vi har ikke kapasitet", "nei, dessverre", "Nei!",
          "Nei, ikke i år", "nei det gjør vi ikke", "Nei, vi venter", "nei, ikke aktuelt", "Nei, aldri"]
    data = example / "training_data" / "ja_nei"
    data.mkdir()
    pd.DataFrame({"text": yes + no, "labels": ["ja"] * len(yes) + ["nei"] * len(no)}).to_csv(data / "coded.csv",
                                                                                                index=False)
    configure(example, QUESTIONS + '\n[[questions]]\nkey = "plan"\ncolumn = "Planlegger dere nye tiltak?"\n'
                                   'codeframe = "labels/ja_nei.toml"\ntraining_data = "training_data/ja_nei"\n')
    rows = answers(10)
    pd.DataFrame({"Hvilke tjenester har kommunen særskilt behov for?": [r[1] for r in rows],
                  "Planlegger dere nye tiltak?": ["Ja, vi har planer", "nei", "Ja", "Nei, ikke i år", "ja"] * 2}
                 ).to_csv(example / "survey.csv", sep=";", index=False)
    code, out, err = cli("predict", "survey.csv", "--out", "coded.csv")
    assert code == 0, err
    assert "No trained model for code frame 'ja_nei' (question plan) yet: training it first." in out
    assert "Not in this file (not coded): tiltak" in out
    assert out.count("training it first") == 1  # tjenester has its model
    coded = read_table(example / "coded.csv").frame
    assert coded["plan_labels"].tolist()[:4] == ["ja", "nei", "ja", "nei"]
    assert "tjenester_labels" in coded.columns
    new = [p.name for p in (example / "models").iterdir() if p.name.endswith("-ja_nei")]
    assert len(new) == 1


@pytest.mark.parametrize("setup,expected", [
    ("missing_column", "None of the questions in survey-coder.toml has its column in survey.csv"),
    ("ambiguous", "Column 'svar' of question 'tjenester' matches several columns in survey.csv: 'Svar', 'SVAR'"),
    ("twice", "question 'tjenester' is configured twice"),
    ("frame_missing", "Code frame labels/gone.toml of question 'tjenester'"),
])
def test_bad_configurations_are_one_line_and_write_nothing(cli, example, setup, expected):
    columns = {"missing_column": ("kommune", "Q1", "Q2"), "ambiguous": ("kommune", "Svar", "SVAR")}.get(
        setup, ("kommune", "Hvilke tjenester har kommunen særskilt behov for?", "Hvilke tiltak har fungert best?"))
    survey_csv(example / "survey.csv", n=5, columns=columns)
    if setup == "ambiguous":
        configure(example, '[[questions]]\nkey = "tjenester"\ncolumn = "svar"\n'
                           'codeframe = "labels/imdi_kvalifisering.toml"\n')
    elif setup == "twice":
        configure(example, QUESTIONS + QUESTIONS.split("[[questions]]")[1].join(["[[questions]]", ""]))
    elif setup == "frame_missing":
        configure(example, QUESTIONS.replace("labels/imdi_kvalifisering.toml", "labels/gone.toml", 1))
    else:
        configure(example)
    before = sorted(p.name for p in example.rglob("*"))
    one_line_error(*cli("predict", "survey.csv", "--out", "coded.csv"), expected)
    assert sorted(p.name for p in example.rglob("*")) == before


def test_one_model_for_several_questions_and_a_question_in_a_project_without_any_are_refused(cli, example):
    configure(example)
    survey_csv(example / "survey.csv", n=5)
    one_line_error(*cli("predict", "survey.csv", "--model", MODEL, "--out", "c.csv"),
                   "survey-coder.toml has 2 questions, each with its own")
    configure(example, "")
    one_line_error(*cli("predict", "survey.csv", "--question", "tiltak", "--out", "c.csv"),
                   "No questions in")
    assert not (example / "c.csv").exists()


def test_with_text_column_predict_does_not_read_the_questions(cli, example):
    """A broken survey-coder.toml stops what reads the questions, not coding one named column."""
    survey_csv(example / "survey.csv", n=5)
    configure(example, "[[questions]\n")
    one_line_error(*cli("predict", "survey.csv", "--out", "c.csv"), "is not valid TOML")
    code, out, err = cli("predict", "survey.csv", "--text-column", "kommune", "--force-text-column", "--model", MODEL,
                         "--out", "c.csv")
    assert code == 0, err
    assert "labels" in read_table(example / "c.csv").frame.columns
