"""Where a project's folders are: the current directory, or $SURVEY_CODER_HOME.

A project is a folder with `labels/` (code frames), `training_data/` (coded answers
and the annotation store) and `models/` (trained models), as in this repository.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FRAME_NAME = "imdi_kvalifisering.toml"


def project_dir() -> Path:
    return Path(os.environ.get("SURVEY_CODER_HOME") or Path.cwd())


def models_dir() -> Path:
    return project_dir() / "models"


def training_dir() -> Path:
    return project_dir() / "training_data"


def labels_dir() -> Path:
    here = project_dir() / "labels"
    return here if here.is_dir() else PACKAGE_ROOT / "labels"


def default_frame_path() -> Path:
    return labels_dir() / DEFAULT_FRAME_NAME


def annotations_path() -> Path:
    return training_dir() / "annotations.sqlite"
