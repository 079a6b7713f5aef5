"""Model registry: folders with model.joblib + metadata.json, the hash check, versions, the default."""

import json
import shutil
from datetime import UTC, datetime

import joblib
import pytest
import sklearn

from classifier.coders import TfidfCoder
from classifier.errors import UserError, Warnings
from classifier.registry import (
    DEFAULT_FILE,
    default_model_dir,
    list_models,
    load_model,
    new_model_dir,
    read_metadata,
    resolve_model_dir,
    save_model,
    set_default,
    sha256_file,
)


def save(root, frame, name, when, **meta):
    folder = new_model_dir(name, root, now=datetime(*when, tzinfo=UTC))
    return save_model(TfidfCoder(frame), {"name": name, **meta}, folder)


def edit_metadata(folder, **changes):
    meta = read_metadata(folder)
    meta.update(changes)
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")


def test_saved_model_loads_and_metadata_holds_its_hash(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 11, 25, 12, 0, 0))
    assert folder.name == "20241125-120000-imdi"
    meta = read_metadata(folder)
    assert meta["model_sha256"] == sha256_file(folder / "model.joblib")
    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    loaded = load_model(folder)
    assert isinstance(loaded.coder, TfidfCoder) and loaded.warnings == []
    assert loaded.coder.frame.hash == frame.hash


def test_tampered_model_is_refused_and_trust_loads_it_with_a_warning(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    joblib.dump(TfidfCoder(frame, C=99.0), folder / "model.joblib")  # someone swapped the file
    with pytest.raises(UserError, match="does not match the SHA-256"):
        load_model(folder)
    loaded = load_model(folder, trust=True)
    assert loaded.coder.C == 99.0
    assert loaded.warnings == [Warnings.TRUSTED_MODEL.format(path=folder / "model.joblib")]


def test_missing_metadata_is_refused_unless_trusted(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    (folder / "metadata.json").unlink()
    with pytest.raises(UserError, match="has no metadata.json"):
        load_model(folder)
    assert isinstance(load_model(folder, trust=True).coder, TfidfCoder)


def test_a_foreign_pickle_with_a_matching_hash_is_refused(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    joblib.dump({"not": "a model"}, folder / "model.joblib")
    edit_metadata(folder, model_sha256=sha256_file(folder / "model.joblib"))
    with pytest.raises(UserError, match="is not a model made by this tool"):
        load_model(folder)


def test_other_library_versions_warn_by_name(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    meta = read_metadata(folder)
    edit_metadata(folder, versions={**meta["versions"], "scikit-learn": "1.0.0", "spacy": "3.0.0"})
    warnings = load_model(folder).warnings
    assert any("scikit-learn 1.0.0" in w and sklearn.__version__ in w for w in warnings)
    assert any("spacy 3.0.0" in w for w in warnings)


def test_an_unloadable_file_from_another_version_is_refused_naming_the_versions(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    (folder / "model.joblib").write_bytes(b"not a pickle at all")
    meta = read_metadata(folder)
    edit_metadata(folder, model_sha256=sha256_file(folder / "model.joblib"))
    with pytest.raises(UserError, match="Cannot load model"):
        load_model(folder)
    edit_metadata(folder, versions={**meta["versions"], "scikit-learn": "0.24.2"})
    with pytest.raises(UserError, match=r"trained with scikit-learn 0\.24\.2.*cannot be loaded"):
        load_model(folder)


def test_list_default_and_set_default(frame, tmp_path):
    assert list_models(tmp_path) == [] and default_model_dir(tmp_path) is None
    old = save(tmp_path, frame, "first", (2023, 5, 1, 8, 0, 0))
    new = save(tmp_path, frame, "second", (2024, 5, 1, 8, 0, 0))
    (tmp_path / "not-a-model").mkdir()
    assert [p for p, _ in list_models(tmp_path)] == [old, new]
    assert default_model_dir(tmp_path) == new  # newest
    assert set_default("first", tmp_path) == old
    assert (tmp_path / DEFAULT_FILE).read_text().strip() == old.name
    assert default_model_dir(tmp_path) == old
    assert resolve_model_dir(None, tmp_path) == old
    assert resolve_model_dir("second", tmp_path) == new  # the short name after the date
    assert resolve_model_dir(new.name, tmp_path) == new
    assert resolve_model_dir(str(new / "model.joblib"), tmp_path) == new
    with pytest.raises(UserError, match="Model not found: third"):
        resolve_model_dir("third", tmp_path)


def test_no_models_gives_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="No trained model"):
        load_model(None, root=tmp_path)


def test_two_models_in_the_same_second_get_their_own_folders(frame, tmp_path):
    first = save(tmp_path, frame, "imdi", (2024, 11, 25, 12, 0, 0))
    second = save(tmp_path, frame, "imdi", (2024, 11, 25, 12, 0, 0), note="second")
    assert first != second and first.name == "20241125-120000-imdi"
    assert read_metadata(first).get("note") is None and read_metadata(second)["note"] == "second"
    assert [p for p, _ in list_models(tmp_path)] == [first, second]  # still sorted by time
    assert resolve_model_dir("imdi", tmp_path) == second  # the short name finds the newest


def test_saving_over_a_model_replaces_it_whole_or_not_at_all(frame, tmp_path, monkeypatch):
    folder = tmp_path / "imdi"
    save_model(TfidfCoder(frame), {"name": "old"}, folder)
    assert load_model(folder).metadata["name"] == "old"

    def broken():
        raise OSError("disk full")

    monkeypatch.setattr("classifier.registry.library_versions", broken)  # fails after model.joblib is written
    with pytest.raises(OSError):
        save_model(TfidfCoder(frame, C=99.0), {"name": "new"}, folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imdi"]
    loaded = load_model(folder)  # the old model, whole: its file still matches its metadata
    assert loaded.metadata["name"] == "old" and loaded.coder.C != 99.0
    monkeypatch.undo()
    save_model(TfidfCoder(frame, C=99.0), {"name": "new"}, folder)
    assert load_model(folder).metadata["name"] == "new" and load_model(folder).coder.C == 99.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imdi"]  # no half-written folder left
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.json", "model.joblib"]


def test_a_folder_with_other_files_is_not_replaced_by_a_model(frame, tmp_path):
    notes = tmp_path / "work"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="other files"):
        save_model(TfidfCoder(frame), {"name": "x"}, notes)
    assert [p.name for p in notes.iterdir()] == ["notes.txt"]


def test_a_model_being_saved_is_not_listed(frame, tmp_path):
    done = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    shutil.copytree(done, tmp_path / f".{done.name}.1234.part")  # complete files, not yet renamed
    assert [p for p, _ in list_models(tmp_path)] == [done]
