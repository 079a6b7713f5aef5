"""Which code frame: given, from a model's metadata, the default, matched in labels/, inferred;
and for the annotation store, the frame of the decisions to use."""

from __future__ import annotations

import json

import pytest

from classifier.errors import UserError
from classifier.frames import model_frame, resolve_frame, resolve_store_frame
from classifier.store import AnnotationStore

from .conftest import FRAME

V2 = ('[frame]\nname = "v2"\n[frame.previous]\nversion = "1"\nmap = { praksis = ["practice"] }\n'
      '[[codes]]\nkey = "practice"\n[[codes]]\nkey = "other"\n')


@pytest.fixture
def store(tmp_path):
    with AnnotationStore(tmp_path / "annotations.sqlite") as s:
        yield s


def test_a_given_frame_wins_over_everything(frame, tmp_path):
    got, origin = resolve_frame(FRAME, codes=[["a"]], default=FRAME, folder=tmp_path)
    assert (got.hash, origin) == (frame.hash, "given")
    assert resolve_frame(frame) == (frame, "given")


def test_the_default_frame_when_it_knows_the_codes_else_inferred():
    got, origin = resolve_frame(codes=[["practice_placements"], ["other"]], default=FRAME)
    assert (got.name, origin) == ("imdi_kvalifisering", "the default frame")
    inferred, origin = resolve_frame(codes=[["a", "b"], ["c"], []], default=FRAME)
    assert inferred.keys == ["a", "b", "c"] and inferred.multi_label and origin == "inferred from the labels"


def test_without_codes_the_default_frame_must_exist(tmp_path):
    assert resolve_frame(default=FRAME)[1] == "the default frame"
    with pytest.raises(UserError, match="Code frame not found"):
        resolve_frame(default=tmp_path / "missing.toml")
    # With codes to match, a missing default is passed over.
    assert resolve_frame(codes=[["x"], ["y"]], default=tmp_path / "missing.toml")[1] == "inferred from the labels"


def test_a_frame_in_labels_that_knows_the_codes_through_its_previous_version(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "v2.toml").write_text(V2, encoding="utf-8")
    got, origin = resolve_frame(codes=[["praksis"], ["other"]], folder=folder)
    assert got.name == "v2" and origin == f"matched {folder / 'v2.toml'}"
    # The default frame is asked first, but does not know 'praksis'.
    assert resolve_frame(codes=[["praksis"]], default=FRAME, folder=folder)[0].name == "v2"


def test_a_models_frame_is_read_from_its_metadata_alone(frame, tmp_path):
    model = tmp_path / "20260101-000000-demo"
    model.mkdir()  # no model.joblib: nothing is unpickled
    (model / "metadata.json").write_text(json.dumps(
        {"codeframe": {"source": "labels/x.toml", "frame": frame.to_dict()}}), encoding="utf-8")
    assert model_frame(model).hash == frame.hash
    got, origin = resolve_frame(model=model, codes=[["z"]])
    assert got.keys == frame.keys and got.source == "labels/x.toml" and origin == f"from model {model.name}"
    (model / "metadata.json").write_text("{}", encoding="utf-8")  # no frame there: the codes decide
    assert resolve_frame(model=model, codes=[["z"]])[1] == "inferred from the labels"


def test_the_store_gives_its_most_used_frame_or_the_given_one_if_it_has_decisions(store, frame, tmp_path):
    with pytest.raises(UserError, match="no decisions for code frame 'any'"):
        resolve_store_frame(store)
    store.register_frame(frame)
    store.add(text="Bolig", labels=["other"], action="correct", frame=frame, annotator="kari")
    assert resolve_store_frame(store) == (frame.hash, store.frame(frame.hash),
                                          "the frame with the most decisions in the store")
    other = tmp_path / "v2.toml"
    other.write_text(V2, encoding="utf-8")
    with pytest.raises(UserError, match=r"no decisions for code frame 'v2'\. Frames there: 'imdi_kvalifisering'"):
        resolve_store_frame(store, other)
    frame_hash, given, origin = resolve_store_frame(store, FRAME)
    assert frame_hash == frame.hash == given.hash and origin == "given"


def test_decisions_without_their_frame_keep_their_hash_beside_an_inferred_frame(store):
    store.add(text="Kurs", labels=["b", "a"], action="correct", frame_hash="f00d", frame_name="old", annotator="kari")
    store.add(text="Tolk", labels=["c"], action="correct", frame_hash="f00d", frame_name="old", annotator="per")
    frame_hash, frame, origin = resolve_store_frame(store)
    assert frame_hash == "f00d" and frame.hash != "f00d"
    assert frame.keys == ["a", "b", "c"] and frame.name == "codes in the store"
    assert origin == "inferred from the codes in the store"
