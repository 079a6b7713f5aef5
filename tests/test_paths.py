"""Which project a command works in: --project, $SURVEY_CODER_HOME, the nearest survey-coder.toml."""

import pytest

from classifier import paths
from classifier.errors import UserError

from .conftest import ROOT


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No --project, no SURVEY_CODER_HOME, the current folder outside any project."""
    monkeypatch.delenv("SURVEY_CODER_HOME", raising=False)
    paths.use_project(None)
    folder = tmp_path / "not_a_project" / "deeper"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    yield folder
    paths.use_project(None)


def make_project(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / paths.PROJECT_FILE).write_text("# a project\n", encoding="utf-8")
    return folder


def test_outside_any_project_asking_for_one_says_so_and_suggests_init(nowhere):
    assert paths.locate_project() == (None, paths.PROJECT_FILE)
    for ask in (paths.project_dir, paths.models_dir, paths.training_dir, paths.annotations_path):
        with pytest.raises(UserError) as e:
            ask()
        assert "survey-coder init" in str(e.value) and str(nowhere) in str(e.value)
        assert "\n" not in str(e.value)


def test_the_nearest_survey_coder_toml_upwards_is_the_project(nowhere, tmp_path, monkeypatch):
    outer = make_project(tmp_path / "outer")
    inner = make_project(outer / "inner")
    (inner / "sub" / "sub").mkdir(parents=True)
    monkeypatch.chdir(inner / "sub" / "sub")
    assert paths.project_dir() == inner.resolve()
    assert paths.models_dir() == inner.resolve() / "models"
    monkeypatch.chdir(outer)
    assert paths.project_dir() == outer.resolve()


def test_project_option_wins_over_the_environment_which_wins_over_the_folder(nowhere, tmp_path, monkeypatch):
    here, env, chosen = (make_project(tmp_path / n) for n in ("here", "env", "chosen"))
    monkeypatch.chdir(here)
    assert paths.project_dir() == here.resolve()
    monkeypatch.setenv("SURVEY_CODER_HOME", str(env))
    assert paths.project_dir() == env
    paths.use_project(chosen)
    assert paths.project_dir() == chosen and paths.locate_project()[1] == "--project"
    paths.use_project(None)
    assert paths.locate_project() == (env, "SURVEY_CODER_HOME")


def test_the_environment_may_name_a_folder_without_survey_coder_toml(nowhere, tmp_path, monkeypatch):
    """As the tests' own project folders (models/ and training_data/ only) do."""
    bare = tmp_path / "bare"
    bare.mkdir()
    monkeypatch.setenv("SURVEY_CODER_HOME", str(bare))
    assert paths.training_dir() == bare / "training_data"


@pytest.mark.parametrize("how", ["--project", "SURVEY_CODER_HOME"])
def test_a_named_project_folder_that_does_not_exist_is_an_error(nowhere, tmp_path, monkeypatch, how):
    missing = tmp_path / "missing"
    if how == "--project":
        paths.use_project(missing)
    else:
        monkeypatch.setenv("SURVEY_CODER_HOME", str(missing))
    with pytest.raises(UserError, match=f"{missing}.*from {how}.*does not exist"):
        paths.project_dir()


def test_the_repository_is_a_project(monkeypatch):
    monkeypatch.delenv("SURVEY_CODER_HOME", raising=False)
    monkeypatch.chdir(ROOT / "classifier" / "cli")
    assert paths.project_dir() == ROOT


def test_shipped_files_and_the_default_frame_outside_a_project(nowhere):
    assert (paths.shipped("labels") / paths.DEFAULT_FRAME_NAME).is_file()
    assert (paths.shipped("training_data") / "kommuneundersokelsen_2016-2019.csv").is_file()
    assert (paths.shipped("examples") / "kommuneundersokelsen_2020.csv").is_file()
    assert paths.labels_dir() == paths.shipped("labels")  # a frame needs no project
    assert paths.default_frame_path() == paths.shipped("labels") / paths.DEFAULT_FRAME_NAME


def test_a_project_with_its_own_labels_folder_uses_it(nowhere, tmp_path, monkeypatch):
    proj = make_project(tmp_path / "p")
    (proj / "labels").mkdir()
    monkeypatch.chdir(proj)
    assert paths.labels_dir() == proj.resolve() / "labels"
    # ... and without the default frame there, the shipped one is the default
    assert paths.default_frame_path() == paths.shipped("labels") / paths.DEFAULT_FRAME_NAME
