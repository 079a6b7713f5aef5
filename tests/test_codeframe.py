"""Code frames: loading, validation, label parsing, inference."""

import json

import pytest

from classifier.codeframe import CodeFrame, find_frame_for_keys, infer_codeframe, load_codeframe, split_labels
from classifier.errors import UserError

DEFAULT_KEYS = ["education_guidance", "employer_cooperation", "practice_placements", "work_pathways", "other"]


def write_frame(tmp_path, text, name="f.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_default_frame_has_exactly_the_survey_codes(frame):
    assert frame.keys == DEFAULT_KEYS
    assert frame.multi_label and frame.fallback == "other"
    assert frame.substantive == DEFAULT_KEYS[:-1]
    assert frame.code("practice_placements").name == "Praksisplasser i introduksjonsprogrammet"
    assert all(c.definition and c.examples for c in frame.codes)
    assert frame.shortcuts() == {"1": DEFAULT_KEYS[0], "2": DEFAULT_KEYS[1], "3": DEFAULT_KEYS[2],
                                 "4": DEFAULT_KEYS[3], "5": DEFAULT_KEYS[4]}


def test_hash_depends_on_keys_not_on_wording(frame):
    reworded = CodeFrame.from_dict({"frame": {"name": "x", "fallback": "other"},
                                    "codes": [{"key": k, "name": "anything"} for k in DEFAULT_KEYS]})
    assert reworded.hash == frame.hash
    fewer = CodeFrame.from_dict({"frame": {"fallback": "other"}, "codes": [{"key": k} for k in DEFAULT_KEYS[1:]]})
    assert fewer.hash != frame.hash


def test_parse_labels_orders_by_frame_and_rejects_unknown(frame):
    assert frame.parse_labels("work_pathways; education_guidance", "row 2") == ["education_guidance", "work_pathways"]
    with pytest.raises(UserError, match="Unknown code 'housing' in data.csv row 7"):
        frame.parse_labels("education_guidance;housing", "data.csv row 7")


def test_fallback_must_stand_alone(frame):
    with pytest.raises(UserError, match="must stand alone"):
        frame.parse_labels("other;work_pathways", "row 3")


def test_single_choice_frame_rejects_two_codes(tmp_path):
    p = write_frame(tmp_path, '[frame]\nname = "sc"\nmulti_label = false\n[[codes]]\nkey = "a"\n[[codes]]\nkey = "b"\n')
    frame = load_codeframe(p)
    assert not frame.multi_label and frame.fallback is None
    with pytest.raises(UserError, match="single-choice"):
        frame.parse_labels("a;b", "row 4")


def test_json_frame_and_custom_shortcuts(tmp_path):
    data = {"frame": {"name": "j", "multi_label": True},
            "codes": [{"key": "x", "shortcut": "q"}, {"key": "y", "shortcut": "w"}]}
    p = write_frame(tmp_path, json.dumps(data), "f.json")
    assert load_codeframe(p).shortcuts() == {"q": "x", "w": "y"}


@pytest.mark.parametrize(
    "text, reason",
    [
        ('[frame]\nname="x"\n', "no"),
        ('[frame]\nfallback="zzz"\n[[codes]]\nkey="a"\n[[codes]]\nkey="b"\n', "fallback"),
        ('[[codes]]\nkey="a"\n[[codes]]\nkey="a"\n', "duplicate"),
        ('[[codes]]\nkey="a;b"\n[[codes]]\nkey="c"\n', ";"),
        ('[[codes]]\nkey="a"\n', "at least two"),
        ("this is = not toml [", "invalid"),
    ],
)
def test_invalid_frames_are_user_errors(tmp_path, text, reason):
    with pytest.raises(UserError, match=reason):
        load_codeframe(write_frame(tmp_path, text))


def test_missing_frame_file(tmp_path):
    with pytest.raises(UserError, match="Code frame not found"):
        load_codeframe(tmp_path / "nope.toml")


def test_split_labels():
    assert split_labels(" a ; b;;a ") == ["a", "b"]
    assert split_labels("") == [] and split_labels(None) == [] and split_labels(float("nan")) == []


def test_infer_codeframe_single_vs_multi():
    single = infer_codeframe([["b"], ["a"], ["b"]])
    assert single.keys == ["a", "b"] and not single.multi_label
    multi = infer_codeframe([["a", "b"], ["a"]])
    assert multi.multi_label and multi.fallback is None


def test_find_frame_for_keys(tmp_path, frame):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "default.toml").write_text(open(frame.source, encoding="utf-8").read(), encoding="utf-8")
    assert find_frame_for_keys({"other", "work_pathways"}, folder).keys == DEFAULT_KEYS
    assert find_frame_for_keys({"housing"}, folder) is None


def test_a_frame_knows_its_previous_versions_keys(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "v2.toml").write_text(
        '[frame]\nname = "v2"\n[frame.previous]\nversion = "1"\nmap = { praksis = ["practice"] }\n'
        '[[codes]]\nkey = "practice"\n[[codes]]\nkey = "other"\n', encoding="utf-8")
    frame = find_frame_for_keys({"praksis", "other"}, folder)
    assert frame is not None and frame.name == "v2"
    assert frame.knows({"practice", "praksis"}) and not frame.knows({"housing"})
