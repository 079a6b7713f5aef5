"""Speed: the command line against spaCy's bare tokenizer, on 100,000 resampled answers.

(a) `spacy.blank("nb").pipe` over the texts, in this process: the floor, since every
    answer has to be tokenized at least once.
(b) `cli.py predict` end to end in a subprocess: start, read, preprocess, classify, write.
(c) `cli.py train` on 10,000 resampled answers in a subprocess (5-fold CV + final fit).
Each is run `runs` times; the median is reported with the peak RSS of (b) and (c).
A last, informational run codes 100,000 answers that are all different texts.

What the profile of (b) showed (cProfile, `python -m bench speed --profile`), and what
was done about it:
- `tables._clean` dropped blank rows with a row-wise `DataFrame.apply`, building a
  Series per row: ~0.8 s per 100,000 rows. Now column-wise: ~0.06 s.
- `coding.code_texts` / `code_table` spread the codes of each distinct text back to
  the rows in per-row Python loops, rounding every cell: ~1.0 s. Now an index array
  from `pd.factorize` and one rounding per distinct value: ~0.3 s. Output unchanged
  byte for byte.
- What is left: interpreter start and imports (~2.1 s: scikit-learn ~1.0 s of it,
  spaCy ~0.5 s, pandas ~0.2 s, all needed to unpickle and run the model), the drift
  check before coding (~0.5 s on a 2,000-answer sample, plus loading spaCy),
  writing the CSV (~0.9 s: pandas `to_csv` and the formula guard), reading it (~0.4 s).
  Start-up alone is ~1.8x the floor, so (b) cannot reach 3x of an in-process floor;
  the ratio without start-up is reported beside it.
- With all answers distinct nothing is shared: scikit-learn's pure-Python char_wb
  n-gram counting is about half the time, `preprocess.doc_terms` (stem and fold per
  token) a fifth, spaCy's tokenizer a fifth.
- (c) train: liblinear dominated (the core switched to its dual solver, ~2x); the
  10,000 answers are mostly copies of ~930 texts, and cross-validation folds do not
  keep copies together, so fold scores there are optimistic (a note, not a speed issue).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import tempfile
from pathlib import Path

import pandas as pd
import spacy

from ._common import FRAME, PYTHON, RESULTS, median, resample, run_measured, timed

TARGET_RATIO = 3.0
TARGET_TRAIN_S = 60.0
TARGET_PREDICT_RSS_MB = 1536.0
TARGET_LOAD_RATIO = 1.2  # opening a safe model: at most 20 % slower than the same model as a pickle


def _env(project: Path) -> dict:
    """An empty project folder, so the user's models/ and annotation store are not touched."""
    env = dict(os.environ)
    env["SURVEY_CODER_HOME"] = str(project)
    env.pop("CI", None)
    return env


def _cols(df: pd.DataFrame, *names: str) -> pd.DataFrame:
    """The named columns that `df` has (a survey file has no labels; `year` is optional)."""
    return df[[c for c in names if c in df.columns]]


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    (project / "models").mkdir(parents=True)
    (project / "training_data").mkdir()
    return project


def spacy_floor(texts: list[str]) -> float:
    """Seconds for a fresh blank Norwegian pipeline to tokenize every text."""
    nlp = spacy.blank("nb")

    def run():
        for _ in nlp.pipe(texts):
            pass

    return timed(run)


def distinct_texts(texts: list[str], seed: int = 0) -> list[str]:
    """Each text with a short numbered tail, so no two answers are the same text."""
    import random

    rng = random.Random(seed)
    tails = ["i kommunen", "for flyktninger", "og oppfølging", "på sikt", "i år", "fremover", "for de unge"]
    return [f"{t} {rng.choice(tails)} (svar {i})" for i, t in enumerate(texts)]


def load_times(model: Path, pickle_dir: Path, runs: int, env: dict) -> dict:
    """Opening a model: the safe format (model.json + arrays.npz) against the same coder kept
    as a joblib pickle (the format before 0.2), in this process (median of `runs` after one
    warm-up) and as a whole process that imports, opens and exits."""
    import json
    import time

    from classifier.coders.persist import PICKLE_FILE, dump_pickle
    from classifier.registry import load_model

    pickle_dir.mkdir()
    dump_pickle(load_model(model).coder, pickle_dir / PICKLE_FILE)
    meta = {"tool": "survey-coder", "name": "pickle", "model_file": PICKLE_FILE}
    (pickle_dir / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    opens = {"safe": lambda: load_model(model), "pickle": lambda: load_model(pickle_dir, trust=True)}
    in_process = {}
    for name, fn in opens.items():
        fn()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        in_process[name] = {"median": median(times), "runs": times}
    code = "import sys; from classifier.registry import load_model; load_model(sys.argv[1], trust=sys.argv[2] == 'y')"
    cold_runs: dict[str, list[float]] = {"safe": [], "pickle": []}
    for _ in range(runs):  # in turn, so a change in the machine's load hits both alike
        for name, folder, flag in (("safe", model, "n"), ("pickle", pickle_dir, "y")):
            cold_runs[name].append(run_measured([PYTHON, "-c", code, str(folder), flag], env=env)["seconds"])
    cold = {name: median(times) for name, times in cold_runs.items()}
    return {"in_process_s": in_process, "process_s": cold,
            "ratio": in_process["safe"]["median"] / in_process["pickle"]["median"],
            "process_ratio": cold["safe"] / cold["pickle"]}


def run_speed(n: int = 100_000, train_n: int = 10_000, runs: int = 3, train_runs: int | None = None,
              progress=print, distinct_run: bool = True) -> dict:
    train_runs = runs if train_runs is None else train_runs
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmpname:
        tmp = Path(tmpname)
        project = _project(tmp)
        env = _env(project)
        survey = resample(n)
        survey_path = tmp / "survey.csv"
        _cols(survey, "id", "text", "year").to_csv(survey_path, index=False)
        train_df = resample(train_n, seed=1)
        train_path = tmp / "train.csv"
        _cols(train_df, "id", "text", "labels", "year").to_csv(train_path, index=False)
        texts = survey["text"].tolist()
        n_unique = survey["text"].nunique()

        progress(f"(a) spacy.blank('nb').pipe over {n:,} texts, {runs} runs")
        floor = [spacy_floor(texts) for _ in range(runs)]

        progress("startup: `cli.py --help` (interpreter start and imports only)")
        startup = [run_measured([PYTHON, "cli.py", "--help"], env=env) for _ in range(runs)]

        progress(f"(c) cli.py train on {train_n:,} resampled answers, {train_runs} runs")
        train_runs_out = []
        for i in range(train_runs):
            out = tmp / f"model{i}"
            train_runs_out.append(run_measured(
                [PYTHON, "cli.py", "train", "--data", str(train_path), "--codeframe", str(FRAME), "--out", str(out)],
                env=env))
        model = tmp / "model0"

        progress(f"model loading: the safe format against the same model as a pickle, {max(runs, 5)} runs each")
        loading = load_times(model, tmp / "model0_pickle", max(runs, 5), env)

        progress(f"(b) cli.py predict on {n:,} answers, {runs} runs")
        predict_runs = []
        for i in range(runs):
            out = tmp / f"coded{i}.csv"
            predict_runs.append(run_measured(
                [PYTHON, "cli.py", "predict", str(survey_path), "--text-column", "text", "--id-column", "id",
                 "--model", str(model), "--out", str(out)], env=env))
        written = len(pd.read_csv(tmp / "coded0.csv", dtype=str, keep_default_na=False, sep=None, engine="python"))
        if written != n:
            raise RuntimeError(f"predict wrote {written} rows, expected {n}")

        distinct = None
        if distinct_run:
            progress(f"stress: {n:,} answers made distinct (a numbered tail on each), 1 run of floor and predict")
            unique_texts = distinct_texts(texts)
            distinct_path = tmp / "distinct.csv"
            pd.DataFrame({"id": survey["id"], "text": unique_texts}).to_csv(distinct_path, index=False)
            floor_d = spacy_floor(unique_texts)
            run_d = run_measured(
                [PYTHON, "cli.py", "predict", str(distinct_path), "--text-column", "text", "--id-column", "id",
                 "--model", str(model), "--out", str(tmp / "coded_distinct.csv")], env=env)
            distinct = {"spacy_floor_s": floor_d, "predict_s": run_d["seconds"], "ratio": run_d["seconds"] / floor_d,
                        "answers_per_s": n / run_d["seconds"], "peak_rss_mb": run_d["max_rss_mb"],
                        "note": "informational, no target: every answer is a different text, so nothing is "
                                "shared between repeats (one run each)"}

    a = median(floor)
    b = median([r["seconds"] for r in predict_runs])
    c = median([r["seconds"] for r in train_runs_out])
    b_rss = max(r["max_rss_mb"] for r in predict_runs)
    c_rss = max(r["max_rss_mb"] for r in train_runs_out)
    s = median([r["seconds"] for r in startup])
    return {
        "n_answers": n,
        "n_unique_texts": int(n_unique),
        "train_answers": train_n,
        "train_unique_texts": int(train_df["text"].nunique()),
        "runs": runs,
        "train_runs": train_runs,
        "note": (f"Both files are resampled with replacement from training_data/ ({int(n_unique)} distinct texts), "
                 f"so most answers are duplicates: {train_n:,} training answers hold only "
                 f"{int(train_df['text'].nunique())} distinct texts, and predict codes each distinct text once."),
        "spacy_floor_s": {"median": a, "runs": floor},
        "startup_s": {"median": s, "runs": [r["seconds"] for r in startup]},
        "predict_s": {"median": b, "runs": [r["seconds"] for r in predict_runs]},
        "train_s": {"median": c, "runs": [r["seconds"] for r in train_runs_out]},
        "ratio_predict_to_floor": b / a,
        "ratio_predict_minus_startup_to_floor": (b - s) / a,
        "answers_per_s": {"spacy_floor": n / a, "predict": n / b, "train": train_n / c},
        "peak_rss_mb": {"predict": b_rss, "train": c_rss, "startup": max(r["max_rss_mb"] for r in startup)},
        "distinct_stress": distinct,
        "model_load": loading,
        "targets": {
            "predict_within_3x_floor": {"target": TARGET_RATIO, "value": b / a, "met": b / a <= TARGET_RATIO},
            "train_under_60s": {"target": TARGET_TRAIN_S, "value": c, "met": c < TARGET_TRAIN_S},
            "predict_rss_under_1_5GB": {"target": TARGET_PREDICT_RSS_MB, "value": b_rss,
                                        "met": b_rss < TARGET_PREDICT_RSS_MB},
            "load_within_20pct_of_pickle": {"target": TARGET_LOAD_RATIO, "value": loading["ratio"],
                                            "met": loading["ratio"] <= TARGET_LOAD_RATIO},
        },
    }


def profile(n: int = 100_000, train_n: int = 10_000, top: int = 25) -> dict[str, Path]:
    """Run predict and train once each under cProfile; write the stats and a text summary."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    written = {}
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmpname:
        tmp = Path(tmpname)
        project = _project(tmp)
        old_home = os.environ.get("SURVEY_CODER_HOME")
        os.environ["SURVEY_CODER_HOME"] = str(project)
        survey_path, train_path = tmp / "survey.csv", tmp / "train.csv"
        _cols(resample(n), "id", "text", "year").to_csv(survey_path, index=False)
        _cols(resample(train_n, seed=1), "id", "text", "labels", "year").to_csv(train_path, index=False)
        from classifier.cli import main

        jobs = {
            "train": ["train", "--data", str(train_path), "--codeframe", str(FRAME), "--out", str(tmp / "m")],
            "predict": ["predict", str(survey_path), "--text-column", "text", "--id-column", "id",
                        "--model", str(tmp / "m"), "--out", str(tmp / "coded.csv")],
        }
        for name, argv in jobs.items():
            prof = cProfile.Profile()
            prof.runcall(main, argv)
            stats_path = RESULTS / f"profile-{name}.prof"
            prof.dump_stats(stats_path)
            text_path = RESULTS / f"profile-{name}.txt"
            with open(text_path, "w", encoding="utf-8") as f:
                st = pstats.Stats(prof, stream=f).strip_dirs()
                st.sort_stats("cumulative").print_stats(top)
                st.sort_stats("tottime").print_stats(top)
            written[name] = text_path
        if old_home is None:
            os.environ.pop("SURVEY_CODER_HOME", None)
        else:
            os.environ["SURVEY_CODER_HOME"] = old_home
    return written
