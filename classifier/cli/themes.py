"""`themes`: group answers into themes and draft a code frame with one code per theme."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..errors import Errors, UserError
from ..tables import pick_column, read_table
from ..theme_files import output_paths, verdict_short, write_themes
from ..themes import find_themes, parse_count, select_answers
from ._util import (
    add_command,
    add_model_options,
    add_sheet_option,
    command,
    console,
    load_model_arg,
    pct,
    show_warnings,
)


def run(args) -> int:
    """Group answers into themes, to see what the code frame lacks, and draft codes for them.

    Takes a survey file, or a file coded by `predict`: --where-code other groups the answers
    coded 'other', --where-review those flagged for review; without either, every non-empty
    answer. Bokmål, nynorsk and misspelt answers about one thing land together (the tool's
    own Norwegian stems and character n-grams); the number of themes is chosen from how
    stable the groups are (--themes auto), or given; answers that fit no theme are left
    unassigned. The same --seed gives the same themes. With --model, each theme is said to
    look new (far from every code) or like an existing code the model missed.

    Writes to the folder --out: assignments.csv (each row's theme), themes.csv, themes.md and
    themes.html (size, share, characteristic words, typical answers, verdicts), and
    codeframe_draft.toml, a code frame with one code per theme (definitions marked TODO) that
    opens in `label` and `review`.

    Examples:
      survey-coder themes out/survey_2020_coded.csv --text-column svar --id-column respondent_id --where-code other --model imdi --out out/themes
      survey-coder themes answers.xlsx --text-column svar --themes 12 --seed 3 --out out/themes
    """
    n_themes = parse_count(args.themes)
    if args.seed < 0:
        raise UserError(Errors.THEMES_BAD_SEED.format(value=args.seed))
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(Errors.THEMES_OUT_IS_FILE.format(path=out))
    if not out.resolve().parent.is_dir():
        raise UserError(Errors.OUTPUT_DIR_MISSING.format(path=out))
    table = read_table(args.input, sheet=args.sheet)
    for path in output_paths(out).values():
        if path.exists() and path.resolve() == table.path.resolve():
            raise UserError(Errors.THEMES_OUT_IS_INPUT.format(path=path))
    text_col = pick_column(table, args.text_column, "text-column")
    id_col = pick_column(table, args.id_column, "id-column") if args.id_column else None
    loaded = None
    if args.model:
        loaded, _ = load_model_arg(args)
    frame = loaded.coder.frame if loaded else None
    selection = select_answers(table.frame, text_col, str(table.path), args.labels_column, args.where_code,
                               args.where_review, frame)
    result = find_themes(selection, n_themes, args.seed, coder=loaded.coder if loaded else None,
                         model_name=loaded.name if loaded else None)
    out.mkdir(exist_ok=True)
    ids = table.frame[id_col].tolist() if id_col else None
    paths = write_themes(result, out, ids, id_col, delimiter=table.delimiter)
    show_warnings(result.notes)
    console.print(summary_table(result))
    console.print(f"{result.n_unassigned} of {result.n_answers} answers ({pct(result.n_unassigned / result.n_answers)}) "
                  f"fit no theme. Wrote {len(paths)} files to [bold]{out}[/]: "
                  + ", ".join(p.name for p in paths.values()))
    draft = paths["codeframe_draft.toml"]
    console.print("To code the answers with the draft frame (write the definitions first), run:")
    console.print("  " + command("label", table.path, "--text-column", text_col, "--codeframe", draft), soft_wrap=True)
    return 0


def summary_table(result) -> Table:
    title = f"{len(result.themes)} themes in {result.n_answers} answers{result.where}"
    if result.model_name:
        title += f" (verdicts from model {result.model_name})"
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("code", overflow="fold")
    table.add_column("answers", justify="right")
    table.add_column("share", justify="right")
    table.add_column("words", ratio=2, overflow="fold")
    if result.model_name:
        table.add_column("verdict", overflow="fold")
        table.add_column("mean p", justify="right")
    for t in result.themes:
        cells = [str(t.number), t.key, str(t.size), pct(t.share), ", ".join(t.words[:6])]
        if t.verdict is not None:
            cells += [verdict_short(t), f"{t.verdict.mean_p:.2f}"]
        table.add_row(*cells)
    return table


def register(sub) -> None:
    p = add_command(sub, "themes", run)
    p.add_argument("input", metavar="INPUT", help="survey file: .csv, .xlsx or .sav (or a `predict` output)")
    p.add_argument("--text-column", required=True, metavar="COL", help="column with the answers")
    p.add_argument("--id-column", metavar="COL", help="respondent id column for assignments.csv (default: row numbers)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--where-code", metavar="CODE", help="only the answers coded CODE (such as other) in a coded file")
    where.add_argument("--where-review", action="store_true", help="only the answers a coded file flags for review")
    p.add_argument("--labels-column", default="labels", metavar="COL", help="column with the codes (default: labels)")
    p.add_argument("--themes", default="auto", metavar="N|auto", help="how many themes (default: auto)")
    p.add_argument("--seed", type=int, default=0, help="seed for the clustering (default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the theme files (created if missing)")
    add_model_options(p, help="model whose codes the themes are compared with (default: none)")
    add_sheet_option(p)
