"""`predict`: code a survey file with a saved model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.markup import escape
from rich.table import Table

from ..coding import check_target, code_texts, coded_frame
from ..errors import Errors, Notes, UserError
from ..explain import can_explain, explain_column
from ..i18n import integer, tr
from ..paths import models_dir
from ..questions import join_coded, match_questions, prefixed
from ..registry import default_model_dir
from ..tables import DECIMAL_MARKS, check_output, check_text_column, pick_column, read_table, write_table
from ._models import coder_label
from ._questions import add_question_option, chosen_question, project_questions, question_model
from ._training import default_training
from ._util import (
    add_command,
    add_model_options,
    add_sheet_option,
    add_target_option,
    command,
    console,
    load_model_arg,
    pct,
    progress_bar,
    show_header,
)
from ._yearly import add_year, drift_check


def run(args) -> int:
    """Code the answers in a survey file (CSV, XLSX or SAV) and write a coded copy.

    In a project with questions in survey-coder.toml, codes every question whose column
    is in the file (--question KEY: one of them) and adds, per question, the columns
    KEY_labels (codes joined by ';'), KEY_confidence (0-1: the estimated chance that the
    codes are exactly right), KEY_needs_review (true/false) and KEY_p_<code> (the chance
    of each code), keeping every input column. A question without a trained model gets
    one first (about 10 seconds). With --text-column it codes that one column and adds
    the same columns without a prefix (labels, confidence, ...). Answers whose
    estimated precision is below --target-precision are flagged for review.

    It checks that the answers fit the model (low-confidence share, words it never
    saw, changes in code shares) and warns in plain words when not.
    --year marks the survey year (a 'year' column) for 'report'. A .sav output has one
    0/1 variable per code, labelled with the code's name. An .xlsx output from an .xlsx
    input is the input workbook with these columns added; an existing output is only
    replaced with --overwrite. A .csv output writes its numbers as the input does:
    decimal commas (0,97) for a ';'-separated file, as Norwegian Excel saves it, or
    one whose numbers have them, else points; --decimal comma|point chooses.

    Examples:
      survey-coder predict survey.xlsx --out coded.xlsx
      survey-coder predict kommuneundersokelsen_2020.csv --text-column svar --out coded.csv
      survey-coder predict survey_2021.sav --year 2021 --out coded_2021.sav
    """
    check_target(args.target_precision)
    table = read_table(args.input, sheet=args.sheet, header_row=args.header_row)
    show_header(table)
    chosen = chosen_question(args)
    if chosen is not None or args.text_column is None:  # --text-column: one column, whatever is configured
        project_file, questions = project_questions()
        if chosen is not None or questions:
            return code_questions(args, table, project_file, [chosen] if chosen is not None else questions)
    text_col = pick_column(table, args.text_column, "text-column")
    if args.text_column is not None and not args.force_text_column:
        check_text_column(table, text_col)
    out = prepare_output(args, table)
    if args.model is None and default_model_dir(models_dir()) is None:
        console.print(Notes.NO_MODEL_YET)
        default_training()
    loaded, _ = load_model_arg(args, args.codeframe)
    coder = loaded.coder
    if args.explain and not can_explain(coder):
        raise UserError(Errors.CANNOT_EXPLAIN.format(kind=coder.kind))
    if args.text_column is None:
        console.print(tr("Text column: [bold]{column}[/] (guessed; use --text-column to choose)").format(column=text_col))
    texts = table.frame[text_col].tolist()
    with progress_bar(tr("Coding answers")) as update:
        coded = code_texts(coder, texts, args.target_precision, progress=update)
    drift_check(loaded, texts, args.target_precision, args.year, coded, themes=(out, text_col, args.id_column))
    result, summary = coded_frame(table.frame, coded, coder, args.target_precision)
    if args.explain:  # for each assigned code, the words that pushed it up most
        result = result.rename(columns={"explain": "explain_input"})
        result["explain"] = explain_column(coder, texts, scores=coded.distinct)
    write_table(result, out, delimiter=table.delimiter, decimal=decimal_mark(args, table),
                sav_options={"frame": coder.frame, "column_labels": table.column_labels}, source=table)
    console.print(summary_table(summary, coder.frame, f"{loaded.name} ({coder_label(loaded.metadata)})"))
    console.print(tr("Wrote [bold]{path}[/] ({n} rows).").format(path=out, n=integer(summary.n_rows)))
    show_decimal(args, table, out)
    if summary.n_review and out.suffix.lower() != ".sav":
        console.print(tr("Next: review the {n} flagged answers with [bold]{command}[/]").format(
            n=integer(summary.n_review), command=escape(command('review', out, '--text-column', text_col))),
            soft_wrap=True)
    return 0


def code_questions(args, table, project_file: Path, questions) -> int:
    """Code every question of `questions` whose column is in `table`; each question's columns
    carry its key as a prefix. Everything is checked, and every model trained or loaded,
    before the first answer is coded."""
    if len(questions) > 1:
        for option in ("model", "codeframe"):
            if getattr(args, option):
                raise UserError(Errors.QUESTION_MODEL_OPTION.format(option=option, path=project_file,
                                                                    n=len(questions), project=project_file.name))
    found, missing = match_questions(table, questions, project_file.name)
    console.print(Notes.QUESTIONS_FOUND.format(path=table.path.name, found=", ".join(
        f"{q.key} ('{col}')" for q, col in found)), soft_wrap=True)
    if missing:
        console.print(Notes.QUESTIONS_NOT_FOUND.format(missing=", ".join(f"{q.key} ('{q.column}')" for q in missing)),
                      soft_wrap=True)
    if not args.force_text_column:
        for _, col in found:
            check_text_column(table, col)
    out = prepare_output(args, table)
    models = []
    for q, _ in found:
        if args.model is not None:  # one question: --model (and --codeframe) as without questions
            loaded, frame = load_model_arg(args, args.codeframe or str(q.codeframe))
        else:
            loaded, frame = question_model(q, args.trust_model)
        if args.explain and not can_explain(loaded.coder):
            raise UserError(Errors.CANNOT_EXPLAIN.format(kind=loaded.coder.kind))
        models.append(loaded)
    parts, summaries = [], []
    empty = pd.DataFrame(index=table.frame.index)
    for (q, col), loaded in zip(found, models):
        coder = loaded.coder
        console.print(Notes.QUESTION_HEADER.format(key=q.key, column=col, frame=coder.frame.name, model=loaded.name),
                      soft_wrap=True)
        texts = table.frame[col].tolist()
        with progress_bar(tr("Coding {key}").format(key=q.key)) as update:
            coded = code_texts(coder, texts, args.target_precision, progress=update)
        drift_check(loaded, texts, args.target_precision, args.year, coded, themes=(out, col, args.id_column, q.key))
        added, summary = coded_frame(empty, coded, coder, args.target_precision)
        if args.explain:
            added["explain"] = explain_column(coder, texts, scores=coded.distinct)
        parts.append(prefixed(added, q.key))
        summaries.append(summary)
    result = join_coded(table.frame, parts)
    write_table(result, out, delimiter=table.delimiter, decimal=decimal_mark(args, table), source=table, sav_options={
        "questions": [(q.key, loaded.coder.frame, question_label(table, col, loaded.coder.frame))
                      for (q, col), loaded in zip(found, models)],
        "column_labels": table.column_labels})
    for (q, _), loaded, summary in zip(found, models, summaries):
        console.print(summary_table(summary, loaded.coder.frame, f"{loaded.name} ({coder_label(loaded.metadata)})",
                                    question=q.key))
    console.print(tr("Wrote [bold]{path}[/] ({n} rows; questions {keys}).").format(
        path=out, n=integer(len(result)), keys=", ".join(q.key for q, _ in found)))
    show_decimal(args, table, out)
    flagged = [(q, s.n_review) for (q, _), s in zip(found, summaries) if s.n_review]
    if flagged and out.suffix.lower() != ".sav":
        for q, n in flagged:
            console.print(tr("Next: review the {n} flagged answers to {key} with [bold]{command}[/]").format(
                n=integer(n), key=q.key, command=escape(command('review', out, '--question', q.key))), soft_wrap=True)
    return 0


def prepare_output(args, table) -> Path:
    """Checks shared by one question and several, before any work: the year column, the id
    column, and an output that may be written (not an input; an existing one only with --overwrite)."""
    add_year(table, args.year)
    if args.id_column:
        pick_column(table, args.id_column, "id-column")
    out = Path(args.out) if args.out else default_output(table.path)
    check_output(out, [table.path], overwrite=args.overwrite)
    if args.overwrite and out.exists():
        console.print(Notes.OVERWRITING.format(path=out))
    return out


def decimal_mark(args, table) -> str:
    """--decimal, else the input's own convention (a decimal comma for a `;`-CSV)."""
    return DECIMAL_MARKS[args.decimal] if args.decimal else table.decimal


def show_decimal(args, table, out: Path) -> None:
    """Say when a coded CSV's numbers have decimal commas, and how to get points."""
    if out.suffix.lower() == ".csv" and decimal_mark(args, table) == ",":
        console.print(Notes.DECIMAL_COMMA.format(path=escape(str(out))), soft_wrap=True)


def question_label(table, column: str, frame) -> str:
    """What a question is called in SPSS: its variable label in a .sav input, else its header
    when that reads like a question (it has a space), else the code frame's question."""
    label = table.column_labels.get(column) or (column if " " in column.strip() else "")
    return label or frame.question or column


def default_output(path: Path) -> Path:
    suffix = path.suffix.lower() if path.suffix.lower() in (".csv", ".xlsx", ".sav") else ".csv"
    return path.with_name(f"{path.stem}_coded{suffix}")


def summary_table(summary, frame, model_name: str, question: str | None = None) -> Table:
    """Counts and shares per code, the review share, and the non-answers."""
    n = summary.n_answers
    title = (tr("Question {key}: coded with {model}").format(key=question, model=model_name) if question
             else tr("Coded with {model}").format(model=model_name))
    table = Table(title=title, title_justify="left")
    table.add_column(tr("code"))
    table.add_column(tr("name"))
    table.add_column(tr("answers"), justify="right")
    table.add_column(tr("share"), justify="right")
    for key, count in summary.counts.items():
        table.add_row(key, frame.code(key).name, integer(count), pct(count / n if n else None))
    table.add_section()
    table.add_row(tr("needs review"), tr("to keep {target} precision; why (review_reason):").format(target=pct(summary.target_precision)),
                  integer(summary.n_review), pct(summary.n_review / n if n else None))
    for why, count in sorted((summary.reasons or {}).items(), key=lambda kv: -kv[1]):
        table.add_row("", f"  {tr(why)}", integer(count), pct(count / n if n else None))
    table.add_row(tr("auto-coded"), "", integer(n - summary.n_review), pct((n - summary.n_review) / n if n else None))
    table.add_row(tr("empty / no answer"), tr("not coded"), integer(summary.n_empty),
                  pct(summary.n_empty / summary.n_rows if summary.n_rows else None))
    return table


def register(sub) -> None:
    p = add_command(sub, "predict", run)
    p.add_argument("input", metavar="INPUT", help="survey file: .csv, .xlsx or .sav")
    p.add_argument("--text-column", metavar="COL",
                   help="code this one column (default: the questions in survey-coder.toml; without any, "
                        "the column with the longest texts)")
    add_question_option(p, "code")
    p.add_argument("--id-column", metavar="COL", help="respondent id column (kept as is)")
    add_model_options(p)
    p.add_argument("--out", metavar="OUTPUT", help="coded file: .csv, .xlsx or .sav (default: INPUT_coded.*)")
    add_target_option(p)
    p.add_argument("--codeframe", metavar="FILE", help="refuse a model trained with another code frame")
    p.add_argument("--year", metavar="YEAR", help="survey year of this file: written to a 'year' column for 'report'")
    p.add_argument("--explain", action="store_true", help="add an 'explain' column: each code's top 3 words")
    p.add_argument("--force-text-column", action="store_true",
                   help="code the --text-column even if it holds mostly numbers, dates or codes")
    p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    p.add_argument("--decimal", choices=sorted(DECIMAL_MARKS),
                   help="decimal mark of the numbers added to a CSV output (default: the input's own: "
                        "comma for a ';'-separated file or decimal commas, else point)")
    add_sheet_option(p)
