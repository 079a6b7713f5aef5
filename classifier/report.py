"""Year-over-year report on coded survey files: how the needs changed from year to year.

For one or more coded files (the output of `predict`, or files coded by people) it counts,
per survey year, the answers carrying each code and their share of all non-empty
answers, with 95 % Wilson confidence intervals; the same per group of an optional
column (fylke, municipality size, ...); the share flagged for review; changes between
consecutive years (two-proportion z-test); and example answers per code. Answers coded
with the code frame's previous version are translated with its `[frame.previous]` map
(see `versions`), so the rows stay comparable across years.

`write_report` writes report.md, report.html, PNG charts and report.xlsx (one sheet per
table) into a folder, each file atomically.
"""

from __future__ import annotations

import html
import re
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from .codeframe import CodeFrame, split_labels
from .coding import RESULT_COLUMNS
from .drift import two_proportion_test
from .errors import Errors, UserError, Warnings
from .tables import (
    YEAR_COLUMNS,
    Table,
    atomic_path,
    find_column,
    guess_text_column,
    pick_column,
    read_table,
    write_xlsx,
)
from .versions import Remapped, previous_map, remap_cell

_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
YEAR = "_year"
SOURCE = "_source"
ROW = "_row"
TEXT = "_text"  # each file's answer column, whatever its name there
MAX_GROUPS_IN_CHART = 8
EXAMPLE_CHARS = 300


# -- statistics ---------------------------------------------------------------------
def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (nan, nan) when n is 0."""
    if n <= 0:
        return float("nan"), float("nan")
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# -- reading ------------------------------------------------------------------------
def year_from_name(path: Path) -> str | None:
    found = _YEAR_IN_NAME.findall(Path(path).stem)
    return found[-1] if found else None


def read_coded_files(paths, year_column: str | None = None, years: list[str] | None = None,
                     labels_column: str = "labels", text_column: str | None = None) -> tuple[pd.DataFrame, list[Table]]:
    """All coded files in one table, with the survey year of each row in column `_year`
    and its answer in `_text`.

    The year comes from `year_column`, else `years` (one per file), else a column named
    year/år, else a year in the file name (e.g. kommuneundersokelsen_2019_coded.csv).
    The answer column is `text_column`, else guessed in each file (files may differ).
    """
    paths = [Path(p) for p in paths]
    if years and len(years) != len(paths):
        raise UserError(Errors.YEARS_COUNT.format(n=len(years), m=len(paths)))
    frames, tables = [], []
    for i, path in enumerate(paths):
        table = read_table(path)
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
    for cell, src, row in zip(df[labels_column], df[SOURCE], df[ROW], strict=True):
        remapped.append(remap_cell(cell, frame, f"{src} row {row}", mapping) if split_labels(cell) else None)
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
            years=", ".join(in_years), code=old, new=" and ".join(g), group=" + ".join(frame.code(k).name or k for k in g)))

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
    conf = pd.to_numeric(df["confidence"], errors="coerce") if "confidence" in df.columns else None
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


def _text_column(table: Table, text_column, labels_column) -> str:
    """The answer column of one coded file: the one named, else the longest texts that are not codes."""
    if text_column:
        return pick_column(table, text_column, "text-column")
    df = table.frame
    skip = set(RESULT_COLUMNS) | {labels_column} | {c for c in df.columns if str(c).startswith("p_")}
    candidates = df[[c for c in df.columns if c not in skip and c.lower() not in YEAR_COLUMNS]]
    return guess_text_column(Table(candidates, table.path))


def _examples(df, rows, has, answered, n_examples) -> pd.DataFrame:
    """Per code, the answers the model was surest of (not flagged for review), newest year first."""
    conf = pd.to_numeric(df["confidence"], errors="coerce") if "confidence" in df.columns else pd.Series(np.nan, index=df.index)
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


# -- writing ------------------------------------------------------------------------
def report_files(out_dir: Path, report: Report) -> dict[str, Path]:
    """The files `write_report` makes: name -> path."""
    files = {"md": out_dir / "report.md", "html": out_dir / "report.html", "xlsx": out_dir / "report.xlsx",
             "chart_years": out_dir / "shares_by_year.png"}
    if report.by_group is not None:
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", report.by).strip("_") or "group"
        for y in report.years:
            files[f"chart_by_{y}"] = out_dir / f"shares_by_{slug}_{y}.png"
    return files


def write_report(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """Write report.md, report.html, report.xlsx and the charts into `out_dir`."""
    out_dir = Path(out_dir)
    files = report_files(out_dir, report)
    charts = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts["years"] = _save_chart(files["chart_years"], _years_chart(report))
        for y in report.years if report.by_group is not None else []:
            charts[y] = _save_chart(files[f"chart_by_{y}"], _group_chart(report, y))
    report.notes += [str(w.message) for w in caught if "missing from" in str(w.message)]
    with atomic_path(files["xlsx"]) as tmp:
        write_xlsx(report.sheets(), tmp)
    with atomic_path(files["md"]) as tmp:
        tmp.write_text(render_markdown(report, files), encoding="utf-8")
    with atomic_path(files["html"]) as tmp:
        tmp.write_text(render_html(report, files), encoding="utf-8")
    return files


def _save_chart(path: Path, fig) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight", metadata={"Software": None})
    return path


def _wrap(name: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(name, width)) or name


def _bar_chart(labels: list[str], series: list[tuple[str, list, list, list]], title: str):
    """Horizontal grouped bars: one group per label, one bar per series, with CI whiskers."""
    from matplotlib.figure import Figure

    n_series = max(1, len(series))
    height = max(2.5, 0.5 + len(labels) * (0.28 * n_series + 0.35))
    fig = Figure(figsize=(8.5, height))
    ax = fig.add_subplot()
    step = 0.8 / n_series
    ypos = np.arange(len(labels))
    colors = [f"C{i % 10}" for i in range(n_series)]
    for i, (name, share, lo, hi) in enumerate(series):
        s = np.array([np.nan if v is None else v for v in share], dtype=float) * 100
        lo_ = np.array([np.nan if v is None else v for v in lo], dtype=float) * 100
        hi_ = np.array([np.nan if v is None else v for v in hi], dtype=float) * 100
        err = np.vstack([np.nan_to_num(s - lo_), np.nan_to_num(hi_ - s)])
        pos = ypos - 0.4 + step * (i + 0.5)
        ax.barh(pos, np.nan_to_num(s), height=step * 0.9, xerr=err, color=colors[i], label=str(name),
                error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#333333"})
    ax.set_yticks(ypos, [_wrap(x) for x in labels])
    ax.invert_yaxis()
    ax.set_xlabel("Share of answers (%), with 95 % confidence interval")
    highs = [v for _, share, _, hi in series for v in (*share, *hi) if v is not None and not np.isnan(v)]
    ax.set_xlim(0, min(100, 10 * np.ceil((100 * max(highs, default=1.0) + 5) / 10)))
    ax.set_title(title, loc="left")
    ax.grid(axis="x", alpha=0.3)
    if n_series > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def _years_chart(report: Report):
    s = report.shares
    series = []
    for y in report.years:
        part = s[s["year"] == y].set_index("code")
        series.append((y, *[[part.loc[r.key, c] for r in report.rows] for c in ("share", "ci_low", "ci_high")]))
    return _bar_chart([r.name for r in report.rows], series, f"{report.frame.name}: share of answers per code and year")


def _group_chart(report: Report, year: str):
    g = report.by_group[report.by_group["year"] == year]
    groups = list(dict.fromkeys(g[report.by]))[:MAX_GROUPS_IN_CHART]
    series = []
    for grp in groups:
        part = g[g[report.by] == grp].set_index("code")
        n = int(part["answers"].iloc[0])
        series.append((f"{grp} (n={n})", *[[part.loc[r.key, c] for r in report.rows] for c in ("share", "ci_low", "ci_high")]))
    more = len(dict.fromkeys(g[report.by])) - len(groups)
    title = f"{year}: share of answers per code by {report.by}" + (f" (largest {len(groups)} groups; {more} more in the tables)" if more > 0 else "")
    return _bar_chart([r.name for r in report.rows], series, title)


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.1f} %"


def _cell(count, share, lo, hi) -> str:
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return "–"
    return f"{int(count)} ({_pct(share)}; {_pct(lo)}–{_pct(hi)})"


def _display_tables(report: Report) -> dict[str, pd.DataFrame]:
    """The tables as people read them (formatted text), for Markdown and HTML."""
    s = report.shares.set_index(["code", "year"])
    main = {"Code": [r.name for r in report.rows], "Key": [r.key for r in report.rows]}
    for y in report.years:
        main[str(y)] = [_cell(*s.loc[(r.key, y), ["count", "share", "ci_low", "ci_high"]]) for r in report.rows]
    main_df = pd.DataFrame(main)
    n_row = {"Code": "Answers (not empty)", "Key": ""}
    n_row.update({str(y): str(int(report.review.set_index("year").loc[y, "answers"])) for y in report.years})
    main_df = pd.concat([main_df, pd.DataFrame([n_row])], ignore_index=True)

    rv = report.review
    review = pd.DataFrame({
        "Year": rv["year"], "Rows": rv["rows"], "Empty": rv["empty"], "Answers": rv["answers"],
        "Needs review": [_cell(k, s_, lo, hi) for k, s_, lo, hi in zip(rv["needs_review"], rv["review_share"], rv["ci_low"], rv["ci_high"], strict=True)],
        "Mean confidence": ["–" if c is None or pd.isna(c) else f"{c:.2f}" for c in rv["mean_confidence"]],
    })
    ch = report.changes
    changes = pd.DataFrame({
        "Code": ch["name"], "Years": [f"{a} → {b}" for a, b in zip(ch["from_year"], ch["to_year"], strict=True)],
        "Share": [f"{_pct(a)} → {_pct(b)}" for a, b in zip(ch["share_from"], ch["share_to"], strict=True)],
        "Change": [f"{100 * c:+.1f} pp" for c in ch["change"]],
        "p": [f"{p:.3f}" if p >= 0.001 else "<0.001" for p in ch["p_value"]],
    })
    out = {"counts": main_df, "review": review, "changes": changes}
    if report.by_group is not None:
        g = report.by_group
        grp = pd.DataFrame({"Year": g["year"], report.by: g[report.by], "Code": g["name"], "Answers": g["answers"],
                            "Count (share; 95 % CI)": [_cell(k, s_, lo, hi) for k, s_, lo, hi in
                                                       zip(g["count"], g["share"], g["ci_low"], g["ci_high"], strict=True)]})
        out["by_group"] = grp
    ex = report.examples
    out["examples"] = pd.DataFrame({
        "Code": ex["name"], "Year": ex["year"],
        "Confidence": ["–" if c is None or pd.isna(c) else f"{c:.2f}" for c in ex["confidence"]],
        "Answer": [_shorten(t) for t in ex["text"]],
    })
    return out


def _shorten(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"


SECTIONS = [
    ("counts", "Answers per code and year", "Count (share of non-empty answers; 95 % Wilson confidence interval). "
               "An answer can carry several codes, so shares can add up to more than 100 %."),
    ("review", "Answers flagged for review", "Answers whose estimated precision was below the target when coded."),
    ("changes", "Changes between years", "Change in share (percentage points) with the p-value of a two-proportion z-test."),
    ("by_group", "By group", "Count and share per code within each group."),
    ("examples", "Example answers", "Per code, the answers the model was surest of (not flagged for review), newest year first."),
]


def _md_table(df: pd.DataFrame) -> str:
    def esc(v) -> str:
        return str(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(esc(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _intro(report: Report) -> list[str]:
    f = report.frame
    lines = [f"Code frame: {f.name} (version {f.version}). Years: {', '.join(map(str, report.years))}. "
             f"Files: {', '.join(report.sources)}."]
    if f.question:
        lines.append(f"Question: {f.question}")
    return lines


def render_markdown(report: Report, files: dict[str, Path]) -> str:
    tables = _display_tables(report)
    out = [f"# Report: {report.frame.name}", ""]
    out += [line + "\n" for line in _intro(report)]
    for note in report.notes:
        out.append(f"> Note: {note}\n")
    out.append(f"![Share of answers per code and year]({files['chart_years'].name})\n")
    for key, title, text in SECTIONS:
        if key not in tables:
            continue
        out += [f"## {title}", "", text, ""]
        if key == "by_group":
            out += [f"![{report.by} {y}]({files[f'chart_by_{y}'].name})\n" for y in report.years]
        out += [_md_table(tables[key]), ""]
    return "\n".join(out)


def render_html(report: Report, files: dict[str, Path]) -> str:
    tables = _display_tables(report)
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="nb">', "<head>", '<meta charset="utf-8">',
        f"<title>Report: {e(report.frame.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}"
        ".note{background:#fff7e0;padding:.5em}</style>",
        "</head>", "<body>", f"<h1>Report: {e(report.frame.name)}</h1>",
    ]
    parts += [f"<p>{e(line)}</p>" for line in _intro(report)]
    parts += [f'<p class="note">Note: {e(n)}</p>' for n in report.notes]
    parts.append(f'<img src="{e(files["chart_years"].name)}" alt="Share of answers per code and year">')
    for key, title, text in SECTIONS:
        if key not in tables:
            continue
        parts += [f"<h2>{e(title)}</h2>", f"<p>{e(text)}</p>"]
        if key == "by_group":
            parts += [f'<img src="{e(files[f"chart_by_{y}"].name)}" alt="{e(str(report.by))} {e(str(y))}">'
                      for y in report.years]
        parts.append(tables[key].to_html(index=False, escape=True, na_rep="–", border=0))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
