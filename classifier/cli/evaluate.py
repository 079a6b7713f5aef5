"""`evaluate`: score a saved model on coded answers it was not trained on."""

from __future__ import annotations

import json

from ..coding import check_target
from ..dataset import check_against_frame, read_coded
from ..evaluation import evaluate_model
from ._curve import run_curve
from ._util import (
    add_command,
    add_model_options,
    add_target_option,
    console,
    load_model_arg,
    metrics_table,
    pct,
)


def run(args) -> int:
    """Score a model on held-out coded answers (gold standard).

    Prints per-code precision, recall and F1, micro and macro F1, exact-match
    accuracy, and the share of answers coded automatically at --target-precision
    with the accuracy actually reached on them. --json prints the same as JSON.

    With --curve, --data is the training answers instead (no --model needed): a
    learning curve of cross-validated macro F1 and auto-coded share against 10 %,
    20 %, ... 100 % of them, written to --out as a PNG chart, a CSV and a markdown
    table. It answers: will coding more answers help?

    Example:
      python cli.py evaluate --data eval_data/heldout.csv --model imdi_kvalifisering
      python cli.py evaluate --data training_data/ --curve --out out/curve
    """
    if args.curve:
        return run_curve(args)
    check_target(args.target_precision)
    loaded, _ = load_model_arg(args)
    data = check_against_frame(read_coded(args.data, args.text_column, args.labels_column), loaded.coder.frame)
    result = evaluate_model(loaded.coder, data.texts, data.indicator(loaded.coder.frame), args.target_precision)
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
    return 0


def register(sub) -> None:
    p = add_command(sub, "evaluate", run)
    add_model_options(p)
    add_target_option(p)
    p.add_argument("--data", nargs="+", required=True, metavar="GOLD", help="coded CSV/XLSX files or folders")
    p.add_argument("--text-column", default="text", metavar="COL")
    p.add_argument("--labels-column", default="labels", metavar="COL")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--curve", action="store_true", help="learning curve on the training answers in --data")
    p.add_argument("--out", metavar="DIR", help="with --curve: folder for learning_curve.png/.csv/.md")
    p.add_argument("--cv", type=int, default=5, help="with --curve: cross-validation folds (default 5)")
    p.add_argument("--fractions", metavar="F,F,...", help="with --curve: shares of the answers (default 0.1,...,1)")
