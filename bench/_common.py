"""What every benchmark shares: paths, the resampled data, the machine description,
peak-memory measurement of a child process, and writing results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TRAINING = ROOT / "training_data"
FRAME = ROOT / "labels" / "imdi_kvalifisering.toml"
HELDOUT = ROOT / "eval_data" / "heldout.csv"
PYTHON = sys.executable
SEED = 20240601


def training_frame() -> pd.DataFrame:
    """All shipped coded answers (training_data/*.csv) as one table of strings."""
    files = sorted(TRAINING.glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def resample(n: int, seed: int = SEED) -> pd.DataFrame:
    """`n` answers drawn with replacement from training_data/ (fixed seed), fresh ids."""
    df = training_frame().sample(n=n, replace=True, random_state=seed).reset_index(drop=True)
    df["id"] = [f"r{i}" for i in range(len(df))]
    return df


def machine() -> dict:
    """Where the figures were made: platform, CPUs, memory, library versions, git commit."""
    import numpy
    import sklearn
    import spacy

    from classifier import __version__

    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip() or None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=False).stdout.strip()
        if commit and dirty:
            commit += "+uncommitted changes"
    except OSError:
        commit = None
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "memory_gb": mem,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "git_commit": commit,
        "versions": {
            "python": platform.python_version(),
            "survey-coder": __version__,
            "spacy": spacy.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "pandas": pd.__version__,
        },
    }


def run_measured(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run `cmd` in its own wrapper process and return its wall time and peak RSS.

    The wrapper (bench/_child.py) waits for the command and reads RUSAGE_CHILDREN, so
    the peak memory is the command's own and no earlier child's.
    """
    wrapper = [PYTHON, "-m", "bench._child", "--", *cmd]
    proc = subprocess.run(wrapper, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark command failed: {' '.join(map(str, cmd))}\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1])
    if result["returncode"] != 0:
        raise RuntimeError(f"benchmark command failed ({result['returncode']}): {' '.join(map(str, cmd))}\n"
                           f"{result['stderr_tail']}")
    return result


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def write_result(kind: str, payload: dict) -> Path:
    """bench/results/<date>-<kind>.json (date with time of day: one file per run)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M%S")
    path = RESULTS / f"{stamp}-{kind}.json"
    doc = {"kind": kind, "date": datetime.now().isoformat(timespec="seconds"), "machine": machine(), **payload}
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
