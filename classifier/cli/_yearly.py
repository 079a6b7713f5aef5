"""What `predict` does for a new survey year: mark the year, and check the answers fit the model."""

from __future__ import annotations

import re

from ..drift import check_drift
from ..errors import Errors, UserError, Warnings
from ..tables import YEAR_COLUMNS, find_column
from ._util import console, pct, show_warnings, warn

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


def drift_check(loaded, texts, target_precision: float, year: str | None = None, coded=None):
    """Print whether the answers look like the model's training answers, and how many
    answers need review; `coded` (from code_texts) saves scoring the answers twice."""
    meta = loaded.metadata or {}
    report = check_drift(loaded.coder, texts, meta, target_precision, coded=coded)
    trained_years = ", ".join(meta.get("training_data", {}).get("years", {}) or []) or "unknown years"
    these = f"the {year} answers" if year else "these answers"
    sample = f" (a sample of {report.n_checked})" if report.n_checked < report.n_answers else ""
    console.print(f"Checking that {these}{sample} fit model [bold]{loaded.name}[/] (trained on {trained_years}):")
    low, words = report.low_confidence, report.unseen_words
    console.print(f"  low confidence: {pct(low.observed)} of the answers (training answers in cross-validation: {pct(low.expected)})")
    if words is not None:
        console.print(f"  words the model never saw: {pct(words.observed)} (about {pct(words.expected)} is normal)")
    if report.code_shares:
        key, c = max(report.code_shares.items(), key=lambda kv: abs(kv[1].change))
        name = loaded.coder.frame.code(key).name or key
        console.print(f"  largest change in a code's share: {name} {pct(c.expected)} in training -> {pct(c.observed)} now")
    show_warnings(report.warnings + report.notes)
    if not report.warnings:
        console.print("  [green]The answers look like the training answers.[/]")
    about = "About " if report.n_checked < report.n_answers else ""
    console.print(f"{about}[bold]{report.review_estimate}[/] of {report.n_answers} answers ({pct(report.review_share)}) "
                  f"should go to review (estimated precision below {pct(target_precision)}).")
    return report
