"""The columns `predict` adds to a survey table, by name: kept apart so that the readers
and writers of coded files (tables, spss, report) can name them without importing the
coding itself (which reads tables: one way only)."""

from __future__ import annotations

RESULT_COLUMNS = ("labels", "confidence", "needs_review", "review_reason")  # what predict adds, before p_<code>


def probability_columns(keys: list[str]) -> list[str]:
    """The p_<code> column of each code, in frame order."""
    return [f"p_{k}" for k in keys]
