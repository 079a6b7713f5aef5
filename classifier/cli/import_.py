"""`import`: bring corrections made in a spreadsheet, or an exported log, into the store."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..coding import has_probabilities, model_suggestions
from ..errors import Errors, UserError, Warnings
from ..frames import resolve_frame
from ..interchange import import_coded_rows, import_log, is_log, read_jsonl
from ..paths import default_frame_path, models_dir
from ..registry import check_frame, default_model_dir
from ..store import default_annotator
from ..tables import check_input, pick_column, read_table
from ._models import model_version
from ._store import add_store_option, open_store
from ._util import add_command, add_model_options, add_sheet_option, console, load_model_arg, warn

SHOW_REJECTED = 20


def suggestions(df, frame, args):
    """The model's own codes per row of a `predict` output (None if not one, or --all-rows),
    the model's version, and its frame; loads the model that coded the file."""
    if args.all_rows or not has_probabilities(df, frame.keys):
        return None, "", frame
    if args.model is None and default_model_dir(models_dir()) is None:
        raise UserError(Errors.NO_MODELS.format(path=models_dir()))
    loaded, _ = load_model_arg(args)
    check_frame(loaded, frame)
    coder = loaded.coder
    return model_suggestions(df, coder), model_version(loaded), coder.frame


def run(args) -> int:
    """Import codes into the annotation store: spreadsheet corrections, or an exported log.

    A coded file (for example a `predict` output an analyst corrected in Excel): each
    row's codes in --labels-column become a decision by --annotator. In a `predict`
    output, rows whose codes are still the model's own are left out (they were not
    corrected; --all-rows imports them too), which needs the model that coded the file.
    A row with an unknown code is rejected and named; the other rows are imported, and
    importing the same file again does not double them. A file written by `export`
    (CSV, XLSX or JSONL) is replayed as it is.

    Example:
      survey-coder import out/kommuneundersokelsen_2020_coded.xlsx --annotator kari
    """
    path = Path(args.file)
    if path.suffix.lower() == ".jsonl":
        if not path.is_file():
            check_input(path)
        records, columns = read_jsonl(path), None
    else:
        table = read_table(path, sheet=args.sheet, header_row=args.header_row)
        records, columns = None, list(table.frame.columns)
    with open_store(args, create=True) as store:
        if records is not None or is_log(columns):
            if records is None:
                records = table.frame.to_dict("records")
            frame = resolve_frame(args.codeframe)[0] if args.codeframe else None
            result = import_log(store, records, path.name, frame)
            what = "decision log"
        else:
            frame, _ = resolve_frame(args.codeframe or None, default=default_frame_path())
            df = table.frame
            text_col = pick_column(table, args.text_column, "text-column")
            labels_col = pick_column(table, args.labels_column, "labels-column")
            ids = df[pick_column(table, args.id_column, "id-column")].tolist() if args.id_column else None
            suggested, model_version, frame = suggestions(df, frame, args)
            result = import_coded_rows(
                store, df[text_col].tolist(), df[labels_col].tolist(), frame, source=path.name,
                annotator=args.annotator or default_annotator(), ids=ids, suggested=suggested,
                include_unchanged=args.all_rows, model_version=model_version,
            )
            what = "coded file"
    show_result(result, path, store.path, what)
    return 1 if result.rejected else 0


def show_result(result, path: Path, store_path: Path, what: str) -> None:
    console.print(
        f"Imported [bold]{result.imported}[/] decisions from {what} {path} into {store_path} "
        f"({result.corrections} corrections, {result.accepted} accepted as the model had them)."
    )
    notes = []
    if result.unchanged:
        notes.append(f"{result.unchanged} rows still have the model's codes (not corrected; --all-rows imports them)")
    if result.already:
        notes.append(f"{result.already} already in the store")
    if result.uncoded:
        notes.append(f"{result.uncoded} rows without an answer or without codes")
    if notes:
        console.print("Left out: " + "; ".join(notes) + ".")
    if result.rejected:
        table = Table(title="Rejected rows", title_justify="left")
        table.add_column("where", no_wrap=True)
        table.add_column("why")
        for where, why in result.rejected[:SHOW_REJECTED]:
            table.add_row(where, why)
        if len(result.rejected) > SHOW_REJECTED:
            table.add_row("…", f"and {len(result.rejected) - SHOW_REJECTED} more")
        console.print(table)
        warn(Warnings.IMPORT_REJECTED.format(n=len(result.rejected), path=path))


def register(sub) -> None:
    p = add_command(sub, "import", run)
    p.add_argument("file", metavar="FILE", help="coded .csv/.xlsx (e.g. a corrected `predict` output) or an `export` file")
    add_store_option(p)
    p.add_argument("--codeframe", metavar="FILE", help="code frame of the codes (default: labels/imdi_kvalifisering.toml)")
    p.add_argument("--text-column", metavar="COL", help="column with the answers (default: the column with the longest texts)")
    p.add_argument("--labels-column", default="labels", metavar="COL", help="column with the codes (default: labels)")
    p.add_argument("--id-column", metavar="COL", help="respondent id column, kept with each decision")
    p.add_argument("--annotator", metavar="NAME", help="who made the corrections (default: login name)")
    add_model_options(p, help="the model that coded the file (default: the default model)")
    p.add_argument("--all-rows", action="store_true", help="also import rows whose codes are still the model's")
    add_sheet_option(p)
