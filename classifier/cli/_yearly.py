"""What `predict` does for a new survey year: mark the year, and check the answers fit the model."""

from __future__ import annotations

import re
from pathlib import Path

from rich.markup import escape

from ..drift import check_drift
from ..errors import Errors, UserError, Warnings
from ..i18n import integer, tr
from ..paths import models_dir
from ..tables import YEAR_COLUMNS, find_column
from ._util import command, console, err_console, pct, show_warnings, warn

_YEAR = re.compile(r"^\d{4}$")


def add_year(table, year: str | None) -> None:
    """Write --year into a new 'year' column (an existing year column is kept as it is)."""
    if year is None:
        return
    year = str(year).strip()
    if not _YEAR.match(year):
        raise UserError(Errors.BAD_YEAR.format(value=year))
    df = table.frame
    existing = find_column(df.columns, YEAR_COLUMNS)
    if existing is None:
        df["year"] = year
        return
    values = sorted(set(df[existing].astype(str).str.strip()))
    if values != [year]:
        shown = ", ".join(values[:5]) + (" ..." if len(values) > 5 else "")
        warn(Warnings.YEAR_COLUMN_KEPT.format(path=table.path, column=existing, values=shown, year=year))


def themes_command(report, loaded, coded_file: Path, text_column: str, id_column: str | None = None,
                   key: str | None = None) -> str | None:
    """The `themes` command that shows what is new, when the drift check warns about words the
    model never saw or a code's share rising (else None). It runs on the coded file, on the
    answers of the code that rose most, else those of the fallback code, else those flagged for
    review, with the model for its verdicts."""
    words = report.unseen_words is not None and report.unseen_words.warn
    rising = sorted((c.change, k) for k, c in report.code_shares.items() if c.warn and c.change > 0)
    if not words and not rising:
        return None
    frame = loaded.coder.frame
    code = rising[-1][1] if rising else frame.fallback
    shares = report.code_shares
    if code is not None and (code not in shares or shares[code].observed > 0):
        where = ["--where-code", code]
    else:  # themes reads the review flags of an unprefixed file only
        where = [] if key else ["--where-review"]
    prefix = f"{key}_" if key else ""
    labels = ["--labels-column", f"{prefix}labels"] if key and where[:1] == ["--where-code"] else []
    ids = ["--id-column", id_column] if id_column else []
    out = coded_file.with_name(f"{coded_file.stem}{'_' + key if key else ''}_themes")
    return command("themes", coded_file, "--text-column", text_column, *ids, *where, *labels,
                   "--model", model_ref(loaded), "--out", out)


def model_ref(loaded) -> str:
    """How a hint names a model: its folder name when it is in the project's models/, else its path."""
    try:
        inside = loaded.path.resolve().parent == models_dir().resolve()
    except UserError:  # no project
        inside = False
    return loaded.name if inside else str(loaded.path)


def drift_check(loaded, texts, target_precision: float, year: str | None = None, coded=None, themes=None):
    """Print whether the answers look like the model's training answers, and how many
    answers need review; `coded` (from code_texts) saves scoring the answers twice. With
    `themes` (themes_command's arguments after the report and model), a warning about new
    words or a rising code ends with the `themes` command that shows what is new."""
    meta = loaded.metadata or {}
    report = check_drift(loaded.coder, texts, meta, target_precision, coded=coded)
    trained_years = ", ".join(meta.get("training_data", {}).get("years", {}) or []) or tr("unknown years")
    these = tr("the {year} answers").format(year=year) if year else tr("these answers")
    sample = tr(" (a sample of {n})").format(n=integer(report.n_checked)) if report.n_checked < report.n_answers else ""
    console.print(tr("Checking that {these}{sample} fit model [bold]{model}[/] (trained on {years}):").format(
        these=these, sample=sample, model=loaded.name, years=trained_years))
    low, words = report.low_confidence, report.unseen_words
    console.print("  " + tr("low confidence: {observed} of the answers (training answers in cross-validation: {expected})")
                  .format(observed=pct(low.observed), expected=pct(low.expected)))
    if words is not None:
        console.print("  " + tr("words the model never saw: {observed} (about {expected} is normal)").format(
            observed=pct(words.observed), expected=pct(words.expected)))
    if report.code_shares:
        key, c = max(report.code_shares.items(), key=lambda kv: abs(kv[1].change))
        name = loaded.coder.frame.code(key).name or key
        console.print("  " + tr("largest change in a code's share: {name} {expected} in training -> {observed} now").format(
            name=name, expected=pct(c.expected), observed=pct(c.observed)))
    show_warnings(report.warnings)
    hint = themes_command(report, loaded, *themes) if themes is not None else None
    if hint:
        err_console.print("  " + escape(Warnings.DRIFT_THEMES.format(command=hint)), soft_wrap=True)
    show_warnings(report.notes)
    if not report.warnings:
        console.print("  [green]" + tr("The answers look like the training answers.") + "[/]")
    about = tr("About ") if report.n_checked < report.n_answers else ""
    console.print(tr("{about}[bold]{n}[/] of {total} answers ({share}) should go to review "
                     "(estimated precision below {target}).").format(
        about=about, n=integer(report.review_estimate), total=integer(report.n_answers), share=pct(report.review_share),
        target=pct(target_precision)))
    return report
