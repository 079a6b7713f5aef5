"""What `themes` writes: assignments.csv, themes.csv, themes.md, themes.html and
codeframe_draft.toml (a code frame with one code per theme that opens in `label`/`review`).

Every file is written to a temporary file and moved into place; nothing in them depends on
the clock, so the same answers, seed and model give the same bytes.
"""

from __future__ import annotations

import html
import json
import tomllib
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .codeframe import Code, CodeFrame
from .tables import atomic_path, write_table
from .themes import EXISTING_FROM, NEW_BELOW, Theme, ThemeResult

FILES = ("assignments.csv", "themes.csv", "themes.md", "themes.html", "codeframe_draft.toml")
TODO = "TODO: skriv definisjonen."
FALLBACK = Code(key="other", name="Annet",
                definition="Svar som ikke passer i noe tema. Står alene, aldri sammen med en annen kode.")


def output_paths(out_dir: Path) -> dict[str, Path]:
    return {name: Path(out_dir) / name for name in FILES}


# -- texts ---------------------------------------------------------------------------------------
def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def verdict_text(theme: Theme) -> str:
    """One sentence: is the theme new, or like an existing code? With the numbers behind it."""
    v = theme.verdict
    if v is None:
        return ""
    numbers = f"mean probability {v.mean_p:.2f}, {pct(v.share_p50)} of its answers at 0.5 or more"
    if v.kind == "new":
        return (f"New: far from every code of the frame (the closest, '{v.code}' {v.name}, has mean "
                f"probability {v.mean_p:.2f}, below {NEW_BELOW}).")
    if v.kind == "existing":
        return f"Like existing code '{v.code}' ({v.name}), which the model gave too few of them: {numbers}."
    return (f"Unclear: near '{v.code}' ({v.name}) but not clearly it ({numbers}; new below {NEW_BELOW}, "
            f"existing from {EXISTING_FROM}). Read its answers.")


def verdict_short(theme: Theme) -> str:
    v = theme.verdict
    if v is None:
        return ""
    return {"new": "new", "existing": f"like {v.code}", "unclear": f"unclear ({v.code}?)"}[v.kind]


def _intro(result: ThemeResult) -> list[str]:
    src = Path(result.source).name
    how = (f"the number of themes chosen automatically (answers that stay together across 40 k-means runs "
           f"on resampled answers, seed {result.seed})" if result.asked is None
           else f"{result.asked} themes asked for (seed {result.seed})")
    lines = [
        f"{result.n_answers} answers from {src}{result.where} grouped into {len(result.themes)} themes, {how}. "
        f"{result.n_unassigned} answers ({pct(result.n_unassigned / result.n_answers)}) fit no theme and are left "
        f"unassigned (they wander between themes, or their group had fewer than {result.min_size} answers).",
        "Share: of the answers grouped. Words: the words that set a theme apart from the other themes, as "
        "written in its answers. Typical answers: the closest to the theme's centre.",
    ]
    if result.model_name:
        lines.append(
            f"Verdicts from model {result.model_name}: a theme's mean probability of a code estimates the share "
            f"of its answers that carry it. New: every code below {NEW_BELOW}. Like an existing code: one code "
            f"at {EXISTING_FROM} or more (the model gave it to too few of these answers). Unclear: in between.")
        if result.training_contrast:
            lines.append("Not in training: words far more common in the theme than in the model's training answers.")
    lines += result.notes
    return lines


# -- tables --------------------------------------------------------------------------------------
def assignments_frame(result: ThemeResult, ids: list | None, id_column: str | None) -> pd.DataFrame:
    """One row per input row: its id (or spreadsheet row number), theme number, code and status."""
    key_of = {t.number: t.key for t in result.themes}
    first = id_column if ids is not None and id_column else "row"
    first_values = [str(x) for x in ids] if ids is not None else [str(i + 2) for i in range(len(result.status))]
    return pd.DataFrame({
        first: first_values,
        "theme": [str(n) if n else "" for n in result.theme_of_row],
        "code": [key_of.get(n, "") for n in result.theme_of_row],
        "status": result.status,
    })


def themes_frame(result: ThemeResult) -> pd.DataFrame:
    rows = []
    for t in result.themes:
        row = {"theme": t.number, "code": t.key, "name": t.name, "answers": t.size, "share": round(t.share, 4),
               "words": ", ".join(t.words)}
        if result.training_contrast:
            row["not_in_training"] = ", ".join(t.new_words or [])
        if t.verdict is not None:
            v = t.verdict
            row.update({"verdict": v.kind, "nearest_code": v.code, "nearest_name": v.name,
                        "mean_p": round(v.mean_p, 3), "share_p50": round(v.share_p50, 3)})
        for i in range(5):
            row[f"typical_{i + 1}"] = t.typical[i] if i < len(t.typical) else ""
        rows.append(row)
    return pd.DataFrame(rows)


# -- markdown and html ---------------------------------------------------------------------------
def _quote(text: str, width: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_markdown(result: ThemeResult) -> str:
    def esc(s) -> str:
        return str(s).replace("|", "\\|")

    out = [f"# Themes in {Path(result.source).name}{result.where}", ""]
    for line in _intro(result):
        out += [line, ""]
    head = ["#", "theme", "code", "answers", "share", "words"] + (["verdict"] if result.model_name else [])
    out += ["| " + " | ".join(head) + " |", "|" + "|".join("---:" if h in ("#", "answers", "share") else "---"
                                                          for h in head) + "|"]
    for t in result.themes:
        cells = [t.number, t.name, f"`{t.key}`", t.size, pct(t.share), ", ".join(t.words)]
        cells += [verdict_short(t)] if result.model_name else []
        out.append("| " + " | ".join(esc(c) for c in cells) + " |")
    out.append("")
    for t in result.themes:
        out += [f"## {t.number}. {t.name}", "", f"- Code in the draft frame: `{t.key}`",
                f"- Answers: {t.size} ({pct(t.share)})", f"- Words: {', '.join(t.words)}"]
        if result.training_contrast:
            out.append(f"- Not in training: {', '.join(t.new_words or []) or '–'}")
        if t.verdict is not None:
            out.append(f"- Verdict: {verdict_text(t)}")
        out += ["- Typical answers:", ""] + [f"  {i}. {_quote(a)}" for i, a in enumerate(t.typical, start=1)] + [""]
    return "\n".join(out)


def render_html(result: ThemeResult) -> str:
    e = html.escape
    title = f"Themes in {Path(result.source).name}{result.where}"
    parts = ["<!DOCTYPE html>", '<html lang="nb">', "<head>", '<meta charset="utf-8">', f"<title>{e(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;"
             "vertical-align:top}.num{text-align:right}blockquote{margin:.3em 0 .3em 1em;color:#333}</style>",
             "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    parts += [f"<p>{e(line)}</p>" for line in _intro(result)]
    head = ["#", "theme", "code", "answers", "share", "words"] + (["verdict"] if result.model_name else [])
    parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
    for t in result.themes:
        cells = [(t.number, "num"), (t.name, ""), (t.key, ""), (t.size, "num"), (pct(t.share), "num"),
                 (", ".join(t.words), "")] + ([(verdict_short(t), "")] if result.model_name else [])
        parts.append("<tr>" + "".join(f'<td class="{c}">{e(str(v))}</td>' if c else f"<td>{e(str(v))}</td>"
                                      for v, c in cells) + "</tr>")
    parts.append("</table>")
    for t in result.themes:
        parts += [f'<h2 id="theme-{t.number}">{t.number}. {e(t.name)}</h2>', "<ul>",
                  f"<li>Code in the draft frame: <code>{e(t.key)}</code></li>",
                  f"<li>Answers: {t.size} ({e(pct(t.share))})</li>", f"<li>Words: {e(', '.join(t.words))}</li>"]
        if result.training_contrast:
            parts.append(f"<li>Not in training: {e(', '.join(t.new_words or []) or '–')}</li>")
        if t.verdict is not None:
            parts.append(f"<li>Verdict: {e(verdict_text(t))}</li>")
        parts += ["</ul>", "<p>Typical answers:</p>"] + [f"<blockquote>{e(_quote(a))}</blockquote>" for a in t.typical]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


# -- the draft code frame ------------------------------------------------------------------------
def draft_codes(result: ThemeResult) -> list[Code]:
    """One code per theme: key and name from its words, its words as examples, the definition
    left for a person (marked TODO) with what `themes` knows of it."""
    codes = []
    for t in result.themes:
        hint = f"Tema {t.number} fra themes: {t.size} svar ({pct(t.share)}); ord: {', '.join(t.words[:5])}"
        if t.verdict is not None and t.verdict.kind != "new":
            hint += f"; ligner på '{t.verdict.code}' ({t.verdict.name}), vurder å slå sammen"
        codes.append(Code(key=t.key, name=t.name, definition=f"{TODO} ({hint}.)", examples=tuple(t.words[:8])))
    return codes


def draft_frame(result: ThemeResult) -> CodeFrame:
    """The draft: with a model, its frame's codes (fallback last), then one code per theme before
    the fallback; without, the themes and a fallback 'other'. Keys are numbers 1, 2, ... unless
    the frame set its own; a theme code whose number another code took gets the next free one."""
    base = result.frame
    themes = draft_codes(result)
    if base is None:
        codes, name, multi, fallback, question, version = themes + [FALLBACK], "themes_utkast", True, "other", "", "1"
    else:
        fb = [c for c in base.codes if c.key == base.fallback]
        rest = [c for c in base.codes if c.key != base.fallback]
        codes = rest + themes + fb
        name, multi, fallback = f"{base.name}_utkast", base.multi_label, base.fallback
        question, version = base.question, base.version
    explicit = {c.shortcut for c in codes if c.shortcut}
    used = set(explicit)
    fixed = []
    for i, c in enumerate(codes, start=1):
        if not c.shortcut:
            key = str(i)
            if key in explicit or key in used:
                n = i
                while str(n) in used:
                    n += 1
                c = replace(c, shortcut=str(n))
                key = str(n)
            used.add(key)
        fixed.append(c)
    return CodeFrame(name=name, codes=tuple(fixed), multi_label=multi, fallback=fallback, question=question,
                     version=version)


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007F")


def _toml_list(values) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def render_toml(result: ThemeResult) -> str:
    frame = draft_frame(result)
    src = Path(result.source).name
    lines = [
        f"# Draft code frame made by `themes` from {src}{result.where}: one code per theme"
        + (f", after the codes of model {result.model_name}'s frame." if result.frame is not None else "."),
        "# The definitions are left for a person to write (TODO); names and examples are the themes' words.",
        "# Merge, rename or drop codes freely. Open it in the labelling screen with:",
        f"#   survey-coder label {src} --codeframe codeframe_draft.toml",
        "",
        "[frame]",
        f"name = {_toml_str(frame.name)}",
        f"version = {_toml_str(frame.version)}",
    ]
    if frame.question:
        lines.append(f"question = {_toml_str(frame.question)}")
    lines.append(f"multi_label = {'true' if frame.multi_label else 'false'}")
    if frame.fallback:
        lines.append(f"fallback = {_toml_str(frame.fallback)}")
    for c in frame.codes:
        lines += ["", "[[codes]]", f"key = {_toml_str(c.key)}", f"name = {_toml_str(c.name)}",
                  f"definition = {_toml_str(c.definition)}"]
        if c.includes:
            lines.append(f"includes = {_toml_list(c.includes)}")
        if c.excludes:
            lines.append(f"excludes = {_toml_list(c.excludes)}")
        lines.append(f"examples = {_toml_list(c.examples)}")
        if c.shortcut:
            lines.append(f"shortcut = {_toml_str(c.shortcut)}")
    text = "\n".join(lines) + "\n"
    CodeFrame.from_dict(tomllib.loads(text), source="codeframe_draft.toml")  # it must load as written
    return text


# -- writing -------------------------------------------------------------------------------------
def write_themes(result: ThemeResult, out_dir: str | Path, ids: list | None = None, id_column: str | None = None,
                 delimiter: str = ";") -> dict[str, Path]:
    """Write the five files into `out_dir` (which must exist), each atomically."""
    paths = output_paths(Path(out_dir))
    texts = {"themes.md": render_markdown(result), "themes.html": render_html(result),
             "codeframe_draft.toml": render_toml(result)}
    write_table(assignments_frame(result, ids, id_column), paths["assignments.csv"], delimiter=delimiter)
    write_table(themes_frame(result), paths["themes.csv"], delimiter=delimiter)
    for name, text in texts.items():
        with atomic_path(paths[name]) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths
