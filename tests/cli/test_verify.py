"""`verify` end to end: predict a year, draw a blind sample, code it (in Excel or with
`label`), compare, and import the coordinator's codes."""

from __future__ import annotations

import json
import shlex

import openpyxl
import pandas as pd
import pytest

from classifier.cli import main
from classifier.preprocess import answer_key
from classifier.store import AnnotationStore

from ..conftest import ROOT
from ..test_verify import write_coded, write_gold

SURVEY = ROOT / "examples" / "kommuneundersokelsen_2020.csv"
KEYS = ["education_guidance", "employer_cooperation", "practice_placements", "work_pathways", "other"]


@pytest.fixture(scope="module")
def coded(model_dir, tmp_path_factory):
    """The 2020 example coded by the session model: a real `predict` output (made once)."""
    out = tmp_path_factory.mktemp("verify") / "coded_2020.csv"
    assert main(["predict", str(SURVEY), "--text-column", "svar", "--id-column", "respondent_id",
                 "--model", str(model_dir), "--out", str(out)]) == 0
    return out


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def codes_of(cell) -> frozenset:
    return frozenset(c.strip() for c in str(cell).split(";") if c.strip())


def by_hand(coded_path, gold: pd.DataFrame, text: str) -> float:
    """Look up each auto-coded answer of the coded file in the coordinator's codes; the share
    of those rows whose code sets agree."""
    df = read_csv(coded_path)
    auto = df[(df.needs_review == "false") & (df.labels != "")].assign(key=lambda d: d.svar.map(answer_key))
    gold = gold.fillna("")
    gold = gold[gold.labels.str.strip() != ""].assign(key=lambda g: g[text].map(answer_key))
    both = auto.merge(gold[["key", "labels"]], on="key", suffixes=("_model", "_gold"))
    assert len(both) >= len(gold)
    return float((both.labels_model.map(codes_of) == both.labels_gold.map(codes_of)).mean())


def fill_in(sample, coded_path, out):
    """A coordinator's work in Excel: the model's codes on most answers (they agree), others on
    two, one left for later. The model's codes come from the coded file, never the sample."""
    model = dict(zip(read_csv(coded_path).respondent_id, read_csv(coded_path).labels))
    wb = openpyxl.load_workbook(sample)
    ws = wb["sample"]
    header = [c.value for c in ws[1]]
    ids, labels = header.index("respondent_id"), header.index("labels")
    for n, row in enumerate(ws.iter_rows(min_row=2)):
        codes = model[str(row[ids].value)]
        if n == 1:
            codes = "other" if codes != "other" else "work_pathways"
        elif n == 3:
            codes = "practice_placements;employer_cooperation" if "employer_cooperation" not in codes else "other"
        elif n == 5:
            codes = None
        row[labels].value = codes
    wb.save(out)
    return out


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1] in "┏┃┡│└┌├"]


def test_sample_in_excel_compare_and_import(cli, project, coded, tmp_path):
    sample = tmp_path / "sample.xlsx"
    code, out, err = cli("verify", coded, "--sample", 12, "--id-column", "respondent_id", "--out", sample)
    assert code == 0, err
    assert "Drew 12 of the" in out and f"verify {coded} --against {sample} --id-column respondent_id" in out
    sheets = pd.read_excel(sample, sheet_name=None, dtype=str)
    assert list(sheets) == ["sample", "codes"] and sheets["codes"].key.tolist() == KEYS
    drawn = sheets["sample"]
    assert list(drawn.columns) == ["respondent_id", "svar", "labels"] and drawn.labels.isna().all()
    df = read_csv(coded)
    auto = df[(df.needs_review == "false") & (df.labels != "")].set_index("respondent_id")
    assert set(drawn.respondent_id) <= set(auto.index)
    assert (auto.loc[drawn.respondent_id, "svar"].tolist() == drawn.svar.tolist())

    filled = fill_in(sample, coded, tmp_path / "sample_coded.xlsx")
    code, out, err = cli("verify", coded, "--against", filled, "--id-column", "respondent_id", "--json")
    assert code == 0, err
    result = json.loads(out)
    gold = pd.read_excel(filled, dtype=str)
    assert result["auto_coded_accuracy"] == pytest.approx(by_hand(coded, gold, "svar"))
    assert result["auto_coded_accuracy"] < 1  # the two answers coded otherwise count
    assert result["ci_low"] <= result["auto_coded_accuracy"] <= result["ci_high"]
    assert result["n_auto"] == len(auto) and result["answers_compared"] == 11
    assert result["ignored"]["uncoded"] == 1 and result["matched_by"] == "id"
    assert set(result["per_code"]) == set(KEYS)

    code, out, err = cli("verify", coded, "--against", filled, "--id-column", "respondent_id")
    assert code == 0, err
    assert "all codes right" in out and "95 % interval (Wilson)" in out and "1 without codes" in out
    assert all(len(line) <= 80 for line in table_lines(out)) and table_lines(out)
    command = next(line.strip() for line in out.splitlines() if line.strip().startswith("survey-coder import"))
    store = tmp_path / "decisions.sqlite"
    argv = shlex.split(command.replace("NAME", "kari"))[1:] + ["--store", str(store)]
    code, out, err = cli(*argv)
    assert code == 0, err
    with AnnotationStore(store) as s:
        decided = {d.text: d.labels for d in s.decisions()}
        assert {d.annotator for d in s.decisions()} == {"kari"}
    coded_gold = gold.dropna(subset=["labels"])
    assert decided == {t: [k for k in KEYS if k in codes_of(c)] for t, c in zip(coded_gold.svar, coded_gold.labels)}


def test_sample_coded_with_label_and_compared_through_its_export(cli, project, coded, tmp_path):
    sample = tmp_path / "sample.csv"
    code, out, err = cli("verify", coded, "--sample", 4, "--seed", 7, "--out", sample)
    assert code == 0, err
    drawn = read_csv(sample)
    assert list(drawn.columns) == ["coded_row", "svar", "labels"] and set(drawn.labels) == {""}
    rows = read_csv(coded)
    assert [rows.svar.iloc[int(r) - 1].strip() for r in drawn.coded_row] == drawn.svar.tolist()
    store = tmp_path / "verify.sqlite"
    # The coordinator codes each answer on the review screen, blind (`label --no-suggestions`, as verify says).
    assert "--no-suggestions" in " ".join(out.split())
    code, out, err = cli("label", sample, "--text-column", "svar", "--store", store, "--no-suggestions",
                         "--keys", "3 enter 5 enter 1 2 enter 4 enter")
    assert code == 0, err
    gold = tmp_path / "gold.csv"
    code, out, err = cli("export", "--latest", "--store", store, "--out", gold)
    assert code == 0, err
    code, out, err = cli("verify", coded, "--against", gold, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["matched_by"] == "text" and result["answers_compared"] == 4
    assert result["auto_coded_accuracy"] == pytest.approx(by_hand(coded, read_csv(gold), "text"))


def test_the_same_seed_gives_the_same_file(cli, project, coded, tmp_path):
    paths = [tmp_path / f"s{i}.xlsx" for i in range(3)]
    for path, seed in zip(paths, (5, 5, 6)):
        code, _, err = cli("verify", coded, "--sample", 10, "--seed", seed, "--out", path)
        assert code == 0, err
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


@pytest.fixture
def files(coded, tmp_path):
    """Bad inputs: a file with no auto-coded answers, a coordinator's file without codes
    column, one with answers from elsewhere, one with a typo in a code."""
    df = read_csv(coded)
    df.assign(needs_review="true").to_csv(tmp_path / "all_review.csv", sep=";", index=False)
    auto = df[df.needs_review == "false"]
    pd.DataFrame({"svar": auto.svar[:3], "kode": "other"}).to_csv(tmp_path / "no_labels.csv", sep=";", index=False)
    pd.DataFrame({"svar": ["Helt andre svar", "Noe annet"], "labels": "other"}).to_csv(
        tmp_path / "elsewhere.csv", sep=";", index=False)
    pd.DataFrame({"svar": auto.svar[:3], "labels": ["other", "othr", "other"]}).to_csv(
        tmp_path / "typo.csv", sep=";", index=False)
    return tmp_path


@pytest.mark.parametrize("args,message", [
    (["{coded}", "--sample", "0", "--out", "{tmp}/s.xlsx"], "--sample must be 1 or more (got 0)"),
    (["{tmp}/all_review.csv", "--sample", "5", "--out", "{tmp}/s.xlsx"], "has no auto-coded answers"),
    ([str(SURVEY), "--sample", "5", "--out", "{tmp}/s.xlsx"], "is not a 'predict' output: it has no 'labels' column"),
    (["{coded}", "--sample", "5"], "--sample needs --out FILE"),
    (["{coded}", "--sample", "5", "--out", "{tmp}/s.sav"], "Use .xlsx (with the codes on a second sheet) or .csv"),
    (["{coded}"], "not neither"),
    (["{coded}", "--sample", "5", "--out", "{tmp}/s.xlsx", "--against", "{tmp}/typo.csv"], "not both"),
    (["{coded}", "--against", "{tmp}/no_labels.csv"], "has no 'labels' column with the coordinator's codes"),
    (["{coded}", "--against", "{tmp}/elsewhere.csv"], "None of the 2 coded answers"),
    (["{coded}", "--against", "{tmp}/typo.csv"], "Unknown code 'othr' in {tmp}/typo.csv row 3."),
    (["{coded}", "--against", "{tmp}/missing.csv"], "File not found"),
    (["{coded}", "--against", "{coded}"], "is the coded file itself"),
])
def test_bad_input_is_one_line_and_writes_nothing(cli, project, coded, files, args, message):
    fill = {"coded": str(coded), "tmp": str(files)}
    before = sorted(p.name for p in files.iterdir())
    code, out, err = cli("verify", *[a.format(**fill) for a in args])
    assert code == 1
    assert message.format(**fill) in err.replace("\n", "")
    assert err.startswith("Error:") and "Traceback" not in err and not out
    assert sorted(p.name for p in files.iterdir()) == before


def test_an_existing_sample_is_never_replaced_without_overwrite(cli, project, coded, tmp_path):
    sample = tmp_path / "sample.csv"
    sample.write_text("coded_row;svar;labels\n3;Boliger!;other\n", encoding="utf-8")
    code, _, err = cli("verify", coded, "--sample", 5, "--out", sample)
    assert code == 1 and "already exists" in err
    assert sample.read_text(encoding="utf-8") == "coded_row;svar;labels\n3;Boliger!;other\n"
    code, _, err = cli("verify", coded, "--sample", 5, "--out", sample, "--overwrite")
    assert code == 0, err
    assert len(read_csv(sample)) == 5


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    out = capsys.readouterr().out
    assert "survey-coder verify out/coded_2020.csv --sample 100" in out and "--against GOLD" in out


def test_below_the_target_names_the_cutoff_that_would_have_met_it(cli, project, tmp_path):
    # 30 auto-coded answers (written for this test); the coordinator agrees with the 12 surest.
    rows, gold = [], []
    for i in range(30):
        text = f"Svar nummer {i} om praksis i bedrift"
        rows.append((f"a{i}", text, "practice_placements", round(0.99 - i * 0.004, 4), False))
        gold.append((f"a{i}", text, "practice_placements" if i < 12 else "work_pathways"))
    rows += [("b1", "Noe annet helt", "other", 0.5, True), ("b2", "Enda noe annet", "other", 0.3, True)]
    coded = write_coded(tmp_path / "coded.csv", rows)
    code, out, err = cli("verify", coded, "--against", write_gold(tmp_path / "gold.csv", gold), "--id-column", "id")
    assert code == 0, err
    text = " ".join(out.split())
    assert "Below the 95.0 % target: even the interval's upper end (" in text
    assert ("A confidence cutoff of 0.946 would have met it on this sample (100.0 % right of the 12 sampled rows "
            "at or above it) and auto-coded 12 of the year's 32 answers (37.5 %) instead of 30 (93.8 %).") in text
    assert "survey-coder import " in text and "--id-column id" in text
