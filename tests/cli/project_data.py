"""A survey-tool XLSX for the project tests: two title rows, numbers, dates, two open questions
and a second sheet; answers from the examples and the held-out set (written for the project)."""

import csv
import datetime as dt

from openpyxl import Workbook

from ..conftest import ROOT

Q1 = "Hvilke tjenester har kommunen særskilt behov for?"
Q2 = "Hvilke tiltak har fungert best?"
QUESTIONS = f'''
[[questions]]
key = "tjenester"
column = "{Q1}"
codeframe = "labels/imdi_kvalifisering.toml"

[[questions]]
key = "tiltak"
column = "{Q2}"
codeframe = "labels/imdi_kvalifisering.toml"
'''


def answers(n: int):
    with open(ROOT / "examples" / "kommuneundersokelsen_2020.csv", encoding="cp1252", newline="") as f:
        survey = list(csv.DictReader(f, delimiter=";"))
    with open(ROOT / "eval_data" / "heldout.csv", encoding="utf-8-sig", newline="") as f:
        held = list(csv.DictReader(f))
    return [(r["kommune"], r["svar"], h["text"]) for r, h in zip(survey[:n], held[:n])]


def survey_xlsx(path, n: int = 30):
    wb = Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(["Kommuneundersøkelsen 2020"])
    ws.append(["Eksportert fra spørreverktøyet 3. november 2020"])
    ws.append(["Respondent", "Kommune", "Innsendt", "Innbyggere", Q1, Q2])
    for i, (kommune, a1, a2) in enumerate(answers(n)):
        ws.append([1000 + i, kommune, dt.datetime(2020, 10, 1 + i % 28, 12, 30), 1500 + 37 * i, a1, a2])
    info = wb.create_sheet("Om undersøkelsen")
    info.append(["Utvalg", 356])
    info.append(["Svarprosent", 0.62])
    wb.save(path)
    return path


def configure(project, text: str = QUESTIONS) -> None:
    """The example project's question replaced by `text`."""
    toml = project / "survey-coder.toml"
    before = toml.read_text(encoding="utf-8").split("\n[[questions]]")[0]
    toml.write_text(before + "\n" + text, encoding="utf-8")
