"""Year-over-year report on coded survey files: how the needs changed from year to year.

For one or more coded files (the output of `predict`, or files coded by people) it counts,
per survey year, the answers carrying each code and their share of all non-empty
answers, with 95 % Wilson confidence intervals; the same per group of an optional
column (fylke, municipality size, ...); the share flagged for review; changes between
consecutive years (two-proportion z-test); and example answers per code. Answers coded
with the code frame's previous version are translated with its `[frame.previous]` map
(see `versions`), so the rows stay comparable across years.

This module reads the coded files and builds the tables (`Report`); `report_render`
writes them as Markdown, HTML, PNG charts and XLSX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .coded_columns import RESULT_COLUMNS
from .codeframe import CodeFrame, split_labels
from .errors import Errors, UserError, Warnings
from .questions import unprefixed
from .stats import two_proportion_test, wilson_interval
from .tables import (
    YEAR_COLUMNS,
    Table,
    find_column,
    guess_text_column,
    pick_column,
    read_numbers,
    read_table,
)
from .versions import Remapped, previous_map, remap_cell

_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
YEAR = "_year"
SOURCE = "_source"
ROW = "_row"
TEXT = "_text"  # each file's answer column, whatever its name there


# -- reading ------------------------------------------------------------------------
def year_from_name(path: Path) -> str | None:
    found = _YEAR_IN_NAME.findall(Path(path).stem)
    return found[-1] if found else None


def read_coded_files(paths, year_column: str | None = None, years: list[str] | None = None,
                     labels_column: str = "labels", text_column: str | None = None,
                     question: str | None = None, others=()) -> tuple[pd.DataFrame, list[Table]]:
    """All coded files in one table, with the survey year of each row in column `_year`
    and its answer in `_text`.

    The year comes from `year_column`, else `years` (one per file), else a column named
    year/år, else a year in the file name (e.g. kommuneundersokelsen_2019_coded.csv).
    The answer column is `text_column`, else guessed in each file (files may differ).
    With `question` (a key of survey-coder.toml; `others`: the other keys), the files'
    `<question>_…` columns are read as `labels`, `needs_review`, `p_<code>`, ...
    """
    paths = [Path(p) for p in paths]
    if years and len(years) != len(paths):
        raise UserError(Errors.YEARS_COUNT.format(n=len(years), m=len(paths)))
    frames, tables = [], []
    for i, path in enumerate(paths):
        table = read_table(path)
        if question is not None:
            if f"{question}_{labels_column}" not in table.frame.columns:
                raise UserError(Errors.QUESTION_NOT_CODED.format(path=path, column=f"{question}_{labels_column}",
                                                                 key=question))
            table.frame = unprefixed(table.frame, question, others)
        df = table.frame.copy()
        if labels_column not in df.columns:
            raise UserError(Errors.NOT_CODED.format(path=path, column=labels_column))
        if year_column:
            col = pick_column(table, year_column, "year-column")
            year = df[col].astype(str).str.strip()
        elif years:
            year = pd.Series([str(years[i]).strip()] * len(df))
        else:
            auto = find_column(df.columns, YEAR_COLUMNS)
            year = df[auto].astype(str).str.strip() if auto else pd.Series([""] * len(df))
            from_name = year_from_name(path)
            if from_name:
                year = year.where(year != "", from_name)
        if (year == "").any():
            raise UserError(Errors.NO_YEAR.format(path=path))
        df[YEAR] = year.to_numpy()
        df[TEXT] = df[_text_column(table, text_column, labels_column)].to_numpy()
        df[SOURCE] = path.name
        df[ROW] = np.arange(2, len(df) + 2)
        frames.append(df)
        tables.append(table)
    combined = pd.concat(frames, ignore_index=True).fillna("")
    return combined, tables


def _text_column(table: Table, text_column, labels_column) -> str:
    """The answer column of one coded file: the one named, else the longest texts that are not codes."""
    if text_column:
        return pick_column(table, text_column, "text-column")
    df = table.frame
    skip = set(RESULT_COLUMNS) | {labels_column} | {c for c in df.columns if str(c).startswith("p_")}
    candidates = df[[c for c in df.columns if c not in skip and c.lower() not in YEAR_COLUMNS]]
    return guess_text_column(Table(candidates, table.path))


# -- the report ---------------------------------------------------------------------
@dataclass
class Row:
    """A row of the report: a code, or (after a split) the new codes together."""

    key: str
    name: str
    members: tuple[str, ...]

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1


@dataclass
class Report:
    frame: CodeFrame
    years: list[str]
    rows: list[Row]
    shares: pd.DataFrame
    review: pd.DataFrame
    changes: pd.DataFrame
    examples: pd.DataFrame
    by: str | None = None
    by_group: pd.DataFrame | None = None
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts_table(self) -> pd.DataFrame:
        """Wide: one row per code, per year its count and share (the main table)."""
        wide = self.shares.pivot(index="code", columns="year", values=["count", "share"])
        out = pd.DataFrame({"code": [r.key for r in self.rows], "name": [r.name for r in self.rows]})
        for y in self.years:
            out[f"{y} count"] = [wide.loc[r.key, ("count", y)] for r in self.rows]
            out[f"{y} share"] = [wide.loc[r.key, ("share", y)] for r in self.rows]
        return out

    def sheets(self) -> dict[str, pd.DataFrame]:
        out = {"counts": self.counts_table(), "shares": self.shares, "review": self.review}
        if self.by_group is not None:
            out["by_group"] = self.by_group
        out["changes"] = self.changes
        out["examples"] = self.examples
        return out


def year_key(y: str):
    return (0, int(y), "") if str(y).isdigit() else (1, 0, str(y))


def build_report(df: pd.DataFrame, frame: CodeFrame, by: str | None = None, labels_column: str = "labels",
                 n_examples: int = 3) -> Report:
    """Every table of the report from the rows of `read_coded_files`."""
    mapping = previous_map(frame)
    remapped: list[Remapped | None] = []
    at_row = Errors.AT_ROW
    for cell, src, row in zip(df[labels_column], df[SOURCE], df[ROW], strict=True):
        remapped.append(remap_cell(cell, frame, at_row.format(path=src, row=row), mapping) if split_labels(cell) else None)
    answered = np.array([r is not None for r in remapped])
    years = sorted(df[YEAR].unique(), key=year_key)
    groups_seen = {g for r in remapped if r for g in r.groups}
    rows = [Row(k, frame.code(k).name or k, (k,)) for k in frame.keys]
    rows += [Row("+".join(g), " + ".join(frame.code(k).name or k for k in g), g)
             for g in (tuple(v) for v in mapping.values() if len(v) > 1) if g in groups_seen]
    has = {r.key: np.array([_has(m, r.members) for m in remapped]) for r in rows}
    # Years where a code had not yet been split cannot say anything about the new codes.
    year_arr = df[YEAR].to_numpy()
    blocked = {r.key: set() for r in rows}
    notes = []
    for g in sorted(groups_seen):
        in_years = sorted({y for y, m in zip(year_arr, remapped, strict=True) if m and g in m.groups}, key=year_key)
        for k in g:
            blocked[k] |= set(in_years)
        old = next((o for o, v in mapping.items() if v == g), "?")
        notes.append(Warnings.SPLIT_NOT_COMPARABLE.format(
            years=", ".join(in_years), code=old, new=Errors.JOIN_AND.join(g), group=" + ".join(frame.code(k).name or k for k in g)))

    shares = _share_rows(rows, years, year_arr, answered, has, blocked, {})
    review = _review_table(df, years, year_arr, answered)
    changes = _changes(shares, rows, years)
    by_group = None
    if by:
        by_col = pick_column(_public(df), by, "by")
        labels = df[by_col].astype(str).str.strip().replace("", "(blank)").to_numpy()
        parts = []
        for g in _group_order(labels, answered):
            mask = labels == g
            part = _share_rows(rows, years, year_arr, answered & mask, has, blocked, {by_col: g})
            parts.append(part)
        by_group = pd.concat(parts, ignore_index=True)
        by_group = by_group[by_group["answers"] > 0].reset_index(drop=True)
        by = by_col
    examples = _examples(df, rows, has, answered, n_examples)
    return Report(frame, years, rows, shares, review, changes, examples, by, by_group,
                  sorted(df[SOURCE].unique()), notes)


def _public(df: pd.DataFrame) -> Table:
    """The coded files' own columns (without the report's bookkeeping), for column errors."""
    return Table(df.drop(columns=[YEAR, SOURCE, ROW, TEXT]), Path("the coded files"))


def _has(m: Remapped | None, members: tuple[str, ...]) -> bool:
    if m is None:
        return False
    if any(k in m.keys for k in members):
        return True
    return len(members) > 1 and members in m.groups


def _share_rows(rows, years, year_arr, answered, has, blocked, extra: dict) -> pd.DataFrame:
    out = []
    for y in years:
        in_year = (year_arr == y) & answered
        n = int(in_year.sum())
        for r in rows:
            if y in blocked[r.key]:
                k, share, lo, hi = None, None, None, None
            else:
                k = int((has[r.key] & in_year).sum())
                share = k / n if n else None
                lo, hi = wilson_interval(k, n) if n else (None, None)
            out.append({"year": y, **extra, "code": r.key, "name": r.name, "answers": n, "count": k,
                        "share": share, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(out)


def _review_table(df, years, year_arr, answered) -> pd.DataFrame:
    review = _flag(df["needs_review"]) if "needs_review" in df.columns else None
    flagged = df["needs_review"].astype(str).str.strip() != "" if review is not None else None
    conf = read_numbers(df["confidence"]) if "confidence" in df.columns else None
    out = []
    for y in years:
        in_year = year_arr == y
        n = int((in_year & answered).sum())
        row = {"year": y, "rows": int(in_year.sum()), "empty": int((in_year & ~answered).sum()), "answers": n}
        if review is not None and n and flagged[in_year & answered].all():  # files coded by people have no flags
            k = int((review.to_numpy() & in_year & answered).sum())
            lo, hi = wilson_interval(k, n)
            row.update({"needs_review": k, "review_share": k / n, "ci_low": lo, "ci_high": hi})
        else:
            row.update({"needs_review": None, "review_share": None, "ci_low": None, "ci_high": None})
        c = conf[in_year & answered] if conf is not None else None
        row["mean_confidence"] = float(c.mean()) if c is not None and c.notna().any() else None
        out.append(row)
    return pd.DataFrame(out)


def _flag(s: pd.Series) -> pd.Series:
    """needs_review as written by predict (true/false) or read back from .sav (1/0)."""
    return s.astype(str).str.strip().str.lower().isin(["true", "1", "1.0", "ja", "yes"])


def _changes(shares: pd.DataFrame, rows, years) -> pd.DataFrame:
    """Each code's change in share between consecutive years, with a two-proportion z-test."""
    out = []
    idx = shares.set_index(["code", "year"])
    for r in rows:
        for a, b in zip(years, years[1:], strict=False):
            ra, rb = idx.loc[(r.key, a)], idx.loc[(r.key, b)]
            if pd.isna(ra["count"]) or pd.isna(rb["count"]) or not ra["answers"] or not rb["answers"]:
                continue
            p = two_proportion_test(int(rb["count"]), int(rb["answers"]), int(ra["count"]), int(ra["answers"]))
            out.append({"code": r.key, "name": r.name, "from_year": a, "to_year": b,
                        "share_from": ra["share"], "share_to": rb["share"],
                        "change": rb["share"] - ra["share"], "p_value": p})
    cols = ["code", "name", "from_year", "to_year", "share_from", "share_to", "change", "p_value"]
    return pd.DataFrame(out, columns=cols)


def _group_order(labels: np.ndarray, answered: np.ndarray) -> list[str]:
    counts = pd.Series(labels[answered]).value_counts()
    return sorted(counts.index, key=lambda g: (-counts[g], g))


def _examples(df, rows, has, answered, n_examples) -> pd.DataFrame:
    """Per code, the answers the model was surest of (not flagged for review), newest year first."""
    conf = read_numbers(df["confidence"]) if "confidence" in df.columns else pd.Series(np.nan, index=df.index)
    review = _flag(df["needs_review"]) if "needs_review" in df.columns else pd.Series(False, index=df.index)
    year_rank = df[YEAR].map(lambda y: year_key(y))
    out = []
    for r in rows:
        if r.is_group:
            continue
        pick = pd.DataFrame({"conf": conf.fillna(-1.0), "review": review, "year": year_rank,
                             "pos": np.arange(len(df))})[has[r.key] & answered]
        pick = pick.sort_values(["review", "year", "conf", "pos"], ascending=[True, False, False, True])
        seen: set[str] = set()
        for i in pick["pos"]:
            text = str(df[TEXT].iat[i]).strip()
            if text in seen:
                continue
            seen.add(text)
            c = conf.iat[i]
            out.append({"code": r.key, "name": r.name, "year": df[YEAR].iat[i],
                        "confidence": None if pd.isna(c) else float(c), "text": text})
            if len(seen) >= n_examples:
                break
    return pd.DataFrame(out, columns=["code", "name", "year", "confidence", "text"])
