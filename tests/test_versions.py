"""Code frame versions: the [frame.previous] map from old keys to new ones."""

import pytest

from classifier.codeframe import CodeFrame, load_codeframe
from classifier.dataset import CodedAnswers
from classifier.errors import UserError
from classifier.training import load_training_data
from classifier.versions import apply_previous, previous_map, remap_cell, split_codes

V2 = """
[frame]
name = "demo"
version = "2"
fallback = "other"

[frame.previous]
version = "1"
map = { praksis = ["practice"], mentors = "employers", network = ["employers"], work = ["courses", "jobs"], housing = ["other"] }

[[codes]]
key = "practice"
name = "Praksisplasser"
[[codes]]
key = "employers"
name = "Arbeidsgivere"
[[codes]]
key = "courses"
name = "Kurs"
[[codes]]
key = "jobs"
name = "Jobbløp"
[[codes]]
key = "other"
name = "Annet"
"""


@pytest.fixture
def v2(tmp_path):
    p = tmp_path / "demo.toml"
    p.write_text(V2, encoding="utf-8")
    return load_codeframe(p)


def frame_with(previous: dict) -> CodeFrame:
    data = {"frame": {"name": "f", "fallback": "other", "previous": previous},
            "codes": [{"key": k} for k in ("a", "b", "c", "other")]}
    return CodeFrame.from_dict(data)


def test_map_is_read_from_the_toml_file(v2):
    assert v2.version == "2"
    assert previous_map(v2) == {"praksis": ("practice",), "mentors": ("employers",), "network": ("employers",),
                                "work": ("courses", "jobs"), "housing": ("other",)}
    assert split_codes(v2) == {"work": ("courses", "jobs")}


def test_flat_map_without_version_is_accepted():
    assert previous_map(frame_with({"old_a": ["a"], "old_bc": ["c", "b"]})) == {"old_a": ("a",), "old_bc": ("b", "c")}


@pytest.mark.parametrize("previous,reason", [
    ({"map": {"old": ["zzz"]}}, "not a code of this version"),
    ({"map": {"a": ["a", "b"]}}, "still a code of this version"),
    ({"map": {"old": []}}, "must map to a code key"),
    ({"map": {"old": [1]}}, "must map to a code key"),
])
def test_invalid_maps_are_refused_with_the_reason(previous, reason):
    with pytest.raises(UserError, match=reason):
        previous_map(frame_with(previous))


def test_rename_merge_split_and_fallback(v2):
    assert remap_cell("praksis", v2, "x").keys == ("practice",)
    assert remap_cell("mentors;network", v2, "x").keys == ("employers",)
    split = remap_cell("work;praksis", v2, "x")
    assert split.keys == ("practice",) and split.groups == (("courses", "jobs"),)
    # housing merged into the fallback must not stand beside a substantive code
    assert remap_cell("housing;praksis", v2, "x").keys == ("practice",)
    assert remap_cell("housing", v2, "x").keys == ("other",)
    assert remap_cell("jobs;practice", v2, "x").keys == ("practice", "jobs")  # current keys pass, frame order
    with pytest.raises(UserError, match=r"Unknown code 'tolk' in f.csv row 7"):
        remap_cell("tolk", v2, "f.csv row 7")


def test_training_answers_are_translated_and_split_ones_left_out(v2):
    data = CodedAnswers(["a", "b", "c", "d"], [["praksis"], ["work"], ["mentors", "jobs"], ["housing", "work"]],
                        ["r2", "r3", "r4", "r5"], ["1", "2", "3", "4"], ["2019"] * 4)
    out = apply_previous(data, v2)
    assert out.texts == ["a", "c"]
    assert out.labels == [["practice"], ["employers", "jobs"]]
    assert len(out.notes) == 1 and "2 training answers carry code 'work'" in out.notes[0]


def test_load_training_data_applies_the_map(tmp_path, v2):
    p = tmp_path / "old.csv"
    p.write_text("text,labels,year\nPraksis,praksis,2019\nMentorer,mentors,2019\nKurs og jobb,work,2019\n"
                 "Ny kode,jobs,2020\n", encoding="utf-8")
    data, frame, origin = load_training_data([p], v2.source)
    assert data.labels == [["practice"], ["employers"], ["jobs"]]
    assert any("code 'work'" in n for n in data.notes)


def test_a_frame_without_map_leaves_data_alone():
    data = CodedAnswers(["a"], [["a"]])
    assert apply_previous(data, frame_with({})) is data
