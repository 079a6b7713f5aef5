"""Adjudication: the disagreements, both codings on screen, final codes as their own decision
that training prefers, undo, and the coders' codings left alone."""

from __future__ import annotations

from classifier.adjudication import AdjudicationSession
from classifier.agreement import agreement
from classifier.preprocess import answer_hash
from classifier.store import AnnotationStore


def code(store, frame, who, text, labels):
    store.add(text=text, labels=labels, action="correct", frame=frame, source="s.csv", annotator=who)


def test_adjudicating_the_disagreements(tmp_path, frame):
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        code(store, frame, "anna", "Mentor på jobben", ["employer_cooperation", "work_pathways"])
        code(store, frame, "per", "Mentor på jobben", ["employer_cooperation"])
        code(store, frame, "anna", "Bolig", ["other"])
        code(store, frame, "per", "Bolig", ["other"])  # agreed: not to adjudicate
        code(store, frame, "anna", "Kurs", ["work_pathways"])
        code(store, frame, "per", "Kurs", ["education_guidance"])
        s = AdjudicationSession(store, frame, annotator="lise")
        screen = s.current()
        assert s.progress().total == 2 and screen.item.text == "Mentor på jobben"
        assert screen.codings == {"anna": ["employer_cooperation", "work_pathways"], "per": ["employer_cooperation"]}
        assert screen.selected == ["employer_cooperation"]  # what both chose, to start with
        assert screen.suggested == [] and screen.previous is None
        assert s.accept().ok  # lise agrees with per
        assert s.current().selected == [] and s.current().item.text == "Kurs"
        assert s.skip().ok and s.current() is None and store.count("skip") == 0  # left for later: nothing written
        rows = store.decisions()
        assert (rows[-1].action, rows[-1].annotator, rows[-1].labels) == ("adjudicate", "lise", ["employer_cooperation"])

        resolved, dis = store.resolve(frame.hash)  # default: adjudicated, as there is one
        by = {r.answer_hash: r for r in resolved}
        mentor, kurs = answer_hash("Mentor på jobben"), answer_hash("Kurs")
        assert by[mentor].labels == ["employer_cooperation"] and by[mentor].adjudicated
        assert by[kurs].labels == ["education_guidance"] and not by[kurs].adjudicated  # not yet: the latest
        latest = {r.answer_hash: r.labels for r in store.resolve(frame.hash, "latest")[0]}
        assert latest[mentor] == ["employer_cooperation"]  # per's, the latest coding
        assert {d.answer_hash: d.final for d in dis} == {mentor: ["employer_cooperation"], kurs: None}
        # Agreement still compares the coders' own codings.
        rep = agreement(store, frame)
        assert rep.annotators == ["anna", "per"] and len(rep.disagreements) == 2

        s2 = AdjudicationSession(store, frame, annotator="lise")  # a restart: only Kurs is left
        assert s2.current().item.text == "Kurs" and s2.progress().done == 1
        out = s2.undo()  # takes back the adjudication: Mentor is open again, with nothing in force
        assert out.ok and s2.current().item.text == "Mentor på jobben" and s2.current().previous is None
        assert store.adjudications(frame.hash) == {} and store.resolve(frame.hash)[0][0].adjudicated is False
