"""The year-over-year report written out: report.md, report.html, PNG charts and report.xlsx.

Every file is written atomically into the report folder. Markdown and HTML show the
tables as people read them (shares in per cent with their intervals, changes in
percentage points); the XLSX holds the raw tables, one sheet each; the charts show
each code's share per year, and per group when the report has groups, with 95 % intervals.
"""

from __future__ import annotations

import html
import re
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import N_, NC_, decimal, integer, percent, pgettext, signed, tr
from .report import Report
from .tables import atomic_path, write_xlsx

MAX_GROUPS_IN_CHART = 8
EXAMPLE_CHARS = 300


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
        write_xlsx(xlsx_sheets(report), tmp)
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
    ax.set_xlabel(tr("Share of answers (%), with 95 % confidence interval"))
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
    return _bar_chart([r.name for r in report.rows], series,
                      tr("{name}: share of answers per code and year").format(name=report.frame.name))


def _group_chart(report: Report, year: str):
    g = report.by_group[report.by_group["year"] == year]
    groups = list(dict.fromkeys(g[report.by]))[:MAX_GROUPS_IN_CHART]
    series = []
    for grp in groups:
        part = g[g[report.by] == grp].set_index("code")
        n = int(part["answers"].iloc[0])
        series.append((f"{grp} (n={integer(n)})", *[[part.loc[r.key, c] for r in report.rows] for c in ("share", "ci_low", "ci_high")]))
    more = len(dict.fromkeys(g[report.by])) - len(groups)
    title = tr("{year}: share of answers per code by {by}").format(year=year, by=report.by) + (
        tr(" (largest {n} groups; {more} more in the tables)").format(n=len(groups), more=more) if more > 0 else "")
    return _bar_chart([r.name for r in report.rows], series, title)


def _cell(count, share, lo, hi) -> str:
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return "–"
    return f"{integer(int(count))} ({percent(share)}; {percent(lo)}–{percent(hi)})"


def _decimal(x, digits: int = 2) -> str:
    return "–" if x is None or pd.isna(x) else decimal(x, digits)


def _p(p: float) -> str:
    return decimal(p, 3) if p >= 0.001 else "<" + decimal(0.001, 3)


def _display_tables(report: Report) -> dict[str, pd.DataFrame]:
    """The tables as people read them (formatted text), for Markdown and HTML."""
    s = report.shares.set_index(["code", "year"])
    code, key, answers, year = tr("Code"), tr("Key"), tr("Answers"), tr("Year")
    main = {code: [r.name for r in report.rows], key: [r.key for r in report.rows]}
    for y in report.years:
        main[str(y)] = [_cell(*s.loc[(r.key, y), ["count", "share", "ci_low", "ci_high"]]) for r in report.rows]
    main_df = pd.DataFrame(main)
    n_row = {code: tr("Answers (not empty)"), key: ""}
    n_row.update({str(y): integer(int(report.review.set_index("year").loc[y, "answers"])) for y in report.years})
    main_df = pd.concat([main_df, pd.DataFrame([n_row])], ignore_index=True)

    rv = report.review
    review = pd.DataFrame({
        year: rv["year"], tr("Rows"): _counts(rv["rows"]), tr("Empty"): _counts(rv["empty"]),
        answers: _counts(rv["answers"]),
        tr("Needs review"): [_cell(k, s_, lo, hi) for k, s_, lo, hi in zip(rv["needs_review"], rv["review_share"], rv["ci_low"], rv["ci_high"], strict=True)],
        tr("Mean confidence"): [_decimal(c) for c in rv["mean_confidence"]],
    })
    ch = report.changes
    changes = pd.DataFrame({
        code: ch["name"], tr("Years"): [f"{a} → {b}" for a, b in zip(ch["from_year"], ch["to_year"], strict=True)],
        tr("Share"): [f"{percent(a)} → {percent(b)}" for a, b in zip(ch["share_from"], ch["share_to"], strict=True)],
        tr("Change"): [tr("{change} pp").format(change=signed(100 * c)) for c in ch["change"]],
        "p": [_p(p) for p in ch["p_value"]],
    })
    out = {"counts": main_df, "review": review, "changes": changes}
    if report.by_group is not None:
        g = report.by_group
        grp = pd.DataFrame({year: g["year"], report.by: g[report.by], code: g["name"], answers: _counts(g["answers"]),
                            tr("Count (share; 95 % CI)"): [_cell(k, s_, lo, hi) for k, s_, lo, hi in
                                                           zip(g["count"], g["share"], g["ci_low"], g["ci_high"], strict=True)]})
        out["by_group"] = grp
    ex = report.examples
    out["examples"] = pd.DataFrame({
        code: ex["name"], year: ex["year"],
        tr("Confidence"): [_decimal(c) for c in ex["confidence"]],
        tr("Answer"): [_shorten(t) for t in ex["text"]],
    })
    return out


def _counts(values: pd.Series) -> list[str]:
    """Counts as text in the language's own format (1234; nb: 1 234)."""
    return [integer(int(v)) for v in values]


def _shorten(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"


SECTIONS = [
    ("counts", N_("Answers per code and year"), N_("Count (share of non-empty answers; 95 % Wilson confidence interval). "
               "An answer can carry several codes, so shares can add up to more than 100 %.")),
    ("review", N_("Answers flagged for review"), N_("Answers whose estimated precision was below the target when coded.")),
    ("changes", N_("Changes between years"),
     N_("Change in share (percentage points) with the p-value of a two-proportion z-test.")),
    ("by_group", N_("By group"), N_("Count and share per code within each group.")),
    ("examples", N_("Example answers"),
     N_("Per code, the answers the model was surest of (not flagged for review), newest year first.")),
]
CHART_ALT = N_("Share of answers per code and year")
# The raw tables of report.xlsx: their sheet and column names, shown in the report's language.
XLSX_NAMES = (
    NC_("xlsx", "counts"), NC_("xlsx", "shares"), NC_("xlsx", "review"), NC_("xlsx", "by_group"),
    NC_("xlsx", "changes"), NC_("xlsx", "examples"), NC_("xlsx", "code"), NC_("xlsx", "name"), NC_("xlsx", "year"),
    NC_("xlsx", "answers"), NC_("xlsx", "count"), NC_("xlsx", "share"), NC_("xlsx", "ci_low"),
    NC_("xlsx", "ci_high"), NC_("xlsx", "rows"), NC_("xlsx", "empty"), NC_("xlsx", "needs_review"),
    NC_("xlsx", "review_share"), NC_("xlsx", "mean_confidence"), NC_("xlsx", "from_year"), NC_("xlsx", "to_year"),
    NC_("xlsx", "share_from"), NC_("xlsx", "share_to"), NC_("xlsx", "change"), NC_("xlsx", "p_value"),
    NC_("xlsx", "confidence"), NC_("xlsx", "text"),
)
XLSX_YEAR_COLUMNS = {"count": NC_("xlsx", "{year} count"), "share": NC_("xlsx", "{year} share")}
_YEAR_COLUMN = re.compile(r"^(.+) (count|share)$")  # counts_table's "2020 count", "2020 share"


def xlsx_sheets(report: Report) -> dict[str, pd.DataFrame]:
    """report.xlsx's sheets: the raw tables, with sheet and column names in the report's language
    (the --by column keeps its own name)."""
    def column(name):
        year = _YEAR_COLUMN.match(str(name))
        if name == report.by or (name not in XLSX_NAMES and year is None):
            return name
        return pgettext("xlsx", XLSX_YEAR_COLUMNS[year.group(2)]).format(year=year.group(1)) if year \
            else pgettext("xlsx", name)

    return {pgettext("xlsx", name): df.rename(columns=column) for name, df in report.sheets().items()}


def _md_table(df: pd.DataFrame) -> str:
    def esc(v) -> str:
        return str(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(esc(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _title(report: Report) -> tuple[str, bool]:
    """The report's title, and whether it names the survey question (a language may title the
    report with the code frame's question; English names the code frame)."""
    f = report.frame
    if not f.question:
        return tr("Report: {name}").format(name=f.name), False
    template = pgettext("title with {question}", "Report: {name}")
    return template.format(name=f.name, question=f.question), "{question}" in template


def _intro(report: Report) -> list[str]:
    f = report.frame
    lines = [tr("Code frame: {name} (version {version}). Years: {years}. Files: {files}.").format(
        name=f.name, version=f.version, years=", ".join(map(str, report.years)), files=", ".join(report.sources))]
    if f.question and not _title(report)[1]:
        lines.append(tr("Question: {question}").format(question=f.question))
    return lines


def render_markdown(report: Report, files: dict[str, Path]) -> str:
    tables = _display_tables(report)
    out = [f"# {_title(report)[0]}", ""]
    out += [line + "\n" for line in _intro(report)]
    for note in report.notes:
        out.append("> " + tr("Note: {note}").format(note=note) + "\n")
    out.append(f"![{tr(CHART_ALT)}]({files['chart_years'].name})\n")
    for key, title, text in SECTIONS:
        if key not in tables:
            continue
        out += [f"## {tr(title)}", "", tr(text), ""]
        if key == "by_group":
            out += [f"![{report.by} {y}]({files[f'chart_by_{y}'].name})\n" for y in report.years]
        out += [_md_table(tables[key]), ""]
    return "\n".join(out)


def render_html(report: Report, files: dict[str, Path]) -> str:
    tables = _display_tables(report)
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="nb">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(_title(report)[0])}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}"
        ".note{background:#fff7e0;padding:.5em}</style>",
        "</head>", "<body>", f"<h1>{e(_title(report)[0])}</h1>",
    ]
    parts += [f"<p>{e(line)}</p>" for line in _intro(report)]
    note = tr("Note: {note}")
    parts += [f'<p class="note">{e(note.format(note=n))}</p>' for n in report.notes]
    parts.append(f'<img src="{e(files["chart_years"].name)}" alt="{e(tr(CHART_ALT))}">')
    for key, title, text in SECTIONS:
        if key not in tables:
            continue
        parts += [f"<h2>{e(tr(title))}</h2>", f"<p>{e(tr(text))}</p>"]
        if key == "by_group":
            parts += [f'<img src="{e(files[f"chart_by_{y}"].name)}" alt="{e(str(report.by))} {e(str(y))}">'
                      for y in report.years]
        parts.append(tables[key].to_html(index=False, escape=True, na_rep="–", border=0))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
