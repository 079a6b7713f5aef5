"""The learning curve as `curve` (and, until it goes, `evaluate --curve`) runs and shows it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.table import Table

from ..coding import check_target
from ..curve import FRACTIONS, curve_markdown, curve_table, final_gain, learning_curve, plot_curve
from ..errors import Errors, UserError, Warnings
from ..tables import atomic_path, write_table
from ..training import check_enough, load_training_data
from ._util import CV_HELP, command, console, fmt, pct, progress_bar, show_warnings

F1_GAIN, SHARE_GAIN = 0.01, 0.03  # over the last 30 % of the answers: still worth coding more


def add_curve_options(parser, hidden: bool = False) -> None:
    """--cv and --fractions, the same for `curve` and (hidden from its --help) `evaluate --curve`."""
    def shown(text: str) -> str:
        return argparse.SUPPRESS if hidden else text

    parser.add_argument("--cv", type=int, default=5, metavar="N", help=shown(CV_HELP))
    parser.add_argument("--fractions", metavar="F,F,...", help=shown("shares of the answers (default 0.1,...,1)"))


def parse_fractions(value: str | None) -> tuple[float, ...]:
    if not value:
        return FRACTIONS
    try:
        fractions = tuple(float(v) for v in value.replace(";", ",").split(",") if v.strip())
    except ValueError:
        raise UserError(Errors.BAD_FRACTIONS.format(value=value)) from None
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise UserError(Errors.BAD_FRACTIONS.format(value=value))
    return fractions


def run_curve(args) -> int:
    """Learning curve on the coded answers in --data; writes a PNG, a CSV and a markdown table to --out."""
    check_target(args.target_precision)
    if not args.out:
        raise UserError(Errors.CURVE_NEEDS_OUT)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(Errors.CURVE_OUT_IS_FILE.format(path=out))
    if args.cv < 2:
        raise UserError(Errors.BAD_FOLDS.format(value=args.cv))
    fractions = parse_fractions(args.fractions)
    data, frame, origin = load_training_data(args.data, None, args.text_column, args.labels_column)
    check_enough(data, frame)
    if data.skipped:
        show_warnings([Warnings.CURVE_SKIPPED.format(n=data.skipped)])
    out.mkdir(parents=True, exist_ok=True)
    with progress_bar("Learning curve", total=len(fractions) * args.cv) as update:
        curve = learning_curve(data, frame, fractions, cv=args.cv, target_precision=args.target_precision,
                               progress=lambda done, total: update(done, total))
    png, csv, md = out / "learning_curve.png", out / "learning_curve.csv", out / "learning_curve.md"
    plot_curve(curve, png)
    write_table(curve_table(curve), csv, delimiter=",")
    with atomic_path(md) as tmp:
        tmp.write_text(curve_markdown(curve), encoding="utf-8")
    if args.json:
        console.print_json(json.dumps({"points": curve.rows(), "cv": curve.cv, "n_answers": curve.n_answers,
                                       "files": [str(png), str(csv), str(md)]}))
        return 0
    table = Table(title=f"Learning curve: {curve.cv}-fold cross-validation on {curve.n_answers} answers "
                        f"(code frame {frame.name}, {origin})", title_justify="left")
    for col in ("training answers", "share", "macro F1", "± folds", f"auto-coded at {pct(curve.target_precision)}",
                "accuracy on them"):
        table.add_column(col, justify="right")
    for p in curve.points:
        table.add_row(str(p.n_train), pct(p.fraction), fmt(p.macro_f1), fmt(p.macro_f1_std),
                      pct(p.auto_share), pct(p.auto_accuracy))
    console.print(table)
    for p in curve.points:
        if p.note:
            console.print(f"[yellow]At {pct(p.fraction)}:[/] {p.note}.")
    gain = final_gain(curve)
    if gain is not None:
        rise = (f"from {pct(gain['from_fraction'])} to 100 % of the answers, macro F1 changed by "
                f"{gain['macro_f1']:+.3f} and the auto-coded share by {100 * gain['auto_share']:+.1f} points")
        if gain["macro_f1"] > F1_GAIN or gain["auto_share"] > SHARE_GAIN:
            console.print(f"Still rising ({rise}): [bold]coding more answers will probably help[/].")
        else:
            console.print(f"Flat ({rise}): more answers like these will help little; code the answers the "
                          f"model finds hard (see '{command('review')}') or sharpen the code frame.")
    console.print(f"Wrote [bold]{png}[/], {csv.name} and {md.name}.")
    return 0
