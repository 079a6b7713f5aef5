"""--sheet: a number picks a sheet by position, anything else by name (predict, review, import)."""

import pandas as pd
import pytest

from classifier.cli import build_parser


@pytest.mark.parametrize("command", ["predict", "review", "import"])
def test_sheet_numbers_are_positions_and_names_stay_names(command):
    parser = build_parser()
    assert parser.parse_args([command, "in.xlsx"]).sheet == 0
    assert parser.parse_args([command, "in.xlsx", "--sheet", "0"]).sheet == 0
    assert parser.parse_args([command, "in.xlsx", "--sheet", "2"]).sheet == 2
    assert parser.parse_args([command, "in.xlsx", "--sheet", "Svar 2020"]).sheet == "Svar 2020"


def test_predict_reads_the_sheet_given_by_number(cli, model_dir, tmp_path):
    src = tmp_path / "in.xlsx"
    with pd.ExcelWriter(src) as xl:
        pd.DataFrame({"note": ["not the answers"]}).to_excel(xl, sheet_name="about", index=False)
        pd.DataFrame({"id": ["a", "b"], "answer": ["Språkpraksis", "Bolig"]}).to_excel(xl, sheet_name="data", index=False)
    out = tmp_path / "out.csv"
    code, _, err = cli("predict", src, "--sheet", "1", "--text-column", "answer", "--model", model_dir, "--out", out)
    assert code == 0, err
    assert pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")["id"].tolist() == ["a", "b"]
