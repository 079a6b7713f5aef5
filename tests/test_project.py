"""survey-coder.toml: the questions, their checks and models; `init_project`."""

import shutil
import tomllib

import pytest

from classifier.errors import UserError
from classifier.paths import PROJECT_FILE
from classifier.project import init_project, question_model_dir, read_questions
from classifier.registry import set_default

from .conftest import FRAME, ROOT


def project_with(tmp_path, text: str, frame=True):
    (tmp_path / "labels").mkdir(exist_ok=True)
    if frame:
        shutil.copyfile(FRAME, tmp_path / "labels" / "imdi.toml")
    (tmp_path / PROJECT_FILE).write_text(text, encoding="utf-8")
    return tmp_path


ARRAY = '''
[[questions]]
key = "tjenester"
column = "Hvilke tjenester har kommunen særskilt behov for?"
codeframe = "labels/imdi.toml"

[[questions]]
key = "tiltak"
column = "Hva har fungert best?"
codeframe = "labels/imdi.toml"
model = "imdi"
training_data = ["training_data"]
'''

TABLES = '''
[questions.tjenester]
column = "Hvilke tjenester har kommunen særskilt behov for?"
frame = "labels/imdi.toml"

[questions.tiltak]
column = "Hva har fungert best?"
codeframe = "labels/imdi.toml"
model = "imdi"
training_data = "training_data"
'''


@pytest.mark.parametrize("text", [ARRAY, TABLES], ids=["array", "tables"])
def test_both_ways_of_writing_questions_read_the_same(tmp_path, text):
    (tmp_path / "training_data").mkdir()
    questions = read_questions(project_with(tmp_path, text))
    assert [q.key for q in questions] == ["tjenester", "tiltak"]
    assert questions[0].column == "Hvilke tjenester har kommunen særskilt behov for?"
    assert questions[0].codeframe == tmp_path / "labels" / "imdi.toml"
    assert questions[0].model is None and questions[0].training_data == ()
    assert questions[1].model == "imdi" and questions[1].training_data == (tmp_path / "training_data",)
    assert questions[1].prefix == "tiltak_" and questions[1].frame().name == "imdi_kvalifisering"


def test_a_project_without_the_file_or_without_questions_has_none(tmp_path):
    assert read_questions(tmp_path) == []
    assert read_questions(project_with(tmp_path, "# nothing yet\n")) == []


Q = '[[questions]]\nkey = "{key}"\ncolumn = "{column}"\ncodeframe = "{frame}"\n'


@pytest.mark.parametrize("text,expected", [
    (Q.format(key="a", column="svar", frame="labels/imdi.toml") * 2, "question 'a' is configured twice"),
    ('[questions.a]\ncolumn = "x"\ncodeframe = "labels/imdi.toml"\n[questions.a]\ncolumn = "y"\n',
     "question 'a' is configured twice"),
    (Q.format(key="a", column="svar", frame="labels/imdi.toml") + Q.format(key="b", column="svar",
                                                                          frame="labels/imdi.toml"),
     "questions 'a' and 'b' both code column 'svar' with the same code frame"),
    (Q.format(key="a", column="svar", frame="labels/missing.toml"),
     "Code frame labels/missing.toml of question 'a' in .* does not exist"),
    ('[[questions]]\nkey = "a"\ncodeframe = "labels/imdi.toml"\n', "question 'a' has no 'column'"),
    ('[[questions]]\nkey = "a"\ncolumn = "svar"\n', "question 'a' has no 'codeframe'"),
    ('[[questions]]\ncolumn = "svar"\ncodeframe = "labels/imdi.toml"\n', "question number 1 .* has no 'key'"),
    (Q.format(key="2020 svar", column="svar", frame="labels/imdi.toml"), "question key '2020 svar' must start"),
    (Q.format(key="a", column="svar", frame="labels/imdi.toml") + 'colum = "x"\n',
     "unknown setting 'colum' .*settings are: key, column, codeframe, model, training_data"),
    ('[[questions]]\nkey = "a"\ncolumn = 3\ncodeframe = "labels/imdi.toml"\n', "'column' of question 'a' must be text"),
    (Q.format(key="a", column="svar", frame="labels/imdi.toml") + 'training_data = "nowhere"\n',
     "Training data nowhere of question 'a'"),
    ('questions = "svar"\n', "'questions' must be written as"),
    ('[[questions]\nkey = "a"\n', "is not valid TOML: .*line 1"),
])
def test_bad_questions_are_one_line_naming_the_problem(tmp_path, text, expected):
    with pytest.raises(UserError, match=expected) as e:
        read_questions(project_with(tmp_path, text))
    assert "\n" not in str(e.value)


def test_a_question_s_model_is_named_or_the_default_on_its_frame_or_the_newest_on_it(tmp_path, model_dir):
    project = project_with(tmp_path, Q.format(key="a", column="svar", frame="labels/imdi.toml"))
    models = project / "models"
    models.mkdir()
    q = read_questions(project)[0]
    assert question_model_dir(q, root=models) is None  # none yet: predict trains one
    for name in ("20260101-000000-imdi", "20260102-000000-imdi"):
        shutil.copytree(model_dir, models / name)
    other = models / "20260103-000000-other"  # newest of all, but on another frame
    shutil.copytree(model_dir, other)
    meta = (other / "metadata.json").read_text(encoding="utf-8")
    (other / "metadata.json").write_text(meta.replace(q.frame().hash, "0" * 16), encoding="utf-8")
    assert question_model_dir(q, root=models) == models / "20260102-000000-imdi"
    set_default("20260101-000000-imdi", models)
    assert question_model_dir(q, root=models) == models / "20260101-000000-imdi"
    set_default("20260103-000000-other", models)  # the default is on another frame: the newest on this one
    assert question_model_dir(q, root=models) == models / "20260102-000000-imdi"
    named = read_questions(project_with(tmp_path, Q.format(key="a", column="svar", frame="labels/imdi.toml")
                                        + 'model = "20260101-000000-imdi"\n'))[0]
    assert question_model_dir(named, root=models) == models / "20260101-000000-imdi"


def test_init_makes_the_folders_with_notes_and_no_questions(tmp_path):
    made = init_project(tmp_path / "proj")
    proj = tmp_path / "proj"
    assert {p.as_posix() for p in made} == {PROJECT_FILE, "labels/README.md", "training_data/README.md",
                                            "models/README.md"}
    text = (proj / PROJECT_FILE).read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # everything is a comment until the analyst writes a question
    for words in ("labels/", "training_data/", "models/", "key", "column", "codeframe", "[[questions]]"):
        assert words in text
    assert read_questions(proj) == []


def test_init_example_holds_the_shipped_files_and_its_question(tmp_path):
    init_project(tmp_path / "proj", example=True)
    proj = tmp_path / "proj"
    for made, shipped in (("labels/imdi_kvalifisering.toml", "labels/imdi_kvalifisering.toml"),
                          ("training_data/kommuneundersokelsen_2016-2019.csv",
                           "training_data/kommuneundersokelsen_2016-2019.csv"),
                          ("kommuneundersokelsen_2020.csv", "examples/kommuneundersokelsen_2020.csv")):
        assert (proj / made).read_bytes() == (ROOT / shipped).read_bytes()
    assert "written for the survey-coder project" in (proj / "training_data" / "README.md").read_text(encoding="utf-8")
    [q] = read_questions(proj)
    assert (q.key, q.column, q.codeframe) == ("tjenester", "svar", proj / "labels" / "imdi_kvalifisering.toml")


def test_init_into_an_empty_folder_works_and_a_full_one_or_a_file_is_refused_untouched(tmp_path):
    (tmp_path / "empty").mkdir()
    init_project(tmp_path / "empty")
    assert (tmp_path / "empty" / PROJECT_FILE).is_file()
    full = tmp_path / "full"
    full.mkdir()
    (full / "survey.xlsx").write_bytes(b"mine")
    with pytest.raises(UserError, match="not empty .*survey.xlsx"):
        init_project(full, example=True)
    assert [p.name for p in full.iterdir()] == ["survey.xlsx"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="it is a file"):
        init_project(tmp_path / "file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file", "full"]  # no .part left behind
