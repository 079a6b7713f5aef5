"""pyproject.toml ships every package and the shipped folders' files, without copies."""

import tomllib

from classifier.paths import SHIPPED

from .conftest import ROOT

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_code_package_is_listed():
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "classifier").rglob("__init__.py")}
    assert found <= set(CONFIG["packages"])


def test_the_shipped_folders_are_mapped_onto_the_top_level_folders_and_their_files_included():
    for folder, package in SHIPPED.items():
        assert package in CONFIG["packages"]
        assert CONFIG["package-dir"][package] == folder
        patterns = CONFIG["package-data"][package]
        shipped = {p.name for pattern in patterns for p in (ROOT / folder).glob(pattern)}
        assert "README.md" in shipped and len(shipped) >= 2
    assert not (ROOT / "classifier" / "shipped").exists()  # one copy of each file: the top-level folders
