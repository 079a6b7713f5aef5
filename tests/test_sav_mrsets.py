"""SPSS multiple-response sets: each question's 0/1 variables grouped, read back by ReadStat."""

import pandas as pd
import pyreadstat
import pytest

from classifier.sav_mrsets import MultipleResponseSet, SavLayoutError, add_mrsets, mrsets_record
from classifier.spss import write_sav


def coded(frame, keys_prefixes):
    df = pd.DataFrame({"Kommune navn": ["Oslo", "Bodø", "Lom"], "svar": ["Praksis", "Mentor og kurs", ""]})
    keys = frame.keys
    for prefix in keys_prefixes:
        df[f"{prefix}labels"] = [keys[0], f"{keys[1]};{keys[2]}", ""]
        df[f"{prefix}confidence"] = [0.9, 0.4, None]
        df[f"{prefix}needs_review"] = ["false", "true", "false"]
        for k in keys:
            df[f"{prefix}p_{k}"] = [0.1, 0.2, None]
    return df


def test_each_question_is_a_dichotomy_set_of_its_code_variables(frame, tmp_path):
    path = tmp_path / "c.sav"
    long_key = "tiltak_som_har_fungert_best_i_kommunen"  # long names: the record names the short ones
    names = write_sav(coded(frame, ["tjenester_", f"{long_key}_"]), path,
                      questions=[("tjenester", frame, "Hvilke tjenester har kommunen særskilt behov for?"),
                                 (long_key, frame)])
    data, meta = pyreadstat.read_sav(str(path))
    sets = meta.mr_sets
    assert set(sets) == {"tjenester", long_key}
    t = sets["tjenester"]
    assert t["is_dichotomy"] and t["counted_value"] == 1
    assert t["label"] == "Hvilke tjenester har kommunen særskilt behov for?"
    assert t["variable_list"] == [names[f"tjenester_{k}"] for k in frame.keys]
    assert sets[long_key]["label"] == frame.question  # no label given: the frame's question
    assert sets[long_key]["variable_list"] == [names[f"{long_key}_{k}"] for k in frame.keys]
    assert data[names[f"tjenester_{frame.keys[1]}"]].tolist()[:2] == [0.0, 1.0]
    assert meta.column_names_to_labels[names[f"tjenester_{frame.keys[0]}"]] == frame.codes[0].name
    assert data["svar"].tolist() == ["Praksis", "Mentor og kurs", ""]  # the data after the record is intact


def test_a_file_coded_without_questions_has_one_set(frame, tmp_path):
    path = tmp_path / "c.sav"
    write_sav(coded(frame, [""]), path, frame=frame)
    _, meta = pyreadstat.read_sav(str(path))
    assert list(meta.mr_sets) == ["koder"]
    assert meta.mr_sets["koder"]["variable_list"] == frame.keys


def test_the_record_counts_bytes_not_characters():
    record = mrsets_record([MultipleResponseSet("$q", "Særskilt behov", ["a_x", "a_y"])],
                           {"a_x": "A_X", "a_y": "A_Y"})
    assert record[16:] == "$q=D1 1 15 Særskilt behov a_x a_y\n".encode()
    assert int.from_bytes(record[12:16], "little") == len(record) - 16


def test_a_file_that_is_not_an_uncompressed_system_file_is_left_alone(tmp_path):
    path = tmp_path / "x.sav"
    path.write_bytes(b"not a system file" * 20)
    with pytest.raises(SavLayoutError):
        add_mrsets(path, [MultipleResponseSet("$q", "", ["a"])])
    assert path.read_bytes() == b"not a system file" * 20
