"""Opening a model never runs code from it; old pickle models load only when trusted."""

from __future__ import annotations

import json
import pickle
import shutil

from classifier.coders.persist import dump_pickle
from classifier.registry import load_model, sha256_file

EXAMPLE = "examples/kommuneundersokelsen_2020.csv"


class Payload:
    """Unpickling this object opens (creates) a file: a stand-in for any command."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def write_pickle_model(folder, obj):
    folder.mkdir()
    (folder / "model.joblib").write_bytes(pickle.dumps(obj))
    meta = {"tool": "survey-coder", "name": "x", "model_file": "model.joblib",
            "model_sha256": sha256_file(folder / "model.joblib")}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_a_malicious_pickle_with_a_matching_hash_is_refused_and_never_runs(cli, tmp_path):
    marker = tmp_path / "payload_ran"
    folder = write_pickle_model(tmp_path / "evil", Payload(marker))
    out = tmp_path / "coded.csv"
    code, stdout, err = cli("predict", EXAMPLE, "--text-column", "svar", "--model", folder, "--out", out)
    assert code == 1
    assert err.startswith("Error: Model") and "old pickle format" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not marker.exists() and not out.exists()


def test_the_safe_format_codes_byte_identically_to_the_same_model_as_a_pickle(cli, model_dir, tmp_path):
    """The project's own model, kept in the old format too, gives the same file."""
    old = tmp_path / "as_pickle"
    old.mkdir()
    dump_pickle(load_model(model_dir).coder, old / "model.joblib")
    meta = {k: v for k, v in json.loads((model_dir / "metadata.json").read_text(encoding="utf-8")).items()
            if k not in ("model_files", "model_format")}
    meta.update(model_file="model.joblib", model_sha256=sha256_file(old / "model.joblib"))
    (old / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    safe_out, old_out = tmp_path / "safe.csv", tmp_path / "old.csv"
    assert cli("predict", EXAMPLE, "--text-column", "svar", "--model", model_dir, "--out", safe_out)[0] == 0
    code, _, err = cli("predict", EXAMPLE, "--text-column", "svar", "--model", old, "--out", old_out, "--trust-model")
    assert code == 0 and "Opening the pickle" in err
    assert safe_out.read_bytes() == old_out.read_bytes()


def test_models_convert_needs_trust_then_rewrites_the_model(cli, project, model_dir):
    target = project / "models" / "20240101-000000-old"
    target.mkdir()
    dump_pickle(load_model(model_dir).coder, target / "model.joblib")
    meta = {"tool": "survey-coder", "name": "old", "model_file": "model.joblib",
            "model_sha256": sha256_file(target / "model.joblib"),
            "codeframe": {"name": "imdi", "version": "1"}, "training_data": {"n_answers": 926},
            "cv_scores": {"macro_f1": 0.9}, "spacy": {"spacy_model": "blank:nb"}}
    (target / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err = cli("models", "--convert", "old")
    assert code == 1 and "--trust-model" in err
    assert (target / "model.joblib").exists()
    code, out, _ = cli("models", "--convert", "old", "--trust-model")
    assert code == 0 and "Converted" in out
    assert not (target / "model.joblib").exists() and (target / "model.json").exists()
    assert load_model(target).metadata["converted"]["from"] == "model.joblib"
    shutil.rmtree(target)


def test_a_pickle_posing_as_the_safe_format_is_refused_and_never_runs(cli, tmp_path):
    marker = tmp_path / "payload_ran"
    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "model.json").write_bytes(pickle.dumps(Payload(marker)))
    (folder / "arrays.npz").write_bytes(pickle.dumps(Payload(marker)))
    files = {n: sha256_file(folder / n) for n in ("model.json", "arrays.npz")}
    meta = {"tool": "survey-coder", "name": "x", "model_files": files}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err = cli("predict", EXAMPLE, "--text-column", "svar", "--model", folder, "--out", tmp_path / "o.csv")
    assert code == 1 and err.startswith("Error: Cannot load model") and len(err.strip().splitlines()) == 1
    assert not marker.exists()
