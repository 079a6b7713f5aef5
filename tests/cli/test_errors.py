"""Every bad input gives one line naming the problem, exit 1, no traceback, nothing lost."""

import json
import subprocess
import sys

import pytest

from ..conftest import FRAME, ROOT

EXAMPLE = ROOT / "examples" / "kommuneundersokelsen_2020.csv"


def assert_one_line_error(result, *fragments):
    code, out, err = result
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("Error:")
    assert "Traceback" not in err + out
    for f in fragments:
        assert f in lines[0]


def test_missing_input_file(cli, model_dir, tmp_path):
    assert_one_line_error(cli("predict", tmp_path / "nope.csv", "--model", model_dir), "File not found", "nope.csv")


def test_unknown_column_lists_columns(cli, model_dir, tmp_path):
    assert_one_line_error(cli("predict", EXAMPLE, "--text-column", "answer", "--model", model_dir, "--out", tmp_path / "o.csv"),
                          "Column 'answer' not found", "respondent_id, kommune, fylke, innbyggere, svar")


def test_empty_file(cli, model_dir, tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    assert_one_line_error(cli("predict", tmp_path / "e.csv", "--model", model_dir), "empty")


def test_file_with_no_text_column(cli, model_dir, tmp_path):
    (tmp_path / "n.csv").write_text("id;score\n1;4\n2;5\n", encoding="utf-8")
    assert_one_line_error(cli("predict", tmp_path / "n.csv", "--model", model_dir), "No text column")


def test_unknown_code_in_training_data_names_the_row(cli, tmp_path):
    (tmp_path / "t.csv").write_text("text;labels\nPraksis;practice_placements\nBolig;bolig\n", encoding="utf-8")
    assert_one_line_error(cli("train", "--data", tmp_path / "t.csv", "--codeframe", FRAME, "--out", tmp_path / "m"),
                          "Unknown code 'bolig'", "t.csv row 3")
    assert not (tmp_path / "m").exists()


def test_tampered_model_is_refused(cli, copy_model, tmp_path):
    with open(copy_model / "model.json", "ab") as f:
        f.write(b"\0")
    assert_one_line_error(cli("predict", EXAMPLE, "--model", copy_model, "--out", tmp_path / "o.csv"),
                          "does not match the SHA-256")
    assert not (tmp_path / "o.csv").exists()


def test_corrupt_model_with_trust_is_still_a_clean_error(cli, copy_model, tmp_path):
    (copy_model / "model.json").write_bytes(b"garbage")
    code, out, err = cli("predict", EXAMPLE, "--model", copy_model, "--trust-model", "--out", tmp_path / "o.csv")
    assert code == 1 and "Cannot load model" in err and "Traceback" not in err


def test_model_without_metadata(cli, copy_model):
    (copy_model / "metadata.json").unlink()
    assert_one_line_error(cli("predict", EXAMPLE, "--model", copy_model), "no metadata.json")


def test_foreign_model_file(cli, tmp_path):
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps({"not": "a model"}), encoding="utf-8")
    (folder / "arrays.npz").write_bytes(b"")
    from classifier.registry import sha256_file

    files = {n: sha256_file(folder / n) for n in ("model.json", "arrays.npz")}
    meta = {"tool": "survey-coder", "model_files": files}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    assert_one_line_error(cli("predict", EXAMPLE, "--model", folder), "not a model made by this tool")


def test_model_trained_with_another_code_frame(cli, model_dir, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('[frame]\nname = "tone"\n[[codes]]\nkey = "pos"\n[[codes]]\nkey = "neg"\n', encoding="utf-8")
    assert_one_line_error(cli("predict", EXAMPLE, "--model", model_dir, "--codeframe", other, "--out", tmp_path / "o.csv"),
                          "code frame 'imdi_kvalifisering'", "'tone'")


def test_gold_file_with_codes_outside_the_models_frame(cli, model_dir, tmp_path):
    (tmp_path / "g.csv").write_text("text;labels\nPraksis;positive\n", encoding="utf-8")
    assert_one_line_error(cli("evaluate", "--data", tmp_path / "g.csv", "--model", model_dir), "Unknown code 'positive'")


def test_unknown_model_name(cli, project):
    assert_one_line_error(cli("predict", EXAMPLE, "--model", "no-such-model"), "Model not found")


def test_output_may_not_overwrite_input(cli, model_dir, tmp_path):
    src = tmp_path / "s.csv"
    src.write_bytes(EXAMPLE.read_bytes())
    assert_one_line_error(cli("predict", src, "--model", model_dir, "--out", src), "is the input")
    assert src.read_bytes() == EXAMPLE.read_bytes()


@pytest.mark.parametrize("value", ["0.2", "1.5"])
def test_bad_target_precision(cli, model_dir, value):
    assert_one_line_error(cli("predict", EXAMPLE, "--model", model_dir, "--target-precision", value), "target-precision")


def test_real_process_prints_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "predict", str(tmp_path / "missing.xlsx")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "File not found" in proc.stderr
