"""What every command shares: the consoles, the error handler, progress bars, tables."""

from __future__ import annotations

import argparse
import inspect
import os
import re
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import i18n, paths
from ..codeframe import load_codeframe
from ..errors import Notes, UserError
from ..i18n import N_, tr
from ..project import read_language
from ..registry import check_frame, load_model

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def how_run() -> list[str]:
    """How the user started this tool: the `survey-coder` script, or `python cli.py` from the
    repository (the interpreter as a path when it is inside the current folder, such as
    .venv/bin/python); with the project named by --project."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "cli.py":
        exe = Path(sys.executable)
        inside = exe.is_absolute() and exe.is_relative_to(Path.cwd())
        start = [os.path.relpath(exe) if inside else "python", argv0]
    else:
        start = ["survey-coder"]
    chosen = paths.chosen_project()
    return [*start, "--project", str(chosen)] if chosen is not None else start


def command(*args) -> str:
    """A command line to show in a hint, as the user would type it (names with spaces quoted)."""
    return shlex.join([*how_run(), *(str(a) for a in args)])


_QUOTED_COMMAND = re.compile(r"(['«])survey-coder ")
_EXAMPLE = re.compile(r"^( +)survey-coder ", re.M)  # an example line of a command's --help


def as_run(message: str) -> str:
    """A message whose quoted commands ('survey-coder train') say how this tool was started."""
    start = shlex.join(how_run())
    return message if start == "survey-coder" else _QUOTED_COMMAND.sub(lambda m: f"{m.group(1)}{start} ", message)


ERROR, WARNING = N_("Error:"), N_("Warning:")
INTERRUPTED = (N_("Interrupted."), N_("Nothing half-written was left behind."))


def chosen_language(args) -> str:
    """The language of this run: --lang, else `language` in the project's survey-coder.toml, else English."""
    if getattr(args, "lang", None):
        return args.lang
    try:
        folder, _ = paths.locate_project()
    except UserError:  # a --project that does not exist: the command says so
        folder = None
    return read_language(folder) or i18n.SOURCE


def run_command(func, args) -> int:
    """Run a command in the language chosen for it; a UserError becomes one red line and exit 1,
    Ctrl-C exit 130."""
    try:
        i18n.use_language(chosen_language(args))
        result = func(args)
        return int(result or 0)
    except UserError as e:
        err_console.print(f"[bold red]{escape(tr(ERROR))}[/] {escape(as_run(str(e)))}", soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err_console.print(f"[yellow]{escape(tr(INTERRUPTED[0]))}[/] {escape(tr(INTERRUPTED[1]))}")
        return 130


def add_command(sub, name: str, run, aliases=()) -> argparse.ArgumentParser:
    """A subparser whose help and description are `run`'s docstring."""
    doc = _EXAMPLE.sub(lambda m: m.group(1) + shlex.join(how_run()) + " ", inspect.getdoc(run) or "")
    parser = sub.add_parser(
        name, help=doc.splitlines()[0] if doc else None, description=doc, aliases=list(aliases),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=run)
    return parser


MODEL_HELP = "model name or folder (default: the default model)"


def add_model_options(parser: argparse.ArgumentParser, help: str = MODEL_HELP) -> None:
    """--model and --trust-model, the same for every command that loads a model."""
    parser.add_argument("--model", metavar="NAME_OR_DIR", help=help)
    parser.add_argument("--trust-model", action="store_true",
                        help="load the model without checking its hash (only for files you made yourself)")


TEXT_COLUMN_HELP = "column with the answers in the coded files (default: text)"
LABELS_COLUMN_HELP = "column with the codes, joined by ';' (default: labels)"
CV_HELP = ("how many parts the coded answers are split into: each part is coded by a model trained on the "
           "others, so the scores come from answers the model never saw (default 5)")


def add_coded_columns(parser: argparse.ArgumentParser) -> None:
    """--text-column and --labels-column of coded files, with their defaults."""
    parser.add_argument("--text-column", default="text", metavar="COL", help=TEXT_COLUMN_HELP)
    parser.add_argument("--labels-column", default="labels", metavar="COL", help=LABELS_COLUMN_HELP)


def advanced_group(parser: argparse.ArgumentParser):
    """Options most analysts never need, shown apart at the end of --help."""
    return parser.add_argument_group("advanced options (how the model is fitted and tested)")


def add_target_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target-precision", type=float, default=0.95, metavar="P",
                        help="answers below this estimated precision need review (default 0.95)")


def sheet(value: str) -> int | str:
    """--sheet: digits are a position (0 = the first sheet), anything else a sheet name."""
    return int(value) if value.strip().isdigit() else value


def add_sheet_option(parser: argparse.ArgumentParser) -> None:
    """--sheet and --header-row: where the table is in a file."""
    parser.add_argument("--sheet", type=sheet, default=0, metavar="SHEET",
                        help="sheet name or number (0 = the first) in an .xlsx file (default: the first)")
    parser.add_argument("--header-row", type=int, metavar="N",
                        help="row that names the columns, numbered as in Excel (default: found; title rows above it are skipped)")


def show_header(table) -> None:
    """Say where the header is when it was found below title rows."""
    if table.header_found:
        where = Notes.OF_SHEET.format(sheet=table.sheet) if table.sheet else ""
        console.print(Notes.HEADER_FOUND.format(row=table.header_row, where=where), soft_wrap=True)


def load_model_arg(args, codeframe: str | None = None):
    """The model named by --model/--trust-model, its warnings shown; with `codeframe`, that
    frame (checked to be the model's) is returned for its names, definitions and keys."""
    loaded = load_model(args.model, trust=args.trust_model)
    show_warnings(loaded.warnings)
    if not codeframe:
        return loaded, loaded.coder.frame
    frame = load_codeframe(codeframe)
    check_frame(loaded, frame)
    return loaded, frame


def warn(message: str) -> None:
    err_console.print(f"[yellow]{escape(tr(WARNING))}[/] {escape(as_run(message))}", soft_wrap=True)


def show_warnings(messages) -> None:
    for m in messages:
        warn(m)


@contextmanager
def progress_bar(description: str, total: int | None = None):
    """Yield `update(done, total)`; a rich bar on a terminal, silent otherwise."""
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=False, disable=not err_console.is_terminal,
    )
    with progress:
        task = progress.add_task(description, total=total)

        def update(done, new_total=None, label: str | None = None):
            kwargs = {"completed": done}
            if new_total is not None:
                kwargs["total"] = new_total
            if label:
                kwargs["description"] = label
            progress.update(task, **kwargs)

        yield update


def fmt(x, digits: int = 3) -> str:
    if x is None:
        return "–"
    return i18n.decimal(x, digits)


def pct(x) -> str:
    return i18n.percent(x)


def metrics_table(title: str, metrics: dict, frame=None, width: int | None = None) -> Table:
    """Per-code precision, recall, F1 and support, then micro/macro F1 and exact match; the
    codes' names only where they fit (100 columns or more)."""
    if (width or console.width) < 100:
        frame = None
    table = Table(title=title, title_justify="left")
    table.add_column(tr("code"), no_wrap=True)
    if frame is not None:
        table.add_column(tr("name"))
    for col in (N_("precision"), N_("recall"), N_("F1"), N_("support")):
        table.add_column(tr(col), justify="right")
    for key, m in metrics["per_code"].items():
        name = [frame.code(key).name] if frame is not None else []
        table.add_row(key, *name, fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]), i18n.integer(m["support"]))
    table.add_section()
    pad = [""] if frame is not None else []
    table.add_row(tr("micro F1"), *pad, "", "", fmt(metrics["micro_f1"]), "")
    table.add_row(tr("macro F1"), *pad, "", "", fmt(metrics["macro_f1"]), "")
    table.add_row(tr("exact match"), *pad, "", "", fmt(metrics["exact_match"]), i18n.integer(metrics["n"]))
    return table
