"""Which coding of an answer counts, where coders disagree: the rules `train` and `export` use.

Each coder's latest coding in force is one vote. An adjudication (the final codes a third
person, or the coders together, chose with `adjudicate`) wins over every coder under the
rule 'adjudicated', which is the default as soon as the store holds one; 'latest',
'majority' and 'skip' settle disagreements without looking at adjudications.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .errors import Errors, UserError

RULES = ("adjudicated", "latest", "majority", "skip")


@dataclass
class Disagreement:
    """An answer whose annotators' latest codings differ."""

    answer_hash: str
    text: str
    codings: dict[str, list[str]]  # annotator -> codes
    chosen: list[str] | None = None  # what the rule chose (None: left out)
    final: list[str] | None = None  # the adjudicated codes, when it was adjudicated


@dataclass
class Resolved:
    """The coding that training uses for one answer."""

    answer_hash: str
    text: str
    labels: list[str]
    decision_id: int
    annotators: list[str] = field(default_factory=list)
    adjudicated: bool = False  # the codes are an adjudication's


def default_rule(store, frame_hash: str) -> str:
    """'adjudicated' when any answer under this frame has an adjudication in force, else 'latest'."""
    found = store.conn.execute("SELECT 1 FROM adjudicated WHERE frame_hash = ? LIMIT 1", (frame_hash,)).fetchone()
    return "adjudicated" if found else "latest"


def disagreements(store, frame_hash: str) -> list[Disagreement]:
    """Answers where annotators' latest codings differ (with the adjudicated codes, if any)."""
    final = store.adjudications(frame_hash)
    out = []
    for key, ds in store.codings(frame_hash).items():
        if len({tuple(d.labels) for d in ds}) > 1:
            out.append(Disagreement(key, ds[-1].text, {d.annotator: d.labels for d in ds},
                                    final=final[key].labels if key in final else None))
    return out


def resolve(store, frame_hash: str, rule: str | None = None) -> tuple[list[Resolved], list[Disagreement]]:
    """One coding per answer for training, and the disagreements with what the rule chose.

    adjudicated: an answer's adjudication wins over every coder, other disagreements go to
    the latest coding; latest: the most recent coding wins; majority: the coding most
    annotators chose (ties go to the most recent of the tied); skip: disagreed answers are
    left out. None: 'adjudicated' when there are adjudications, else 'latest'.
    """
    rule = rule or default_rule(store, frame_hash)
    if rule not in RULES:
        raise UserError(Errors.BAD_RULE.format(rule=rule, rules=", ".join(RULES)))
    adjudicated = store.adjudications(frame_hash)
    final = dict(adjudicated) if rule == "adjudicated" else {}
    resolved, found = [], []
    for key, ds in store.codings(frame_hash).items():
        annotators = [d.annotator for d in ds]
        sets = [tuple(d.labels) for d in ds]
        dis = None
        if len(set(sets)) > 1:
            dis = Disagreement(key, ds[-1].text, {d.annotator: d.labels for d in ds},
                               final=adjudicated[key].labels if key in adjudicated else None)
            found.append(dis)
        if key in final:
            a = final.pop(key)
            resolved.append(Resolved(key, a.text, a.labels, a.id, annotators, adjudicated=True))
            if dis is not None:
                dis.chosen = a.labels
            continue
        if dis is None:
            resolved.append(Resolved(key, ds[-1].text, ds[-1].labels, ds[-1].id, annotators))
            continue
        if rule == "skip":
            continue
        if rule in ("latest", "adjudicated"):
            pick = ds[-1]
        else:
            counts = Counter(sets)
            top = max(counts.values())
            pick = [d for d in ds if counts[tuple(d.labels)] == top][-1]  # ds is oldest first
        dis.chosen = pick.labels
        resolved.append(Resolved(key, pick.text, pick.labels, pick.id, annotators))
    for key, a in final.items():  # adjudicated, though no coder's coding is in force any more
        resolved.append(Resolved(key, a.text, a.labels, a.id, [], adjudicated=True))
    return resolved, found
