"""`verify`: measure the accuracy of a year's auto-coded answers on a sample coded blind."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from ..coding import check_target
from ..errors import Errors, Notes, UserError
from ..i18n import N_, integer, tr
from ..paths import default_frame_path
from ..verify import (
    CODES_SHEET,
    Columns,
    check_sample_output,
    code_frame,
    compare,
    draw_sample,
    read_coded,
    read_gold,
    write_sample,
)
from ._questions import add_question_option, chosen_question
from ._util import add_command, add_sheet_option, command, console, fmt, pct


def run(args) -> int:
    """Check the auto-coded answers of a `predict` output on a sample a person codes blind.

    1. --sample N --out SAMPLE.xlsx draws N distinct answers the model coded on its own
       (needs_review false), stratified by the model's codes with proportional
       allocation (self-weighting), and writes them blind: the id (--id-column, else
       coded_row, the row in the coded file), the answer and an empty labels column. An
       .xlsx lists the codes on a second sheet. The same --seed gives the same sample.
    2. A coordinator codes it without the model's codes: in Excel (codes joined by ';'),
       or with 'label SAMPLE --store verify.sqlite --no-suggestions' then 'export --latest'.
    3. --against GOLD compares: the accuracy of the auto-coded answers (every auto-coded
       row whose answer was coded counts, so repeated answers weigh their copies) with a
       95 % Wilson interval, precision and recall per code, and, when the interval is
       below --target-precision, the confidence cutoff that would have met it. Rows are
       matched by id when both files have it, else by the answer text.
    4. It prints the 'import' command that makes the coordinator's codes review decisions.

    Examples:
      survey-coder verify out/coded_2020.csv --sample 100 --id-column respondent_id --out out/verify_2020.xlsx
      survey-coder verify out/coded_2020.csv --against out/verify_2020.xlsx --id-column respondent_id
      survey-coder verify coded.xlsx --question tjenester --sample 100 --out verify_tjenester.xlsx
    """
    if (args.sample is None) == (args.against is None):
        raise UserError(Errors.VERIFY_MODE.format(what=tr("both") if args.sample is not None else tr("neither")))
    check_target(args.target_precision)
    question = chosen_question(args)
    if question is None:
        columns = Columns(labels=args.labels_column, review=args.review_column)
    else:  # its column, its code frame, and its <key>_ columns in the coded file
        columns = Columns.of_question(question.key)
        args.text_column = question.column
        args.codeframe = args.codeframe or (question.codeframe if args.model is None else None)
    if args.sample is not None:
        return run_sample(args, columns)
    return run_against(args, columns)


def run_sample(args, columns: Columns) -> int:
    if args.sample < 1:
        raise UserError(Errors.BAD_SAMPLE_SIZE.format(value=args.sample))
    if not args.out:
        raise UserError(Errors.VERIFY_NEEDS_OUT)
    out = check_sample_output(args.out, args.coded, overwrite=args.overwrite)
    coded = read_coded(args.coded, columns, args.text_column, args.id_column, args.sheet, args.header_row)
    frame, _ = code_frame(coded, args.codeframe, args.model)
    sample = draw_sample(coded, args.sample, frame, args.seed)
    write_sample(sample, out)
    if sample.n < args.sample:
        console.print(Notes.VERIFY_ALL_DRAWN.format(path=coded.path, n=sample.n_distinct), soft_wrap=True)
    console.print(tr(
        "Drew [bold]{n}[/] of the {distinct} distinct auto-coded answers ({rows} rows) of {path}, stratified by "
        "the model's codes ({strata} strata, proportional), seed {seed}.").format(
        n=integer(sample.n), distinct=integer(sample.n_distinct), rows=integer(sample.n_auto), path=coded.path,
        strata=sample.n_strata, seed=sample.seed))
    id_name, text, labels = sample.table.columns
    codes = tr("; the codes are listed on sheet '{sheet}'").format(sheet=CODES_SHEET) if out.suffix.lower() == ".xlsx" else ""
    console.print(tr("Wrote [bold]{path}[/]: columns {id}, {text} and an empty {labels}{codes}.").format(
        path=out, id=id_name, text=text, labels=labels, codes=codes))
    ids = ["--id-column", coded.id_column] if coded.id_column else []
    question = ["--question", args.question] if args.question else []
    store, gold = out.with_name(f"{out.stem}.sqlite"), out.with_name(f"{out.stem}_gold.csv")
    console.print(tr("Next: code these answers without the model's codes. In Excel (the labels column, codes "
                     "joined by ';'), then compare:"), soft_wrap=True)
    console.print("  " + command("verify", coded.path, *question, "--against", out, *ids), soft_wrap=True)
    console.print(tr("Or on the review screen, into a store of their own, and compare its export:"), soft_wrap=True)
    console.print("  " + command("label", out, "--text-column", coded.text, *ids, *_frame_option(frame),
                                 "--store", store, "--no-suggestions"), soft_wrap=True)
    console.print("  " + command("export", "--latest", "--store", store, "--out", gold), soft_wrap=True)
    console.print("  " + command("verify", coded.path, *question, "--against", gold), soft_wrap=True)
    return 0


def run_against(args, columns: Columns) -> int:
    coded = read_coded(args.coded, columns, args.text_column, args.id_column, args.sheet, args.header_row)
    frame, _ = code_frame(coded, args.codeframe, args.model)
    gold = read_gold(args.against, coded, frame)
    result = compare(coded, gold, frame, args.target_precision)
    if args.json:
        console.print_json(json.dumps(result.as_dict()))
        return 0
    by = tr("id column '{column}'").format(column=gold.id_column) if gold.id_column else tr("answer text")
    console.print(tr("Compared the codes of [bold]{n}[/] auto-coded answers ({rows} rows) in {coded} with the codes "
                     "in {gold} (matched by {by}).").format(
        n=integer(result.answers_compared), rows=integer(result.rows_compared), coded=coded.path, gold=gold.path, by=by),
        soft_wrap=True)
    show_ignored(result.ignored)
    console.print(summary_table(result))
    console.print(verdict(result), soft_wrap=True)
    console.print(per_code_table(result))
    console.print(tr("Next: import the coordinator's codes as review decisions (the best training data):"),
                  soft_wrap=True)
    console.print("  " + import_command(gold, coded, frame), soft_wrap=True)
    return 0


def summary_table(r) -> Table:
    table = Table(title=tr("Accuracy of the auto-coded answers"), title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    of = tr("{n} of {total}")
    table.add_row(tr("all codes right"), f"[bold]{pct(r.auto_coded_accuracy)}[/]")
    table.add_row(tr("95 % interval (Wilson)"), f"{pct(r.ci_low)} – {pct(r.ci_high)}")
    table.add_row(tr("rows right"), of.format(n=integer(r.rows_right), total=integer(r.rows_compared)))
    if r.rows_compared != r.answers_compared:
        table.add_row(tr("distinct answers right"), of.format(n=integer(r.answers_right), total=integer(r.answers_compared)))
        table.add_row(tr("effective sample size (repeats)"), fmt(r.effective_n, 1))
    table.add_row(tr("auto-coded answers in the year"), of.format(n=integer(r.n_auto), total=integer(r.n_answers))
                  + f" ({pct(r.n_auto / r.n_answers)})")
    table.add_row(tr("target precision"), pct(r.target_precision))
    return table


def verdict(r) -> str:
    target = pct(r.target_precision)
    if r.verdict == "meets":
        return Notes.VERIFY_MEETS.format(target=target, low=pct(r.ci_low))
    if r.verdict == "unclear":
        return Notes.VERIFY_UNCLEAR.format(target=target)
    text = Notes.VERIFY_BELOW.format(target=target, high=pct(r.ci_high))
    c = r.cutoff
    if c is None:
        return f"{text} {Notes.VERIFY_NO_CUTOFF}"
    return text + " " + Notes.VERIFY_CUTOFF.format(
        cutoff=fmt(c.cutoff), accuracy=pct(c.accuracy), rows=integer(c.sample_rows), year=integer(c.year_auto),
        answers=integer(r.n_answers), share=pct(c.year_share), auto=integer(r.n_auto), auto_share=pct(r.n_auto / r.n_answers))


def per_code_table(r) -> Table:
    table = Table(title=tr("Per code, on the sample (recall: among auto-coded answers)"), title_justify="left")
    table.add_column(tr("code"), no_wrap=True)
    for name in (N_("precision"), N_("recall"), N_("model"), N_("coordinator")):
        table.add_column(tr(name), justify="right")
    for key, m in r.per_code.items():
        table.add_row(key, fmt(m["precision"]), fmt(m["recall"]), integer(m["model"]), integer(m["gold"]))
    return table


def show_ignored(ignored: dict) -> None:
    words = {"uncoded": N_("{n} without codes"), "not_in_coded": N_("{n} not found in the coded file"),
             "not_auto_coded": N_("{n} not auto-coded (they went to review)")}
    parts = [tr(words[k]).format(n=integer(n)) for k, n in ignored.items() if n]
    if parts:
        console.print(tr("Left out rows of the coordinator's file: {parts}.").format(parts="; ".join(parts)),
                      soft_wrap=True)


def import_command(gold, coded, frame) -> str:
    """The `import` command that brings the coordinator's codes into the annotation store."""
    parts = ["import", gold.path]
    if gold.text:
        parts += ["--text-column", gold.text]
    if gold.labels_column != "labels":
        parts += ["--labels-column", gold.labels_column]
    if gold.id_column:
        parts += ["--id-column", gold.id_column]
    return command(*parts, *_frame_option(frame), "--annotator", "NAME")


def _frame_option(frame) -> list[str]:
    """['--codeframe', FILE] when the frame is a file other than the default one."""
    source = Path(frame.source) if frame.source else None
    if source is None or not source.is_file() or source.resolve() == default_frame_path().resolve():
        return []
    return ["--codeframe", source]


def register(sub) -> None:
    p = add_command(sub, "verify", run)
    p.add_argument("coded", metavar="CODED", help="a `predict` output: .csv, .xlsx or .sav")
    p.add_argument("--sample", type=int, metavar="N", help="draw N distinct auto-coded answers to code blind")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    p.add_argument("--out", metavar="SAMPLE", help="with --sample: the sample to write, .xlsx or .csv")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists (it may hold codes!)")
    p.add_argument("--against", metavar="GOLD", help="the coordinator's codes: the coded sample, or 'export --latest'")
    p.add_argument("--json", action="store_true", help="with --against: print the figures as one JSON object")
    p.add_argument("--target-precision", type=float, default=0.95, metavar="P",
                   help="the accuracy the auto-coded answers should reach (default 0.95)")
    p.add_argument("--text-column", metavar="COL", help="column with the answers (default: guessed)")
    p.add_argument("--id-column", metavar="COL", help="respondent id column: in the sample, and to match GOLD by")
    p.add_argument("--labels-column", default="labels", metavar="COL", help="column with the codes (default: labels)")
    p.add_argument("--review-column", default="needs_review", metavar="COL",
                   help="column saying which answers need review (default: needs_review)")
    add_question_option(p, "verify")
    p.add_argument("--codeframe", metavar="FILE", help="code frame (default: the model's, or the one that knows the codes)")
    p.add_argument("--model", metavar="NAME_OR_DIR", help="use the code frame this model was trained with")
    add_sheet_option(p)
