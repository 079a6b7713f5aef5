"""`audit`: the coded answers most likely to be mis-coded, with the codes the model suggests."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..audit import audit, review_frame
from ..dataset import expand_paths
from ..errors import Errors, UserError
from ..paths import training_dir
from ..tables import check_output, write_table
from ..training import load_training_data
from ._util import (
    CV_HELP,
    add_coded_columns,
    add_command,
    advanced_group,
    command,
    console,
    fmt,
    pct,
    progress_bar,
    show_warnings,
)

TEXT_WIDTH = 90


def run(args) -> int:
    """List the coded answers whose codes the model most strongly disagrees with.

    Fits fresh models on the coded answers (--data, default training_data/) so that
    each answer is judged by a model that never saw it (cross-validation). Answers
    are ranked by how sure that model is that their given codes are wrong (the score:
    high = sure they are wrong) and shown with the codes the model suggests. --to-review FILE
    writes the top answers (id, text, labels, suggested) as a file for `review`, so a
    coordinator can confirm or fix them.

    Example:
      survey-coder audit --top 20 --to-review out/audit_review.csv
    """
    if args.top < 1:
        raise UserError(Errors.BAD_TOP.format(value=args.top))
    paths = args.data or [training_dir()]
    review_out = None
    if args.to_review:
        review_out = check_output(Path(args.to_review), expand_paths(paths))
    data, frame, origin = load_training_data(paths, args.codeframe, args.text_column, args.labels_column)
    with progress_bar("Fitting out of fold", total=args.cv + 1) as update:
        result = audit(data, frame, args.spacy_model, cv=args.cv,
                       progress=lambda step, done, total: update(done, total, f"Audit: {step}"))
    if data.skipped:
        show_warnings([f"{data.skipped} rows without codes or text were left out."])
    top = result.top(args.top)
    table = Table(title=f"The {len(top)} answers most likely mis-coded, of {result.n_answers} "
                        f"(code frame {frame.name}, {origin})", title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("id / row", overflow="fold")
    table.add_column("answer", ratio=3, overflow="fold")
    table.add_column("given", overflow="fold")
    table.add_column("suggested", overflow="fold")
    table.add_column("score", justify="right")
    for r in top:
        text = r.text if len(r.text) <= TEXT_WIDTH else r.text[: TEXT_WIDTH - 1] + "…"
        suggested = "\n".join(r.suggested) if not r.agrees else "[dim](same)[/]"
        table.add_row(str(r.rank), f"{r.id}\n[dim]{r.source}[/]", text, "\n".join(r.given), suggested, fmt(r.score, 2))
    console.print(table)
    console.print(f"A model that never saw the answer codes it differently for {result.n_disagree} of "
                  f"{result.n_answers} answers ({pct(result.n_disagree / result.n_answers)}). Score: how sure it is "
                  f"that the given codes are wrong (the log-loss of the given codes, {result.cv} parts).")
    if review_out is not None:
        write_table(review_frame(top), review_out, delimiter=",")
        console.print(f"Wrote [bold]{review_out}[/] ({len(top)} answers). To confirm or fix them, run:")
        console.print(f"  {command('review', review_out, '--text-column', 'text', '--id-column', 'id', '--all')}",
                      soft_wrap=True, markup=False)
    return 0


def register(sub) -> None:
    p = add_command(sub, "audit", run)
    p.add_argument("--data", nargs="+", metavar="PATH", help="coded CSV/XLSX files or folders (default: training_data/)")
    p.add_argument("--codeframe", metavar="FILE", help="code frame .toml/.json (default: matched or inferred)")
    add_coded_columns(p)
    p.add_argument("--top", type=int, default=20, metavar="N", help="how many answers to show (default 20)")
    p.add_argument("--to-review", metavar="FILE", help="write the top answers as a CSV/XLSX file for `review`")
    advanced_group(p).add_argument("--cv", type=int, default=5, metavar="N", help=CV_HELP)
    p.add_argument("--spacy-model", metavar="NAME_OR_PATH", help="spaCy pipeline (default: as for train)")
