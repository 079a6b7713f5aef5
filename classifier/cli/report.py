"""`report`: counts and shares per code per year from coded files, as Markdown, HTML, PNG and XLSX."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..codeframe import split_labels
from ..errors import Errors, UserError
from ..frames import resolve_frame
from ..i18n import integer, tr
from ..paths import default_frame_path, labels_dir
from ..report import build_report, read_coded_files
from ..report_render import report_files, write_report
from ._questions import add_question_option, chosen_question, project_questions
from ._util import add_command, console, pct, show_warnings


def run(args) -> int:
    """Report how the coded answers are spread over the codes, year by year.

    Reads one or more coded files (from 'predict', or coded by people), finds each
    row's survey year (--year-column, else --years, else a year/år column, else a year
    in the file name) and writes to the folder --out: report.md and report.html
    (counts and shares per code per year with 95 % confidence intervals, changes between
    years, the review share, example answers per code, and with --by the same per
    group), PNG charts, and report.xlsx with one sheet per table. Codes of the code
    frame's previous version are translated with its [frame.previous] map.

    In a project with several questions, --question KEY reports on one of them: the
    coded files' KEY_labels, KEY_needs_review, ... columns, with the question's code
    frame and its answer column.

    Examples:
      survey-coder report coded_2019.xlsx coded_2020.xlsx --question tjenester --out report
      survey-coder report out/survey_2019_coded.csv out/survey_2020_coded.csv --out out/report
      survey-coder report coded_all.xlsx --year-column year --by fylke --out out/report
    """
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(Errors.REPORT_OUT_IS_FILE.format(path=out))
    if not out.resolve().parent.is_dir():
        raise UserError(Errors.OUTPUT_DIR_MISSING.format(path=out))
    question = chosen_question(args)
    others = [q.key for q in project_questions()[1]] if question is not None else ()
    df, tables = read_coded_files(args.coded, args.year_column, args.years, args.labels_column,
                                  question.column if question is not None else args.text_column,
                                  question=question.key if question is not None else None, others=others)
    codeframe = args.codeframe or (question.codeframe if question is not None and args.model is None else None)
    frame, _ = resolve_frame(codeframe, model=args.model, codes=[split_labels(c) for c in df[args.labels_column]],
                             default=default_frame_path(), folder=labels_dir())
    report = build_report(df, frame, args.by, args.labels_column, args.examples)
    inputs = {t.path.resolve() for t in tables}
    for path in report_files(out, report).values():
        if path.resolve() in inputs:
            raise UserError(Errors.REPORT_OUT_IS_INPUT.format(path=path))
    out.mkdir(exist_ok=True)
    files = write_report(report, out)
    show_warnings(report.notes)
    console.print(shares_table(report))
    console.print(tr("Wrote {n} files to [bold]{path}[/]: {files}").format(
        n=len(files), path=out, files=", ".join(p.name for p in files.values())))
    return 0


def shares_table(report) -> Table:
    table = Table(title=tr("Share of answers per code ({name})").format(name=report.frame.name), title_justify="left")
    table.add_column(tr("code"))
    for y in report.years:
        table.add_column(str(y), justify="right")
    s = report.shares.set_index(["code", "year"])
    for r in report.rows:
        table.add_row(r.name, *[pct(s.loc[(r.key, y), "share"]) for y in report.years])
    table.add_section()
    rv = report.review.set_index("year")
    table.add_row(tr("answers"), *[integer(rv.loc[y, "answers"]) for y in report.years])
    table.add_row(tr("needs review"), *[pct(rv.loc[y, "review_share"]) for y in report.years])
    return table


def register(sub) -> None:
    p = add_command(sub, "report", run)
    p.add_argument("coded", nargs="+", metavar="CODED_FILE", help="coded .csv/.xlsx/.sav files (one or more years)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the report files (created if missing)")
    p.add_argument("--by", metavar="COLUMN", help="also report per group of this column (fylke, size, ...)")
    p.add_argument("--year-column", metavar="COL", help="column with the survey year")
    p.add_argument("--years", nargs="+", metavar="YEAR", help="the survey year of each file, in order")
    add_question_option(p, "report on")
    p.add_argument("--text-column", metavar="COL",
                   help="column with the answers, for examples (default: the question's column with --question, "
                        "else the column with the longest texts)")
    p.add_argument("--labels-column", default="labels", metavar="COL",
                   help="column with the codes (default: labels; with --question: KEY_labels)")
    p.add_argument("--codeframe", metavar="FILE", help="code frame (default: the default frame, or one matching the codes)")
    p.add_argument("--model", metavar="NAME_OR_DIR", help="use the code frame this model was trained with")
    p.add_argument("--examples", type=int, default=3, metavar="N", help="example answers per code (default 3)")
