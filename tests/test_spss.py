"""SPSS .sav output: one 0/1 variable per code, labels kept, names valid; read back with pyreadstat."""

import datetime as dt
import time

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from classifier.errors import UserError
from classifier.spss import MENTIONED, SAV_CREATED, spss_name, write_sav
from classifier.tables import read_table, write_table


def coded(frame) -> pd.DataFrame:
    keys = frame.keys
    df = pd.DataFrame({
        "respondent_id": ["0301", "1103", "5001", "1804"],
        "Kommune navn": ["Oslo", "Stavanger", "Trondheim", "Bodø"],
        "innbyggere": ["709000", "144000", "212000", "52000"],
        "svar": ["Praksisplasser og mentorer", "-", "=SUM(A1:A2) fagbrev", "Bolig"],
        "labels": [f"{keys[2]};{keys[1]}", "", keys[0], frame.fallback or keys[-1]],
        "confidence": [0.97, None, 0.41, 0.99],
        "needs_review": ["false", "false", "true", "false"],
    })
    for j, k in enumerate(keys):
        df[f"p_{k}"] = [0.1 * (j + 1), None, 0.2, 0.05]
    return df


def test_round_trip_keeps_codes_labels_and_ids(frame, tmp_path):
    df = coded(frame)
    path = tmp_path / "coded.sav"
    names = write_sav(df, path, frame=frame)
    data, meta = pyreadstat.read_sav(str(path))
    labels = meta.column_names_to_labels
    for code in frame.codes:
        var = names[code.key]
        assert labels[var] == code.name
        assert meta.variable_value_labels[var] == MENTIONED == {0.0: "Ikke nevnt", 1.0: "Nevnt"}
        expected = [1.0 if code.key in cell.split(";") else 0.0 for cell in df["labels"]]
        expected[1] = np.nan  # the empty answer has no codes at all: system-missing
        np.testing.assert_array_equal(data[var].to_numpy(dtype=float), np.array(expected))
    assert data["respondent_id"].tolist() == ["0301", "1103", "5001", "1804"]  # text: leading zeros kept
    assert data["innbyggere"].tolist() == [709000.0, 144000.0, 212000.0, 52000.0]  # numbers stay numbers
    assert data["svar"].tolist() == df["svar"].tolist()
    assert data["confidence"].tolist()[0] == pytest.approx(0.97) and np.isnan(data["confidence"][1])
    assert data["needs_review"].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert meta.variable_value_labels["needs_review"] == {0.0: "Nei", 1.0: "Ja"}
    assert labels["p_" + frame.keys[0]].endswith(frame.codes[0].name)
    assert data["labels"].tolist() == df["labels"].tolist()
    # The renamed column is valid in SPSS, keeps its name as label, and the rename is noted.
    assert names["Kommune navn"] == "Kommune_navn"
    assert labels["Kommune_navn"] == "Kommune navn"
    assert any("Kommune navn -> Kommune_navn" in n for n in meta.notes)
    assert frame.name in meta.file_label


def test_read_table_keeps_variable_labels(frame, tmp_path):
    path = tmp_path / "coded.sav"
    write_sav(coded(frame), path, frame=frame)
    table = read_table(path)
    assert table.column_labels[frame.keys[0]] == frame.codes[0].name
    assert table.frame["respondent_id"].tolist() == ["0301", "1103", "5001", "1804"]
    assert table.frame["innbyggere"].tolist() == ["709000", "144000", "212000", "52000"]


def test_write_table_passes_the_frame_and_input_labels(frame, tmp_path):
    out = tmp_path / "out.sav"
    write_table(coded(frame), out, sav_options={"frame": frame, "column_labels": {"svar": "Hvilke tjenester ...?"}})
    _, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names_to_labels["svar"] == "Hvilke tjenester ...?"
    assert meta.column_names_to_labels[frame.keys[1]] == frame.codes[1].name
    assert not list(tmp_path.glob(".*.part"))


def test_without_a_frame_the_codes_come_from_the_probability_columns(frame, tmp_path):
    path = tmp_path / "coded.sav"
    names = write_sav(coded(frame), path)
    data, meta = pyreadstat.read_sav(str(path))
    for k in frame.keys:
        assert meta.variable_value_labels[names[k]] == MENTIONED
        assert meta.column_names_to_labels[names[k]] == k


def test_an_input_column_named_like_a_code_keeps_both(frame, tmp_path):
    df = coded(frame)
    df.insert(0, frame.keys[0], ["x", "y", "z", "w"])
    names = write_sav(df, tmp_path / "c.sav", frame=frame)
    data, _ = pyreadstat.read_sav(str(tmp_path / "c.sav"))
    assert data[names[frame.keys[0]]].tolist() == ["x", "y", "z", "w"]
    assert set(data[names[f"{frame.keys[0]}_code"]].dropna()) <= {0.0, 1.0}


@pytest.mark.parametrize("name,expected", [
    ("svar", "svar"), ("år", "aar"), ("Kommune navn", "Kommune_navn"), ("2020_svar", "v_2020_svar"),
    ("BY", "v_BY"), ("with", "v_with"), ("p.1.", "p.1"), ("", "v"), ("størrelse (innb.)", "stoerrelse_innb"),
])
def test_spss_names_are_valid(name, expected):
    assert spss_name(name, set()) == expected


def test_spss_names_are_unique_ignoring_case_and_at_most_64_bytes():
    taken: set[str] = set()
    got = [spss_name(n, taken) for n in ["Svar", "svar", "SVAR", "x" * 80, "x" * 80]]
    assert got[:3] == ["Svar", "svar_2", "SVAR_3"]
    assert all(len(n.encode()) <= 64 for n in got)
    assert len({n.upper() for n in got}) == len(got)


def survey_sav(path):
    """A .sav as a survey tool writes it: value labels, user-missing values, measures, formats,
    a date, non-ASCII names, variable labels and a file label."""
    df = pd.DataFrame({
        "Kjønn": [1.0, 2.0, 99.0, 1.0],
        "svar": ["Praksisplasser", "Bolig og tolk", "NA", "Mentorordning"],
        "dato": [dt.date(2020, 3, 1), dt.date(2020, 3, 2), None, dt.date(2020, 3, 4)],
        "innbyggere": [709000.0, 144000.0, 212000.5, 52000.0],
        "år": [2020.0] * 4,
    })
    pyreadstat.write_sav(
        df, str(path), file_label="Kommuneundersøkelsen 2020",
        column_labels={"svar": "Hvilke tjenester har kommunen behov for?", "Kjønn": "Kjønn på den som svarer"},
        variable_value_labels={"Kjønn": {1.0: "Mann", 2.0: "Kvinne", 99.0: "Vet ikke"}, "svar": {"NA": "Ikke svart"}},
        missing_ranges={"Kjønn": [99.0], "svar": ["NA"]}, variable_measure={"Kjønn": "nominal", "innbyggere": "scale"},
        variable_format={"innbyggere": "F10.1"},
    )
    return path


def coded_from(table, frame):
    out = table.frame.copy()
    keys = frame.keys
    out["labels"] = [keys[2], keys[0], "", frame.fallback or keys[-1]]
    out["confidence"] = [0.97, 0.41, None, 0.99]
    out["needs_review"] = ["false", "true", "false", "false"]
    for j, k in enumerate(keys):
        out[f"p_{k}"] = [0.1 * (j + 1), 0.2, None, 0.05]
    return out


def test_sav_out_from_sav_in_keeps_values_and_metadata(frame, tmp_path):
    src = survey_sav(tmp_path / "in.sav")
    table = read_table(src)
    assert table.frame["svar"].tolist()[2] == ""  # a user-missing answer is no answer to code
    assert table.frame["Kjønn"].tolist() == ["1", "2", "", "1"]
    out = write_table(coded_from(table, frame), tmp_path / "out.sav", sav_options={"frame": frame}, source=table)
    before_data, before = pyreadstat.read_sav(str(src), user_missing=True)
    data, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert meta.file_label == "Kommuneundersøkelsen 2020"
    assert meta.column_names[:5] == ["Kjønn", "svar", "dato", "innbyggere", "år"]  # valid names kept as they are
    for var in before.column_names:
        assert meta.column_names_to_labels[var] == before.column_names_to_labels[var]
        assert meta.original_variable_types[var] == before.original_variable_types[var]
        assert data[var].tolist() == before_data[var].tolist() or var == "dato"
    assert data["dato"].tolist()[:2] == [dt.date(2020, 3, 1), dt.date(2020, 3, 2)]  # dates stay dates
    assert meta.variable_value_labels["Kjønn"] == {1.0: "Mann", 2.0: "Kvinne", 99.0: "Vet ikke"}
    assert meta.variable_value_labels["svar"] == {"NA": "Ikke svart"}
    assert meta.missing_ranges["Kjønn"] == [{"lo": 99.0, "hi": 99.0}]
    assert meta.missing_ranges["svar"] == [{"lo": "NA", "hi": "NA"}]
    assert data["Kjønn"].tolist()[2] == 99.0 and data["svar"].tolist()[2] == "NA"  # user-missing values kept
    assert meta.variable_measure["Kjønn"] == "nominal" and meta.variable_measure["innbyggere"] == "scale"
    assert meta.original_variable_types["innbyggere"] == "F10.1"
    assert meta.column_names_to_labels[frame.keys[0]] == frame.codes[0].name


def test_renames_are_recorded_without_overflowing_the_notes(frame, tmp_path):
    long_name = "Q12a Hvilke tjenester har kommunen særskilt behov for når det gjelder kvalifisering av flyktninger?"
    df = coded(frame).rename(columns={"svar": "Åpent svar", "innbyggere": "Fylke navn"})
    df.insert(1, long_name, ["a", "b", "c", "d"])
    names = write_sav(df, tmp_path / "c.sav", frame=frame)
    _, meta = pyreadstat.read_sav(str(tmp_path / "c.sav"))
    assert names["Åpent svar"] == "AApent_svar" and names["Fylke navn"] == "Fylke_navn"
    assert meta.column_names_to_labels["AApent_svar"] == "Åpent svar"
    assert meta.column_names_to_labels[names[long_name]] == long_name  # the whole name, in the label
    assert all(len(n.encode()) <= 80 for n in meta.notes)
    assert "Kommune navn -> Kommune_navn" in meta.notes and "Fylke navn -> Fylke_navn" in meta.notes


def test_same_table_same_sav_bytes_across_seconds(frame, tmp_path):
    df = coded(frame)
    a, b = tmp_path / "a.sav", tmp_path / "b.sav"
    write_sav(df, a, frame=frame)
    second = int(time.time())
    while int(time.time()) == second:  # readstat stamps the clock's second into the header
        time.sleep(0.05)
    write_sav(df, b, frame=frame)
    assert a.read_bytes()[92:109] == SAV_CREATED
    assert a.read_bytes() == b.read_bytes()


def test_a_sav_error_names_the_output_not_the_temporary_file(frame, tmp_path, monkeypatch):
    def refuse(*a, **k):
        raise RuntimeError("cannot store this")

    monkeypatch.setattr(pyreadstat, "write_sav", refuse)
    with pytest.raises(UserError, match=r"Cannot write .*out\.sav as an SPSS file: cannot store this") as e:
        write_table(coded(frame), tmp_path / "out.sav", sav_options={"frame": frame})
    assert ".part" not in str(e.value)
    assert list(tmp_path.iterdir()) == []
