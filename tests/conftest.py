"""Shared fixtures: a project folder per test, and one model trained per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from classifier.cli import main
from classifier.codeframe import load_codeframe
from classifier.dataset import read_coded
from classifier.registry import load_model
from classifier.training import train

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
FRAME = ROOT / "labels" / "imdi_kvalifisering.toml"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder (models/, training_data/) used as SURVEY_CODER_HOME."""
    (tmp_path / "models").mkdir()
    (tmp_path / "training_data").mkdir()
    monkeypatch.setenv("SURVEY_CODER_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def frame():
    return load_codeframe(FRAME)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A model trained once per test session on the shipped training data (3 folds)."""
    out = tmp_path_factory.mktemp("model") / "imdi"
    train([ROOT / "training_data"], FRAME, out_dir=out, cv=3)
    return out


@pytest.fixture(scope="session")
def model(model_dir):
    return load_model(model_dir)


@pytest.fixture(scope="session")
def training_answers():
    return read_coded([ROOT / "training_data"])


@pytest.fixture
def cli(capsys):
    """Run the command line in-process: returns (exit code, stdout, stderr)."""

    def run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def copy_model(model_dir, tmp_path):
    """A private copy of the session model, for tests that change files."""
    target = tmp_path / "model_copy"
    shutil.copytree(model_dir, target)
    return target


@pytest.fixture
def locked():
    """`lock(path)` makes a file or folder unchangeable (even for root: `chattr +i`; else
    chmod to read-only); undone after the test."""
    import os
    import subprocess

    undo = []

    def lock(path: Path) -> Path:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            if done.returncode:
                pytest.skip(f"cannot make {path} unchangeable as root here: {done.stderr.strip()}")
            undo.append(lambda: subprocess.run(["chattr", "-i", str(path)], check=True))
        else:
            mode = path.stat().st_mode
            path.chmod(0o555 if path.is_dir() else 0o444)
            undo.append(lambda: path.chmod(mode))
        return path

    yield lock
    for step in reversed(undo):
        step()
