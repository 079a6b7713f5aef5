"""`evaluate`: score a saved model on coded answers it was not trained on."""

from __future__ import annotations

import argparse
import json

from ..coding import check_target, evaluate_model
from ..dataset import check_against_frame, read_coded
from ..errors import Warnings
from ._curve import add_curve_options, run_curve
from ._training import slices_table
from ._util import (
    add_coded_columns,
    add_command,
    add_model_options,
    add_target_option,
    console,
    load_model_arg,
    metrics_table,
    pct,
    warn,
)


def run(args) -> int:
    """Score a model on held-out coded answers (gold standard).

    Prints per-code precision, recall and F1, micro and macro F1, exact-match
    accuracy, and the share of answers coded automatically at --target-precision
    with the accuracy actually reached on them. --json prints the same as JSON.

    The learning curve (formerly --curve) is the 'curve' command.

    Example:
      survey-coder evaluate --data eval_data/heldout.csv --model imdi_kvalifisering
    """
    if args.curve:
        warn(Warnings.CURVE_MOVED)
        return run_curve(args)
    check_target(args.target_precision)
    loaded, _ = load_model_arg(args)
    data = check_against_frame(read_coded(args.data, args.text_column, args.labels_column), loaded.coder.frame)
    result = evaluate_model(loaded.coder, data.texts, data.indicator(loaded.coder.frame), args.target_precision,
                            groups=data.groups)
    result["model"] = loaded.name
    if args.json:
        console.print_json(json.dumps(result))
        return 0
    console.print(metrics_table(f"{loaded.name} on {len(data)} held-out answers", result, loaded.coder.frame))
    auto = result["auto_coding"]
    console.print(
        f"Auto-coded at {pct(args.target_precision)} target precision: [bold]{pct(auto['auto_share'])}[/] "
        f"of answers; exact-match accuracy reached on them: [bold]{pct(auto['auto_accuracy'])}[/]."
    )
    console.print(slices_table("Coded automatically, by kind of answer (and by source, when the file names one)",
                               result["slices"]))
    if result["review_reasons"]:
        console.print("Sent to review: " + ", ".join(f"{n} {why}" for why, n in result["review_reasons"].items()) + ".")
    return 0


def register(sub) -> None:
    p = add_command(sub, "evaluate", run)
    add_model_options(p)
    add_target_option(p)
    p.add_argument("--data", nargs="+", required=True, metavar="GOLD", help="coded CSV/XLSX files or folders")
    add_coded_columns(p)
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--curve", action="store_true", help="moved: use the 'curve' command")
    p.add_argument("--out", metavar="DIR", help=argparse.SUPPRESS)
    add_curve_options(p, hidden=True)
