"""Decisions to and from files: the export log, the resolved coding, JSONL, and imports.

`export` writes the store's decisions as a replayable log (every row, undo rows included)
or as one row per answer with the coding training would use; `import` reads back such a
log, or a coded spreadsheet whose codes an analyst corrected. Each import is written in one
transaction; rows with unknown codes are rejected and named, and importing twice doubles
nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .codeframe import CodeFrame, join_labels, split_labels
from .errors import Errors, UserError
from .preprocess import answer_hash, is_non_answer
from .store import ACTIONS, CODING_ACTIONS, AnnotationStore, default_annotator
from .tables import atomic_path, check_output, unguard_formula, write_table

EXPORT_SUFFIXES = (".csv", ".xlsx", ".jsonl")
LOG_COLUMNS = ("answer_hash", "text", "labels", "action", "annotator", "created", "frame_hash")


def export_log(store: AnnotationStore, frame_hash: str | None = None) -> list[dict]:
    """Every decision row (undo rows included), oldest first: the full, replayable log."""
    return [d.as_record() for d in store.decisions(frame_hash)]


def export_resolved(store: AnnotationStore, frame_hash: str, rule: str | None = None) -> list[dict]:
    """One row per answer with the coding training would use: `text` and `labels` columns
    (`rule` None: the adjudicated codes where there are any, else the latest)."""
    resolved, disagreements = store.resolve(frame_hash, rule)
    disputed = {d.answer_hash for d in disagreements}
    return [{"text": r.text, "labels": join_labels(r.labels), "answer_hash": r.answer_hash,
             "annotators": join_labels(sorted(set(r.annotators))), "disagreement": r.answer_hash in disputed,
             "decision_id": r.decision_id, "frame_hash": frame_hash} for r in resolved]


def write_records(records: list[dict], out: str | Path, columns=None, inputs=()) -> Path:
    """Write records as CSV or XLSX (tables.write_table) or JSONL, atomically; never over
    one of `inputs` (tables.check_output)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise UserError(Errors.EXPORT_FORMAT.format(path=out, suffix=out.suffix or "(none)"))
    check_output(out, inputs, suffixes=EXPORT_SUFFIXES)
    if suffix == ".jsonl":
        with atomic_path(out) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                for rec in records:
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return out
    df = pd.DataFrame(records, columns=list(columns) if columns else None)
    return write_table(df.astype(object).where(df.notna(), ""), out, delimiter=";")


def read_jsonl(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(Errors.IMPORT_BAD_JSONL.format(path=path, line=n, reason=e.msg)) from None
        if not isinstance(rec, dict):
            raise UserError(Errors.IMPORT_BAD_JSONL.format(path=path, line=n, reason=Errors.JSONL_NOT_OBJECT))
        out.append(rec)
    return out


def is_log(columns) -> bool:
    """Whether a table is an exported decision log (rather than a coded survey file)."""
    return set(LOG_COLUMNS) <= {str(c) for c in columns}


@dataclass
class ImportResult:
    imported: int = 0
    corrections: int = 0
    accepted: int = 0
    unchanged: int = 0  # rows whose codes are the model's own (not imported without include_unchanged)
    already: int = 0  # the same coding is already in the store
    uncoded: int = 0  # empty answers or empty codes
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, why)


def import_coded_rows(store: AnnotationStore, texts, label_cells, frame: CodeFrame, *, source: str,
                      annotator: str, ids=None, suggested=None, include_unchanged: bool = False,
                      model_version: str = "", first_row: int = 2) -> ImportResult:
    """Codes an analyst set in a spreadsheet -> decisions, all in one transaction.

    A row with an unknown code (or a bad combination) is rejected and named; the others
    are imported. Rows whose codes equal the model's (`suggested`, when known) are left
    out unless `include_unchanged`. Rows with the same normalised answer become one
    decision; if they are coded differently, they are rejected together.
    """
    res = ImportResult()
    groups: dict[str, dict] = {}
    at_row = Errors.AT_ROW
    for i, (text, cell) in enumerate(zip(texts, label_cells)):
        where = at_row.format(path=source, row=i + first_row)
        if is_non_answer(text) or not split_labels(cell):
            res.uncoded += 1
            continue
        try:
            labels = frame.parse_labels(cell, where)
        except UserError as e:
            res.rejected.append((where, str(e)))
            continue
        sug = list(suggested[i]) if suggested is not None and suggested[i] is not None else None
        if sug is not None and labels == [k for k in frame.keys if k in sug] and not include_unchanged:
            res.unchanged += 1
            continue
        key = answer_hash(text)
        g = groups.setdefault(key, {"text": str(text).strip(), "rows": [], "ids": [], "labels": set(),
                                    "suggested": sug})
        g["rows"].append(i + first_row)
        g["ids"].append(str(ids[i]) if ids is not None else str(i + first_row))
        g["labels"].add(tuple(labels))
    records = []
    for key, g in groups.items():
        if len(g["labels"]) > 1:
            rows = ", ".join(map(str, g["rows"]))
            res.rejected.append((f"{source} rows {rows}", Errors.IMPORT_CONFLICT.format(path=source, rows=rows)))
            continue
        labels = list(next(iter(g["labels"])))
        prev = store.latest_for(key, frame.hash, annotator)
        if prev is not None and prev.action in CODING_ACTIONS and prev.labels == labels:
            res.already += 1
            continue
        sug = g["suggested"]
        action = "accept" if sug is not None and labels == [k for k in frame.keys if k in sug] else "correct"
        records.append(dict(text=g["text"], labels=labels, action=action, frame=frame, source=source,
                            row_ids=g["ids"], n_rows=len(g["rows"]), annotator=annotator, model=model_version,
                            suggested=sug or [], key=key))
        res.corrections += action == "correct"
        res.accepted += action == "accept"
    store.register_frame(frame)
    store.add_many(records)
    res.imported = len(records)
    return res


def import_log(store: AnnotationStore, records: list[dict], source: str, frame: CodeFrame | None = None) -> ImportResult:
    """Replay an exported decision log into this store (rows already here are not doubled).

    Undo rows are re-pointed at the imported copies of what they undo. Codes are checked
    against `frame` (or the store's copy of the row's frame) when one is known.
    """
    res = ImportResult()
    new_ids: dict[int, int] = {}
    todo = []
    frames: dict[str, CodeFrame | None] = {}  # frame hash -> the store's copy, parsed once
    for n, rec in enumerate(records, start=1):
        where = Errors.AT_RECORD.format(path=source, n=n)
        rec = {k: ("" if v is None or (isinstance(v, float) and v != v) else v) for k, v in rec.items()}
        text = unguard_formula(str(rec.get("text", "")))
        action = str(rec.get("action", "")).strip()
        if action not in ACTIONS:
            res.rejected.append((where, Errors.IMPORT_UNKNOWN_ACTION.format(action=action)))
            continue
        frame_hash = str(rec.get("frame_hash", "")).strip()
        if frame is not None and frame.hash == frame_hash:
            check = frame
        else:
            if frame_hash not in frames:
                frames[frame_hash] = store.frame(frame_hash)
            check = frames[frame_hash]
        try:
            labels = check.parse_labels(rec.get("labels", ""), where) if check else split_labels(rec.get("labels"))
        except UserError as e:
            res.rejected.append((where, str(e)))
            continue
        key = str(rec.get("answer_hash") or answer_hash(text))
        flat = {"answer_hash": key, "annotator": str(rec.get("annotator", "")), "created": str(rec.get("created", "")),
                "action": action, "labels": join_labels(labels), "frame_hash": frame_hash}
        old_id = _int(rec.get("id"))
        same = store.find_same(flat)
        if same is not None:
            res.already += 1
            if old_id is not None:
                new_ids[old_id] = same
            continue
        todo.append((old_id, dict(
            text=text, labels=labels, action=action, frame_hash=frame_hash, frame_name=str(rec.get("frame_name", "")),
            source=str(rec.get("source", "")), row_ids=str(rec.get("row_ids", "")), n_rows=_int(rec.get("n_rows")) or 1,
            annotator=flat["annotator"] or default_annotator(), model=str(rec.get("model", "")),
            suggested=split_labels(rec.get("suggested")), session=str(rec.get("session", "")),
            created=flat["created"] or None, key=key), _int(rec.get("undoes"))))
    with store.transaction():
        for old_id, kwargs, undoes in todo:
            if kwargs["action"] == "undo":
                target = new_ids.get(undoes) if undoes is not None else None
                if target is None:
                    res.rejected.append((f"{source} decision {old_id}", Errors.IMPORT_UNDO_MISSING))
                    continue
                kwargs["undoes"] = target
            new = store.insert(**kwargs)
            if old_id is not None:
                new_ids[old_id] = new
            res.imported += 1
            res.corrections += kwargs["action"] == "correct"
            res.accepted += kwargs["action"] == "accept"
    return res


def _int(v) -> int | None:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None
