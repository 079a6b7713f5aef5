"""`curve`: the learning curve, will coding more answers help?"""

from __future__ import annotations

from ._curve import add_curve_options, run_curve
from ._util import add_coded_columns, add_command, add_target_option


def run(args) -> int:
    """Learning curve: will coding more answers help?

    Fits a fresh model on 10 %, 20 %, ... 100 % of the coded answers in --data inside
    each of --cv parts of them (cross-validation) and scores it on the answers it left out: macro F1, and the
    share the model auto-codes at --target-precision with the accuracy reached on them.
    Writes learning_curve.png, learning_curve.csv and learning_curve.md to --out and
    says whether the curve is still rising.

    Example:
      survey-coder curve --data training_data/ --out out/curve
      survey-coder curve --data training_data/ --out out/curve --cv 3 --fractions 0.25,0.5,1
    """
    return run_curve(args)


def register(sub) -> None:
    p = add_command(sub, "curve", run)
    p.add_argument("--data", nargs="+", required=True, metavar="PATH", help="coded CSV/XLSX files or folders")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for learning_curve.png/.csv/.md")
    add_coded_columns(p)
    add_target_option(p)
    add_curve_options(p)
    p.add_argument("--json", action="store_true", help="print the points as JSON")
