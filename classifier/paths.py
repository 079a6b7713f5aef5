"""Where the project is, and the folders in it.

A project is a folder with `survey-coder.toml` (its questions), `labels/` (code frames),
`training_data/` (coded answers and the annotation store) and `models/` (trained models),
as `survey-coder init` makes it and as this repository is. Which project, in this order:

1. `--project DIR` (the command line calls `use_project`);
2. the environment variable SURVEY_CODER_HOME;
3. the nearest folder, from the current one upwards, that holds `survey-coder.toml`.

The first two may name a folder without `survey-coder.toml` (a project with no questions
configured). Outside any project, asking for a project folder raises a UserError that
says so and suggests `survey-coder init`; commands that need no project folder (coding with
a named model, a report with a named code frame) still work there.

The files the package ships (the IMDi code frame, its coded training answers and the
example survey) are read with `shipped`, from the installed package or, when run from the
repository, from its top-level folders (one copy of each file, see pyproject.toml).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import Errors, UserError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FRAME_NAME = "imdi_kvalifisering.toml"
PROJECT_FILE = "survey-coder.toml"
HOME_VARIABLE = "SURVEY_CODER_HOME"
# Shipped folder -> the package that holds it once installed (pyproject.toml maps them).
SHIPPED = {"labels": "classifier.shipped.labels", "training_data": "classifier.shipped.training_data",
           "examples": "classifier.shipped.examples"}

_chosen: Path | None = None  # --project DIR


def use_project(folder: str | Path | None) -> None:
    """Take `folder` as the project (from --project); None goes back to the environment
    and the current folder."""
    global _chosen
    _chosen = Path(folder) if folder is not None else None


def chosen_project() -> Path | None:
    """The folder given with --project, if any."""
    return _chosen


def find_project(start: Path) -> Path | None:
    """The nearest folder from `start` upwards that holds survey-coder.toml, or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def locate_project() -> tuple[Path | None, str]:
    """(the project folder or None, how it was found): --project, SURVEY_CODER_HOME, or the
    nearest survey-coder.toml. A named folder that does not exist is an error."""
    for folder, how in ((_chosen, "--project"), (os.environ.get(HOME_VARIABLE) or None, HOME_VARIABLE)):
        if folder is not None:
            p = Path(folder)
            if not p.is_dir():
                raise UserError(Errors.PROJECT_MISSING.format(path=p, how=how))
            return p, how
    found = find_project(Path.cwd())
    return found, PROJECT_FILE


def project_dir() -> Path:
    """The project folder; outside any project a UserError that suggests `survey-coder init`."""
    folder, _ = locate_project()
    if folder is None:
        raise UserError(Errors.NOT_IN_PROJECT.format(cwd=Path.cwd(), file=PROJECT_FILE))
    return folder


def project_file() -> Path:
    return project_dir() / PROJECT_FILE


def models_dir() -> Path:
    return project_dir() / "models"


def training_dir() -> Path:
    return project_dir() / "training_data"


def labels_dir() -> Path:
    """The project's labels/, else (outside a project, or a project without one) the shipped frames."""
    folder, _ = locate_project()
    here = folder / "labels" if folder is not None else None
    return here if here is not None and here.is_dir() else shipped("labels")


def default_frame_path() -> Path:
    """The default code frame: labels/imdi_kvalifisering.toml of the project, else the shipped one."""
    path = labels_dir() / DEFAULT_FRAME_NAME
    return path if path.is_file() else shipped("labels") / DEFAULT_FRAME_NAME


def annotations_path() -> Path:
    return training_dir() / "annotations.sqlite"


def shipped(name: str) -> Path:
    """A folder of files that ship with the package: labels, training_data or examples."""
    try:  # a data-only (namespace) package: its README.md says where the folder is
        readme = resources.files(SHIPPED[name]).joinpath("README.md")
        if readme.is_file():
            return Path(str(readme)).parent
    except ModuleNotFoundError:  # run from the repository (or an editable install): the top-level folder
        pass
    return PACKAGE_ROOT / name
