"""Numbers in the file's own convention: a coded CSV writes the numbers the tool adds with a
decimal comma when its input is a `;`-CSV (what Norwegian Excel writes) or has decimal commas,
else with a point (`--decimal` chooses), and every command that reads them back reads both."""

import csv
import json

import pandas as pd
import pytest

from classifier.coded_columns import probability_columns
from classifier.store import AnnotationStore
from classifier.tables import read_table

from ..conftest import ROOT
from .project_data import configure
from .test_project import example  # noqa: F401 - the example project, a fixture

EXAMPLE = ROOT / "examples" / "kommuneundersokelsen_2020.csv"
# An input column of the analyst's own, with numbers as text: it must come out as it went in.
ANDEL = ["1,5", "0.25", "0.75", "", "12 %", "-0,5"]


def survey(tmp_path, delimiter: str, encoding: str, n: int = 40):
    """The first `n` rows of the example survey, with an `andel` column, as a CSV."""
    df = read_table(EXAMPLE).frame.head(n).copy()
    df.insert(4, "andel", (ANDEL * n)[:n])
    path = tmp_path / f"survey_{'semicolon' if delimiter == ';' else 'comma'}.csv"
    df.to_csv(path, sep=delimiter, index=False, encoding=encoding)
    return path


def predict(cli, model_dir, src, out, *options):
    code, stdout, err = cli("predict", src, "--text-column", "svar", "--model", model_dir, "--out", out, *options)
    assert code == 0, err
    return stdout


def raw_cells(path, delimiter: str, column: str) -> list[str]:
    """A column's cells exactly as written in the file."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    j = rows[0].index(column)
    return [r[j] for r in rows[1:]]


def added_numbers(xlsx, src) -> list[str]:
    """The columns predict added that hold numbers, found from the XLSX output of the same run."""
    inputs = set(read_table(src).frame.columns)
    return [c for c in xlsx.columns if c not in inputs and pd.api.types.is_float_dtype(xlsx[c])]


def test_a_semicolon_csv_gets_decimal_commas_that_norwegian_excel_reads(cli, model_dir, frame, tmp_path):
    src = survey(tmp_path, ";", "cp1252")
    out, xlsx_out = tmp_path / "coded.csv", tmp_path / "coded.xlsx"
    stdout = predict(cli, model_dir, src, out)
    predict(cli, model_dir, src, xlsx_out)
    assert "decimal commas (0,97)" in stdout and "--decimal point" in stdout
    xlsx = pd.read_excel(xlsx_out)
    numbers = added_numbers(xlsx, src)
    assert {"confidence", *probability_columns(frame.keys)} <= set(numbers)
    excel = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")  # as Norwegian Excel reads it
    for c in numbers:
        assert pd.api.types.is_float_dtype(excel[c]), c
        assert excel[c].equals(xlsx[c]), c  # the same numbers as the XLSX output of the same run
    assert any("," in cell for cell in raw_cells(out, ";", "confidence"))
    assert not any("." in cell for c in numbers for cell in raw_cells(out, ";", c))
    # The input's own cells, numbers in text included, are as they were.
    assert raw_cells(out, ";", "andel") == (ANDEL * 40)[:40]
    source = read_table(src).frame
    assert read_table(out).frame[list(source.columns)].equals(source)
    # The same input and model give the same bytes.
    again = tmp_path / "again.csv"
    predict(cli, model_dir, src, again)
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("delimiter,option,mark", [
    (",", (), "."),                           # a ','-CSV with decimal points keeps points
    (";", ("--decimal", "point"), "."),
    (",", ("--decimal", "comma"), ","),
])
def test_a_comma_csv_keeps_points_and_decimal_chooses_either(cli, model_dir, frame, tmp_path, delimiter, option, mark):
    reference = tmp_path / "reference.csv"
    predict(cli, model_dir, survey(tmp_path, ";", "cp1252"), reference)
    src = survey(tmp_path, delimiter, "utf-8")
    out = tmp_path / "coded.csv"
    stdout = predict(cli, model_dir, src, out, *option)
    assert ("decimal commas" in stdout) == (mark == ",")
    read = pd.read_csv(out, sep=delimiter, decimal=mark, encoding="utf-8-sig")
    expected = pd.read_csv(reference, sep=";", decimal=",", encoding="utf-8-sig")
    for c in ["confidence", *probability_columns(frame.keys)]:
        assert pd.api.types.is_float_dtype(read[c]) and read[c].equals(expected[c]), c
        other = "," if mark == "." else "."
        assert not any(other in cell for cell in raw_cells(out, delimiter, c)), c
    assert raw_cells(out, delimiter, "andel") == (ANDEL * 40)[:40]


def test_several_questions_get_decimal_commas_and_report_and_verify_read_them(cli, example, frame):  # noqa: F811
    configure(example)
    rows = read_table(EXAMPLE).frame.head(30)
    survey = pd.DataFrame({"kommune": rows["kommune"], "Hvilke tjenester har kommunen særskilt behov for?": rows["svar"],
                           "Hvilke tiltak har fungert best?": rows["svar"].iloc[::-1].to_numpy()})
    survey.to_csv(example / "survey.csv", sep=";", index=False)
    for name, option in (("comma.csv", ()), ("point.csv", ("--decimal", "point"))):
        code, out, err = cli("predict", "survey.csv", "--year", "2020", "--out", name, *option)
        assert code == 0, err
    comma = pd.read_csv(example / "comma.csv", sep=";", decimal=",", encoding="utf-8-sig")
    point = pd.read_csv(example / "point.csv", sep=";", encoding="utf-8-sig")
    for key in ("tjenester", "tiltak"):
        for c in [f"{key}_confidence", *(f"{key}_{p}" for p in probability_columns(frame.keys))]:
            assert pd.api.types.is_float_dtype(comma[c]) and comma[c].equals(point[c]), c
    sheets = {}
    for name in ("comma", "point"):
        code, out, err = cli("report", f"{name}.csv", "--question", "tiltak", "--out", f"report_{name}")
        assert code == 0, err
        sheets[name] = pd.read_excel(example / f"report_{name}" / "report.xlsx", sheet_name=None)
    review = sheets["comma"]["review"]
    assert review["mean_confidence"].notna().all()
    assert review["mean_confidence"].tolist() == pytest.approx([point["tiltak_confidence"].mean()])
    for sheet in ("review", "examples"):
        assert sheets["comma"][sheet].equals(sheets["point"][sheet]), sheet
    # verify: a coordinator who disagrees with the model on its 3 least sure sampled answers, so
    # that a confidence cutoff is worked out from the confidence column.
    code, out, err = cli("verify", "comma.csv", "--question", "tiltak", "--sample", "12", "--out", "sample.csv")
    assert code == 0, err
    text = "Hvilke tiltak har fungert best?"
    sample = read_table(example / "sample.csv").frame
    model = point.drop_duplicates(text).set_index(text)
    least_sure = model.loc[sample[text], "tiltak_confidence"].to_numpy().argsort()[:3]
    sample["tiltak_labels"] = model.loc[sample[text], "tiltak_labels"].to_numpy()
    sample.loc[least_sure, "tiltak_labels"] = ";".join(frame.keys[:4])  # not what it gave
    sample.to_csv(example / "gold.csv", index=False)
    results = {}
    for name in ("comma", "point"):
        code, out, err = cli("verify", f"{name}.csv", "--question", "tiltak", "--against", "gold.csv", "--json")
        assert code == 0, err
        results[name] = json.loads(out)
    assert results["comma"]["cutoff"] is not None
    assert {k: v for k, v in results["comma"].items() if "path" not in k} == \
        {k: v for k, v in results["point"].items() if "path" not in k}


def test_import_reads_the_models_codes_in_either_convention(cli, project, model_dir, tmp_path):
    src = survey(tmp_path, ";", "cp1252", n=12)
    for name, option in (("comma", ()), ("point", ("--decimal", "point"))):
        coded = tmp_path / f"{name}.csv"
        predict(cli, model_dir, src, coded, *option)
        mark = "," if name == "comma" else "."
        df = pd.read_csv(coded, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert df["confidence"].str.contains(mark, regex=False).any()
        answered = df.index[df["labels"] != ""]
        df.loc[answered[0], "labels"] = "other" if df.loc[answered[0], "labels"] != "other" else "work_pathways"
        df.to_csv(coded, sep=";", index=False, encoding="utf-8-sig")  # the analyst's one correction
        store = tmp_path / f"{name}.sqlite"
        code, out, err = cli("import", coded, "--model", model_dir, "--annotator", "kari", "--text-column", "svar",
                             "--store", store)
        assert code == 0, err
        assert f"{len(answered) - 1} rows still have the model's codes" in " ".join(out.split())
        with AnnotationStore(store) as s:
            [decision] = s.decisions()  # only the corrected row: the others are the model's own
        assert decision.text == df.loc[answered[0], "svar"] and decision.suggested


def test_review_of_a_coded_csv_with_decimal_commas_finds_the_answers(cli, project, model_dir, tmp_path):
    coded = tmp_path / "coded.csv"
    predict(cli, model_dir, survey(tmp_path, ";", "cp1252", n=12), coded)
    code, out, err = cli("review", coded, "--model", model_dir, "--keys", "q", "--annotator", "kari")
    assert code == 0, err
    assert "Text column: svar" in out  # the numbers are not taken for answers
