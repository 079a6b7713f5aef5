"""Model registry: model folders, the safe format and its checks, versions, the default."""

import json
import shutil
from datetime import UTC, datetime

import numpy as np
import pytest
import sklearn

from classifier.coders import KeywordCoder
from classifier.coders.persist import dump_pickle
from classifier.errors import UserError, Warnings
from classifier.registry import (
    DEFAULT_FILE,
    convert_model,
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


def coder(frame, match_prior=0.8):
    """A fitted coder that needs no answers (the keyword coder from the frame alone): fast."""
    return KeywordCoder(frame, match_prior=match_prior).fit([], np.zeros((0, len(frame.keys))))


def save(root, frame, name, when, **meta):
    folder = new_model_dir(name, root, now=datetime(*when, tzinfo=UTC))
    return save_model(coder(frame), {"name": name, **meta}, folder)


def edit_metadata(folder, **changes):
    meta = read_metadata(folder)
    meta.update(changes)
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")


def pickle_model(folder, obj, **meta):
    """A model folder in the old format: model.joblib and metadata holding its hash."""
    folder.mkdir(parents=True, exist_ok=True)
    dump_pickle(obj, folder / "model.joblib")
    doc = {"tool": "survey-coder", "name": "old", "model_file": "model.joblib",
           "model_sha256": sha256_file(folder / "model.joblib"), **meta}
    (folder / "metadata.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def test_saved_model_loads_and_metadata_holds_the_hash_of_each_file(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 11, 25, 12, 0, 0))
    assert folder.name == "20241125-120000-imdi"
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "metadata.json", "model.json"]
    meta = read_metadata(folder)
    assert meta["model_files"] == {n: sha256_file(folder / n) for n in ("model.json", "arrays.npz")}
    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    loaded = load_model(folder)
    assert isinstance(loaded.coder, KeywordCoder) and loaded.warnings == []
    assert loaded.coder.frame.hash == frame.hash


def test_a_changed_file_is_refused_and_trust_loads_it_with_a_warning(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    other = save(tmp_path, frame, "other", (2024, 1, 1, 0, 0, 1))
    save_model(coder(frame, match_prior=0.99), {"name": "other"}, other)
    shutil.copy(other / "model.json", folder / "model.json")  # someone swapped the file
    with pytest.raises(UserError, match="does not match the SHA-256"):
        load_model(folder)
    loaded = load_model(folder, trust=True)
    assert loaded.coder.match_prior == 0.99
    assert loaded.warnings == [Warnings.TRUSTED_MODEL.format(path=folder)]


def test_missing_metadata_is_refused_unless_trusted(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    (folder / "metadata.json").unlink()
    with pytest.raises(UserError, match="has no metadata.json"):
        load_model(folder)
    assert isinstance(load_model(folder, trust=True).coder, KeywordCoder)


def write_state(folder, tree):
    """Replace the model's model.json and record its hash, as someone who can write the folder could."""
    (folder / "model.json").write_text(json.dumps(tree), encoding="utf-8")
    edit_metadata(folder, model_files={**read_metadata(folder)["model_files"],
                                       "model.json": sha256_file(folder / "model.json")})


def test_a_file_naming_an_unknown_class_is_refused_before_anything_is_built(frame, tmp_path, monkeypatch):
    """A model file may name only the project's own classes and the estimators they are built
    from: anything else (here a function that deletes folders) is refused, even with trust."""
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    tree = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    tree["state"]["frame"] = {"$object": "shutil.rmtree", "state": {}}
    tree["state"]["cv"] = {"$type": "os.system"}
    write_state(folder, tree)
    imported = []
    monkeypatch.setattr("classifier.coders.persist.importlib.import_module", lambda m: imported.append(m))
    for trust in (False, True):
        with pytest.raises(UserError, match=r"names types this tool does not trust \(os\.system, shutil\.rmtree\)"):
            load_model(folder, trust=trust)
    assert imported == []  # nothing was even imported


def test_a_foreign_object_with_matching_hashes_is_refused(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    write_state(folder, {"not": "a model"})
    with pytest.raises(UserError, match="is not a model made by this tool"):
        load_model(folder)


def test_an_old_pickle_model_opens_only_with_trust_and_converts_to_the_safe_format(frame, tmp_path):
    original = coder(frame, match_prior=0.9)
    folder = pickle_model(tmp_path / "old", original, versions={"scikit-learn": sklearn.__version__})
    with pytest.raises(UserError, match=r"old pickle format.*--convert old --trust-model"):
        load_model(folder)
    loaded = load_model(folder, trust=True)
    assert loaded.warnings == [Warnings.TRUSTED_PICKLE.format(path=folder)]
    convert_model(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "metadata.json", "model.json"]
    safe = load_model(folder)  # no trust needed any more
    assert safe.metadata["name"] == "old" and safe.metadata["converted"]["from"] == "model.joblib"
    texts = ["Vi trenger praksisplasser", "bolig"]
    a, b = original.assess(texts), safe.coder.assess(texts)
    assert np.array_equal(a.proba, b.proba) and np.array_equal(a.confidence, b.confidence)
    with pytest.raises(UserError, match="already in the safe format"):
        convert_model(folder)


def test_a_foreign_pickle_is_refused_even_when_trusted(frame, tmp_path):
    folder = pickle_model(tmp_path / "old", {"not": "a model"})
    with pytest.raises(UserError, match="is not a model made by this tool"):
        load_model(folder, trust=True)


def test_other_library_versions_warn_by_name(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    meta = read_metadata(folder)
    edit_metadata(folder, versions={**meta["versions"], "scikit-learn": "1.0.0", "spacy": "3.0.0"})
    warnings = load_model(folder).warnings
    assert any("scikit-learn 1.0.0" in w and sklearn.__version__ in w for w in warnings)
    assert any("spacy 3.0.0" in w for w in warnings)


def test_an_unloadable_file_from_another_version_is_refused_naming_the_versions(frame, tmp_path):
    folder = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    (folder / "model.json").write_bytes(b"not a model file at all")
    meta = read_metadata(folder)
    edit_metadata(folder, model_files={**meta["model_files"], "model.json": sha256_file(folder / "model.json")})
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
    assert resolve_model_dir(str(new / "model.json"), tmp_path) == new
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
    save_model(coder(frame), {"name": "old"}, folder)
    assert load_model(folder).metadata["name"] == "old"

    def broken():
        raise OSError("disk full")

    monkeypatch.setattr("classifier.registry.library_versions", broken)  # fails after the model files are written
    with pytest.raises(OSError):
        save_model(coder(frame, match_prior=0.99), {"name": "new"}, folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imdi"]
    loaded = load_model(folder)  # the old model, whole: its file still matches its metadata
    assert loaded.metadata["name"] == "old" and loaded.coder.match_prior != 0.99
    monkeypatch.undo()
    save_model(coder(frame, match_prior=0.99), {"name": "new"}, folder)
    assert load_model(folder).metadata["name"] == "new" and load_model(folder).coder.match_prior == 0.99
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imdi"]  # no half-written folder left
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "metadata.json", "model.json"]


def test_a_folder_with_other_files_is_not_replaced_by_a_model(frame, tmp_path):
    notes = tmp_path / "work"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="other files"):
        save_model(coder(frame), {"name": "x"}, notes)
    assert [p.name for p in notes.iterdir()] == ["notes.txt"]


def test_a_model_being_saved_is_not_listed(frame, tmp_path):
    done = save(tmp_path, frame, "imdi", (2024, 1, 1, 0, 0, 0))
    shutil.copytree(done, tmp_path / f".{done.name}.1234.part")  # complete files, not yet renamed
    assert [p for p, _ in list_models(tmp_path)] == [done]
