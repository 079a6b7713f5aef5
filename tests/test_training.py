"""Training: reading coded files, checking them against the frame, saving with metadata."""

import json

import pytest

from classifier.codeframe import load_codeframe
from classifier.errors import UserError
from classifier.registry import load_model, sha256_file
from classifier.store import AnnotationStore
from classifier.training import annotations_as_coded, load_training_data, train

from .conftest import FRAME


def test_model_folder_holds_model_and_metadata(model_dir, training_answers):
    meta = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert meta["model_sha256"] == sha256_file(model_dir / "model.json")
    for key in ("python", "spacy", "scikit-learn"):
        assert meta["versions"][key]
    assert meta["spacy"]["spacy_model"] == "blank:nb"
    assert meta["codeframe"]["name"] == "imdi_kvalifisering"
    assert meta["codeframe"]["hash"] == load_model(model_dir).coder.frame.hash
    assert meta["training_data"]["n_answers"] == len(training_answers)
    assert meta["training_data"]["sha256"] == training_answers.hash()
    assert set(meta["thresholds"]) == set(meta["codeframe"]["frame"]["codes"][i]["key"] for i in range(5))
    assert 0 < meta["cv_scores"]["macro_f1"] <= 1
    assert meta["created"]


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_unknown_code_names_the_file_and_row(tmp_path):
    p = write(tmp_path, "d.csv", "text;labels\nPraksis;practice_placements\nBolig;housing\n")
    with pytest.raises(UserError, match=r"Unknown code 'housing' in d.csv row 3"):
        load_training_data([p], FRAME)


def test_rows_without_codes_are_skipped_and_counted(tmp_path):
    p = write(tmp_path, "d.csv", "text;labels\nPraksis;practice_placements\nUkodet svar;\n-;other\n")
    data, frame, origin = load_training_data([p], FRAME)
    assert data.texts == ["Praksis"] and data.skipped == 2 and origin == "given"


def test_frame_is_matched_from_labels_folder_when_not_given(tmp_path):
    p = write(tmp_path, "d.csv", "text,labels\nPraksis,practice_placements\nBolig,other\n")
    data, frame, origin = load_training_data([p])
    assert frame.keys[-1] == "other" and origin.startswith("matched")


def test_frame_is_inferred_for_other_codes(tmp_path):
    rows = "\n".join(f"svar {i},{'ja' if i % 2 else 'nei'}" for i in range(20))
    p = write(tmp_path, "d.csv", "text,labels\n" + rows + "\n")
    data, frame, origin = load_training_data([p])
    assert frame.keys == ["ja", "nei"] and not frame.multi_label and origin == "inferred from the labels"


def test_too_few_examples_names_the_code(tmp_path):
    rows = ["Praksis,practice_placements"] * 3 + ["Bolig,other"] * 30
    p = write(tmp_path, "d.csv", "text,labels\n" + "\n".join(rows) + "\n")
    with pytest.raises(UserError, match="Code 'education_guidance' has 0 training answers"):
        train([p], FRAME, out_dir=tmp_path / "m")


def test_folder_without_data_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="No .csv or .xlsx files"):
        load_training_data([tmp_path / "empty"], FRAME)


def test_other_column_names(tmp_path):
    p = write(tmp_path, "d.csv", "svar;koder\nPraksis;practice_placements\n", "cp1252")
    data, _, _ = load_training_data([p], FRAME, text_column="svar", labels_column="koder")
    assert data.labels == [["practice_placements"]]
    with pytest.raises(UserError, match="Column 'text' not found"):
        load_training_data([p], FRAME)


def test_training_counts_other_frames_decisions_without_reading_the_log(frame, tmp_path, monkeypatch):
    other = tmp_path / "other.toml"
    other.write_text('[frame]\nname = "x"\n[[codes]]\nkey = "a"\n[[codes]]\nkey = "b"\n', encoding="utf-8")
    other_frame = load_codeframe(other)
    path = tmp_path / "annotations.sqlite"
    with AnnotationStore(path) as store:
        for i, action in enumerate(["correct", "accept", "skip", "correct"]):
            store.add(text=f"Svar {i}", labels=[] if action == "skip" else ["a"], action=action,
                      frame=other_frame, source="s.csv", annotator="kari")
        store.add(text="Bolig", labels=["other"], action="correct", frame=frame, source="s.csv", annotator="kari")
        assert store.count_other_frames(frame.hash) == 3  # coding decisions only: the skip is not one
        assert store.count_other_frames(other_frame.hash) == 1

    def whole_log(self, frame_hash=None):
        raise AssertionError("the whole decision log was read")

    monkeypatch.setattr(AnnotationStore, "decisions", whole_log)
    data, used = annotations_as_coded(path, frame)
    assert data.texts == ["Bolig"] and used.n_other_frame == 3 and "3" in used.warnings[0]
