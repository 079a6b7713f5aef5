"""The Norwegian interface: `--lang nb` (or language = "nb" in survey-coder.toml) gives the report,
predict's summary, the review screen, verify and the messages in bokmål with Norwegian numbers,
while the files a command writes hold the same data in either language."""

from __future__ import annotations

import dataclasses
import io
import re

import pandas as pd
import pytest
from rich.console import Console

from classifier import i18n, report_render
from classifier.codeframe import load_codeframe
from classifier.report import build_report, read_coded_files

from ..conftest import FRAME, ROOT
from ..report_data import direct_counts, last_two_years, training_rows
from .test_errors import assert_one_line_error

EXAMPLE = ROOT / "examples" / "kommuneundersokelsen_2020.csv"
NBSP = "\N{NO-BREAK SPACE}"
NB_PERCENT = re.compile(rf"\b\d{{1,3}},\d{NBSP}%")  # 28,1 %
EN_PERCENT = re.compile(r"\b\d{1,3}\.\d %")  # 28.1 %


def nb_pct(share: float) -> str:
    return f"{100 * share:.1f}".replace(".", ",") + f"{NBSP}%"


@pytest.fixture
def norwegian():
    i18n.use_language("nb")
    yield
    i18n.use_language(None)


# -- predict ------------------------------------------------------------------------------------
def test_predict_lang_nb_prints_its_summary_in_norwegian_and_writes_the_same_file(cli, model_dir, tmp_path):
    args = ["predict", EXAMPLE, "--text-column", "svar", "--model", model_dir]
    code, en, err = cli(*args, "--out", tmp_path / "en.csv")
    assert code == 0, err
    code, nb, err = cli(*args, "--out", tmp_path / "nb.csv", "--lang", "nb")
    assert code == 0, err
    assert (tmp_path / "nb.csv").read_bytes() == (tmp_path / "en.csv").read_bytes()  # the file knows no language

    assert "Kodet med" in nb and "Skrev" in nb and "Neste steg: gå gjennom de" in nb
    header = next(line for line in nb.splitlines() if "┃" in line and "kode" in line)
    assert [h.strip() for h in header.strip("┃ ").split("┃")] == ["kode", "navn", "svar", "andel"]
    coded = pd.read_csv(tmp_path / "nb.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    n_answers = int((coded["labels"] != "").sum())
    flagged = int((coded["needs_review"] == "true").sum())
    review = next(line for line in nb.splitlines() if "til gjennomgang" in line and "│" in line)
    assert f" {flagged} " in review and nb_pct(flagged / n_answers) in review  # 43,9 %
    assert "for å holde 95,0" in review
    assert "autokodet" in nb and "tomt / ikke svart" in nb and "ikke kodet" in nb
    assert "lav sikkerhet:" in nb and "bør gjennomgås" in nb  # the check that the answers fit the model
    for english in ("needs review", "auto-coded", "Coded with", "Wrote", "Next:", "low confidence"):
        assert english not in nb, english
    assert NB_PERCENT.search(nb) and not EN_PERCENT.search(nb)
    assert EN_PERCENT.search(en) and "needs review" in en  # English as before


def test_lang_en_is_the_output_without_lang(cli, model_dir, tmp_path):
    args = ["predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--out"]
    plain = cli(*args, tmp_path / "a.csv")
    explicit = cli(*args, tmp_path / "b.csv", "--lang", "en")
    assert plain[0] == explicit[0] == 0
    assert plain[1].replace("a.csv", "X.csv") == explicit[1].replace("b.csv", "X.csv")


# -- report -------------------------------------------------------------------------------------
@pytest.fixture
def two_years(tmp_path):
    return last_two_years(training_rows(), tmp_path)


def test_report_lang_nb_writes_norwegian_headings_numbers_and_chart_titles(cli, two_years, tmp_path, monkeypatch):
    years, paths = two_years
    titles = []  # what matplotlib was given for each chart: its title and the x axis
    save = report_render._save_chart

    def capture(path, fig):
        ax = fig.axes[0]
        titles.append((path.name, ax.get_title(loc="left"), ax.get_xlabel()))
        return save(path, fig)

    monkeypatch.setattr(report_render, "_save_chart", capture)
    out = tmp_path / "rapport"
    code, stdout, err = cli("report", *paths, "--codeframe", FRAME, "--by", "fylke", "--out", out, "--lang", "nb")
    assert code == 0, err
    assert "Andel svar per kode (imdi_kvalifisering)" in stdout and "Skrev 6 filer til" in stdout

    counts, n, _ = direct_counts(paths[-1])
    share = nb_pct(counts["education_guidance"] / n)  # such as 28,1 %
    frame = load_codeframe(FRAME)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.startswith(f"# {frame.question}\n")  # the survey question is the title
    for heading in ("## Svar per kode og år", "## Svar flagget for gjennomgang", "## Endringer fra år til år",
                    "## Etter gruppe", "## Eksempler på svar"):
        assert heading in md, heading
    row = next(line for line in md.splitlines() if line.startswith("| Veiledning på utdanningsområdet |"))
    assert f"{counts['education_guidance']} ({share};" in row
    assert "| Kode | Nøkkel |" in md and " p.p. |" in md and "Answers per code" not in md
    assert not EN_PERCENT.search(md)

    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"<h1>{frame.question}</h1>" in html and "<h2>Svar per kode og år</h2>" in html
    assert f"{counts['education_guidance']} ({share};" in html and "<th>Gjennomsnittlig sikkerhet</th>" in html

    sheets = pd.read_excel(out / "report.xlsx", sheet_name=None, dtype={"år": str})
    assert list(sheets) == ["antall", "andeler", "gjennomgang", "etter_gruppe", "endringer", "eksempler"]
    andeler = sheets["andeler"].set_index(["kode", "år"])
    assert list(sheets["andeler"].columns) == ["år", "kode", "navn", "svar", "antall", "andel", "ki_nedre", "ki_øvre"]
    assert andeler.loc[("education_guidance", years[-1]), "andel"] == pytest.approx(counts["education_guidance"] / n)
    assert f"{years[-1]} andel" in sheets["antall"].columns and "fylke" in sheets["etter_gruppe"].columns

    assert titles[0] == ("shares_by_year.png", "imdi_kvalifisering: andel svar per kode og år",
                         "Andel av svarene (%), med 95 % konfidensintervall")
    assert titles[1][0] == f"shares_by_fylke_{years[0]}.png" and titles[1][1] == f"{years[0]}: andel svar per kode etter fylke"
    assert all((out / name).stat().st_size > 0 for name, _, _ in titles)


def test_the_report_in_english_is_as_before(two_years, tmp_path):
    """The same report built twice: English headings and numbers, and a chart whose title is English."""
    years, paths = two_years
    df, _ = read_coded_files(paths)
    report = build_report(df, load_codeframe(FRAME), "fylke")
    md = report_render.render_markdown(report, report_render.report_files(tmp_path, report))
    assert md.startswith("# Report: imdi_kvalifisering\n") and "## Answers per code and year" in md
    assert "Question: Hvilke tjenester" in md and EN_PERCENT.search(md) and " pp |" in md
    fig = report_render._years_chart(report)
    assert fig.axes[0].get_title(loc="left") == "imdi_kvalifisering: share of answers per code and year"
    assert list(report_render.xlsx_sheets(report)) == ["counts", "shares", "review", "by_group", "changes", "examples"]


def test_a_frame_without_a_question_keeps_report_in_the_title(two_years, tmp_path, norwegian):
    years, paths = two_years
    df, _ = read_coded_files(paths)
    report = build_report(df, dataclasses.replace(load_codeframe(FRAME), question=""))
    md = report_render.render_markdown(report, report_render.report_files(tmp_path, report))
    assert md.startswith("# Rapport: imdi_kvalifisering\n") and "Spørsmål:" not in md


# -- review -------------------------------------------------------------------------------------
def test_review_lang_nb_shows_norwegian_keys_and_help(cli, project, model_dir):
    code, out, err = cli("review", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--keys", "? s zz q",
                         "--annotator", "kari", "--lang", "nb")
    assert code == 0, err
    assert re.search(r"Svar 1 av \d+ · modellens sikkerhet 0,\d\d", out)
    assert "Enter godta" in out and "s hopp over" in out and "u angre" in out and "q avslutt" in out
    assert "? hjelp" in out and "Tast:" in out and "ferdige ·" in out and "igjen i køen" in out
    help_lines = ["godta kodene slik de vises (✓), gå til neste svar",
                  "hopp over: la svaret stå ukodet (du blir ikke spurt igjen)",
                  "avslutt (alt er allerede lagret; kjør på nytt for å fortsette)"]
    for line in help_lines:
        assert line in out, line
    assert "«zz» er ikke en tast her. Trykk ? for å se tastene." in out
    assert re.search(r"Lagret \d+ beslutninger i denne økten i ", out)
    for english in ("accept", "skip", "quit", "Answer 1 of", "decisions this session"):
        assert english not in out, english


def test_the_norwegian_help_fits_beside_a_short_answer_at_80x24(frame, tmp_path, norwegian):
    from classifier.cli._screen import View, handle, render
    from classifier.queue import group_answers
    from classifier.review import ReviewSession
    from classifier.store import AnnotationStore

    items = group_answers(["Bolig", "Tolk og norskopplæring"])
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        session = ReviewSession(store, items, frame, None, source="s.csv", annotator="kari", all_items=items)
        help_screen, _ = handle(session, "?", frame.shortcuts(), View())
        out = io.StringIO()
        Console(file=out, width=80, height=24, color_system=None).print(
            render(session, session.current(), frame.shortcuts(), help_screen, 80, 24, View()))
    screen = out.getvalue()
    assert "Bolig" in screen and "Svar 1 av 2" in screen
    for line in help_screen.plain.splitlines():
        assert len(line) <= 80 and line.strip() in screen, line


# -- verify -------------------------------------------------------------------------------------
def test_verify_lang_nb(cli, project, model_dir, tmp_path):
    coded = tmp_path / "coded.csv"
    assert cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--out", coded)[0] == 0
    code, out, err = cli("verify", coded, "--sample", 5, "--out", tmp_path / "utvalg.xlsx", "--lang", "nb")
    assert code == 0, err
    assert "Trakk 5 av de" in out and "kodene står på arket «codes»" in out and "Neste steg: kod disse svarene" in out


# -- messages and the setting in survey-coder.toml --------------------------------------------------
def test_an_error_in_norwegian_is_one_line_and_exit_1(cli, tmp_path):
    code, out, err = cli("predict", tmp_path / "finnes_ikke.csv", "--lang", "nb")
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Feil: Fant ikke filen") and "finnes_ikke.csv" in lines[0]
    assert "Traceback" not in out + err


def test_a_warning_in_norwegian(cli, model_dir, tmp_path):
    code, out, err = cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--trust-model",
                         "--out", tmp_path / "c.csv", "--lang", "nb")
    assert code == 0, err
    assert "Advarsel: Laster" in err and "uten å kontrollere sjekksummene" in err


def test_language_in_the_project_file_and_lang_over_it(cli, project, tmp_path):
    (project / "survey-coder.toml").write_text('language = "nb"\n', encoding="utf-8")
    assert_nb = cli("predict", tmp_path / "nope.csv")
    assert assert_nb[0] == 1 and assert_nb[2].startswith("Feil: Fant ikke filen")
    assert_one_line_error(cli("predict", tmp_path / "nope.csv", "--lang", "en"), "File not found")
    assert_one_line_error(cli("--lang", "en", "predict", tmp_path / "nope.csv"), "File not found")


def test_a_language_the_tool_does_not_speak_is_a_one_line_error(cli, project, tmp_path, capsys):
    (project / "survey-coder.toml").write_text('language = "de"\n', encoding="utf-8")
    assert_one_line_error(cli("predict", tmp_path / "nope.csv"), "language = 'de'", "Use one of: en, nb")
    with pytest.raises(SystemExit) as stop:  # argparse refuses it before anything runs
        cli("--lang", "xx", "predict", "x.csv")
    assert stop.value.code == 2 and "invalid choice: 'xx'" in capsys.readouterr().err


def test_a_broken_project_file_leaves_the_language_to_the_commands(cli, project, tmp_path):
    (project / "survey-coder.toml").write_text('language = "nb"\n[[questions]\n', encoding="utf-8")
    assert_one_line_error(cli("predict", tmp_path / "nope.csv", "--text-column", "svar"), "File not found")


def test_a_quoted_command_in_a_norwegian_message_is_shown_as_run(monkeypatch, norwegian):
    import sys

    from classifier.cli import _util
    from classifier.errors import Errors

    monkeypatch.setattr(sys, "argv", ["cli.py"])
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    message = Errors.NO_MODELS.format(path="models")
    assert "«survey-coder train»" in message
    assert _util.as_run(message) == "Ingen trent modell i models. Kjør «python cli.py train» først."


def test_undo_names_the_decision_in_norwegian(frame, tmp_path, norwegian):
    from classifier.queue import group_answers
    from classifier.review import ReviewSession
    from classifier.store import AnnotationStore

    items = group_answers(["Bolig", "Tolk og norskopplæring"])
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        session = ReviewSession(store, items, frame, None, source="s.csv", annotator="kari", all_items=items)
        session.skip()
        assert session.undo().message == "Angret valget «hoppet over» for «Bolig». Svaret har ingen beslutning fra deg nå."
