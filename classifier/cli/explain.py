"""`explain`: the words that pushed each code up or down for one answer."""

from __future__ import annotations

import json
from dataclasses import asdict

from rich.table import Table

from ..errors import Errors, UserError
from ..explain import explain_text
from ..preprocess import is_non_answer
from ._util import add_command, add_model_options, console, fmt, load_model_arg


def _terms(terms, sign: str) -> str:
    return "\n".join(f"{t.label} [dim]({t.kind})[/] {sign}{abs(t.weight):.2f}" for t in terms) or "–"


def run(args) -> int:
    """Show which words of an answer pushed each code up or down, from the model's weights.

    The model reads whole words and pieces of words (2 to 5 letters, so that compounds
    and typos count); both are shown as the words of the answer they come from (a
    word's stem when none). A weight is how much the word pushed the code up (+) or
    down (-) (the model's log-odds, before its probabilities are adjusted). The codes
    the model gives the answer are marked.

    Example:
      survey-coder explain "Vi trenger flere språkpraksisplasser og samarbeid med bedrifter"
    """
    if is_non_answer(args.text):
        raise UserError(Errors.NOTHING_TO_EXPLAIN.format(text=args.text))
    if args.top < 1:
        raise UserError(Errors.BAD_TOP.format(value=args.top))
    loaded, _ = load_model_arg(args)
    coder = loaded.coder
    exp = explain_text(coder, args.text, args.top)
    if args.json:
        console.print_json(json.dumps({"text": exp.text, "labels": exp.labels,
                                       "codes": {k: asdict(v) for k, v in exp.codes.items()}}))
        return 0
    table = Table(title=f"Why {loaded.name} codes this answer as it does", title_justify="left", show_lines=True)
    table.add_column("code")
    table.add_column("p", justify="right")
    table.add_column("pushed up by")
    table.add_column("pushed down by")
    for key, c in exp.codes.items():
        mark = "[bold green]✔[/] " if c.assigned else "  "
        table.add_row(f"{mark}{key}", fmt(c.probability), _terms(c.up, "+"), _terms(c.down, "−"))
    console.print(f"[bold]Answer:[/] {exp.text}")
    console.print(table)
    console.print(f"Codes: [bold]{', '.join(exp.labels) or '(none)'}[/]")
    return 0


def register(sub) -> None:
    p = add_command(sub, "explain", run)
    p.add_argument("text", metavar="TEXT", help="the answer, in quotes")
    add_model_options(p)
    p.add_argument("--top", type=int, default=5, metavar="N", help="words to show per code and direction (default 5)")
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
