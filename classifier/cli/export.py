"""`export`: write the annotation store's decisions to CSV, XLSX or JSONL."""

from __future__ import annotations

from pathlib import Path

from ..frames import resolve_frame, resolve_store_frame
from ..interchange import export_log, export_resolved, write_records
from ..store import COLUMNS, RULES
from ._store import add_store_option, open_store
from ._util import add_command, console


def run(args) -> int:
    """Write the decisions in the annotation store to a CSV, XLSX or JSONL file.

    By default every decision row is written (accept, correct, skip, undo; who, when,
    which model and code frame), oldest first: a log to keep under version control or to
    share, which `import` reads back. With --latest, one row per answer with the codes
    training would use (columns text and labels, usable as training data).

    Example:
      survey-coder export --out decisions.jsonl
      survey-coder export --latest --out training_data/reviewed.csv
    """
    out = Path(args.out)
    with open_store(args) as store:
        if args.latest:
            frame_hash, _, _ = resolve_store_frame(store, args.codeframe or None)
            records = export_resolved(store, frame_hash, args.disagreement)
            columns = None
        else:
            frame_hash = resolve_frame(args.codeframe)[0].hash if args.codeframe else None
            records = export_log(store, frame_hash)
            columns = COLUMNS
    write_records(records, out, columns, inputs=[store.path])
    what = "answers" if args.latest else "decisions"
    console.print(f"Wrote [bold]{len(records)}[/] {what} from {store.path} to [bold]{out}[/].")
    return 0


def register(sub) -> None:
    p = add_command(sub, "export", run)
    p.add_argument("--out", required=True, metavar="FILE", help="output: .csv, .xlsx or .jsonl")
    add_store_option(p)
    p.add_argument("--latest", action="store_true", help="one row per answer with the codes training would use")
    p.add_argument("--codeframe", metavar="FILE", help="only decisions made with this code frame")
    p.add_argument("--disagreement", choices=RULES, default=None,
                   help="with --latest: which coding wins where annotators disagree (default: the adjudicated codes "
                        "when there are adjudications, else the latest)")
