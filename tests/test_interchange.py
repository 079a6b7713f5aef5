"""Decisions to and from files: the replayable log and the resolved coding in CSV, XLSX and
JSONL, imports of corrected spreadsheets and of logs, and outputs never written over inputs."""

from __future__ import annotations

import json

import pytest

from classifier.errors import UserError
from classifier.interchange import (
    export_log,
    export_resolved,
    import_coded_rows,
    import_log,
    read_jsonl,
    write_records,
)
from classifier.store import AnnotationStore
from classifier.tables import read_table


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(tmp_path / "annotations.sqlite")
    yield s
    s.close()


def add(store, frame, text, labels, action="correct", annotator="kari", source="survey.csv"):
    return store.add(text=text, labels=labels, action=action, frame=frame, source=source, annotator=annotator)


def test_log_export_and_import_round_trip(store, frame, tmp_path):
    add(store, frame, "- praksis\n- bolig", ["practice_placements"], "correct")  # looks like a formula to Excel
    add(store, frame, "Språkpraksis, ærlig talt", ["practice_placements"], "accept")
    add(store, frame, "Vet ikke", [], "skip")
    store.undo_last("kari", frame.hash, "survey.csv")
    records = export_log(store)
    for suffix in (".jsonl", ".csv", ".xlsx"):
        out = write_records(records, tmp_path / f"log{suffix}", None if suffix == ".jsonl" else list(records[0]))
        back = read_jsonl(out) if suffix == ".jsonl" else read_table(out).frame.to_dict("records")
        with AnnotationStore(tmp_path / f"copy{suffix}.sqlite") as copy:
            res = import_log(copy, back, out.name, frame)
            assert res.imported == 4 and not res.rejected
            got = [(d.text, d.labels, d.action, d.annotator, d.created) for d in copy.decisions()]
            assert got == [(d.text, d.labels, d.action, d.annotator, d.created) for d in store.decisions()]
            assert copy.decisions()[-1].undoes == copy.decisions()[-2].id
            assert copy.latest(frame.hash)[0].text == "- praksis\n- bolig"
            again = import_log(copy, back, out.name, frame)  # importing twice doubles nothing
            assert again.imported == 0 and again.already == 4 and copy.count() == 4


def test_resolved_export_is_training_data(store, frame, tmp_path):
    add(store, frame, "Bolig", ["other"], annotator="anna")
    add(store, frame, "Bolig", ["employer_cooperation"], annotator="per")
    add(store, frame, "Praksis", ["practice_placements"])
    rows = export_resolved(store, frame.hash)
    assert {(r["text"], r["labels"], r["disagreement"]) for r in rows} == {
        ("Bolig", "employer_cooperation", True), ("Praksis", "practice_placements", False)}
    # Once adjudicated, the final codes are what training uses; the log carries them to another store.
    add(store, frame, "Bolig", ["other"], action="adjudicate", annotator="lise", source="adjudication")
    rows = export_resolved(store, frame.hash)
    assert {(r["text"], r["labels"]) for r in rows} == {("Bolig", "other"), ("Praksis", "practice_placements")}
    log = write_records(export_log(store), tmp_path / "log.jsonl")
    with AnnotationStore(tmp_path / "copy.sqlite") as copy:
        assert import_log(copy, read_jsonl(log), log.name, frame).imported == 4
        assert [d.labels for d in copy.adjudications(frame.hash).values()] == [["other"]]


def test_import_rejects_unknown_codes_by_row_and_keeps_the_rest(store, frame):
    texts = ["Bolig", "Praksisplasser", "NOKUT", "-", "Mentor", "mentor!"]
    cells = ["other", "practice_placement", "education_guidance;other", "", "employer_cooperation",
             "employer_cooperation"]
    res = import_coded_rows(store, texts, cells, frame, source="fixed.xlsx", annotator="kari")
    assert res.imported == 2 and res.uncoded == 1
    assert [w for w, _ in res.rejected] == ["fixed.xlsx row 3", "fixed.xlsx row 4"]
    assert "practice_placement" in res.rejected[0][1]
    rows = store.decisions()
    assert [(r.text, r.labels, r.n_rows) for r in rows] == [("Bolig", ["other"], 1), ("Mentor", ["employer_cooperation"], 2)]
    assert rows[1].row_ids == "6;7"
    again = import_coded_rows(store, texts, cells, frame, source="fixed.xlsx", annotator="kari")
    assert again.imported == 0 and again.already == 2


def test_import_leaves_out_rows_still_coded_as_the_model_had_them(store, frame):
    texts = ["Bolig", "Praksis", "Kurs", "kurs", "Mentor", "mentor"]
    cells = ["other", "employer_cooperation", "work_pathways", "education_guidance", "other",
             "employer_cooperation"]
    suggested = [["other"], ["practice_placements"], ["work_pathways"], ["work_pathways"],
                 ["work_pathways"], ["work_pathways"]]
    res = import_coded_rows(store, texts, cells, frame, source="p.csv", annotator="kari", suggested=suggested)
    assert res.unchanged == 2 and res.imported == 2 and res.corrections == 2
    # "Mentor"/"mentor" are one answer, corrected two ways: rejected together, named by row.
    assert res.rejected == [("p.csv rows 6, 7", res.rejected[0][1])] and "rows 6, 7" in res.rejected[0][1]
    got = [(d.text, d.labels, d.action, d.suggested) for d in store.decisions()]
    assert got == [("Praksis", ["employer_cooperation"], "correct", ["practice_placements"]),
                   ("kurs", ["education_guidance"], "correct", ["work_pathways"])]


def test_jsonl_with_a_bad_line_is_named(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"a": 1}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(UserError, match="line 2"):
        read_jsonl(p)


def test_records_are_never_written_over_an_input(store, frame, tmp_path):
    add(store, frame, "Bolig", ["other"])
    records = export_log(store)
    for suffix in (".jsonl", ".csv", ".xlsx"):
        source = tmp_path / f"in{suffix}"
        source.write_text("the input", encoding="utf-8")
        with pytest.raises(UserError, match="is the input file"):
            write_records(records, source, inputs=[source])
        assert source.read_text(encoding="utf-8") == "the input"
    with pytest.raises(UserError, match="does not exist"):
        write_records(records, tmp_path / "missing" / "log.jsonl")
    with pytest.raises(UserError, match="jsonl"):
        write_records(records, tmp_path / "log.sav")


def test_importing_a_log_reads_each_code_frame_once(store, frame, tmp_path, monkeypatch):
    for i in range(5):
        add(store, frame, f"Svar {i}", ["other"], annotator=f"a{i}")
    records = export_log(store)
    with AnnotationStore(tmp_path / "copy.sqlite") as copy:
        copy.register_frame(frame)
        calls = []
        real = AnnotationStore.frame
        monkeypatch.setattr(AnnotationStore, "frame", lambda self, h: calls.append(h) or real(self, h))
        res = import_log(copy, records, "log.jsonl")  # no frame given: the store's copy checks the codes
        bad = import_log(copy, [{**records[0], "labels": "no_such_code", "created": "x"}], "log.jsonl")
    assert res.imported == 5 and not res.rejected
    assert calls == [frame.hash, frame.hash]  # once per import, not once per record
    assert "no_such_code" in bad.rejected[0][1]
