"""`python -m bench.themes` (also part of `python -m bench`): how fast `themes` is on 500
answers, and how well it finds three planted topics.

Speed: `python cli.py themes` end to end (start, read, group, write the five files) on 500
answers: 464 drawn from training_data/ without replacement (fixed seed) and the 36 planted
answers of tests/data/planted_themes.csv (written by hand for the project); median of runs,
with peak memory; and the grouping alone, in-process.

Quality: the planted topics (twelve answers each on digital skills, personal finance and
swimming lessons) among 64 answers coded `other`, all 197 coded `other`, and the 464 answers
above, for several seeds. A topic is found when at least 60 % of its answers are in one theme
of which at least half are from the topic, and each topic has its own theme (the test in
tests/test_themes.py). The same is measured for k-means at the k with the best silhouette
(k from √n/2 to 2√n, the range the consensus draws from), on the same features.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from ._common import PYTHON, RESULTS, ROOT, median, run_measured, timed, training_frame, write_result

PLANTED = ROOT / "tests" / "data" / "planted_themes.csv"
TOPICS = ("digital", "okonomi", "svomming")
SEED = 11
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def scenarios() -> dict[str, pd.DataFrame]:
    """name -> table with `text` and `topic` ('-' for the answers around the planted ones)."""
    train = training_frame()
    planted = pd.read_csv(PLANTED, sep=";", dtype=str).rename(columns={"svar": "text"})[["text", "topic"]]
    other = train[train["labels"] == "other"][["text"]].assign(topic="-")
    anything = train[["text"]].sample(n=464, random_state=SEED).assign(topic="-")
    out = {}
    for name, base in (("64 coded other", other.sample(n=64, random_state=SEED)), ("197 coded other", other),
                       ("464 of any code", anything)):
        df = pd.concat([base, planted], ignore_index=True).sample(frac=1.0, random_state=SEED).reset_index(drop=True)
        out[name] = df
    return out


def recovery(theme_of_row, topics) -> dict:
    """Per topic (share of its answers in its best theme, share of that theme from the topic),
    and whether all three were found, each in a theme of its own."""
    theme_of_row, topics = np.asarray(theme_of_row), np.asarray(topics)
    per, best = {}, []
    for t in TOPICS:
        mine = theme_of_row[(topics == t) & (theme_of_row > 0)]
        if not len(mine):
            per[t] = (0.0, 0.0)
            best.append(None)
            continue
        b, count = Counter(mine.tolist()).most_common(1)[0]
        per[t] = (float(count / (topics == t).sum()), float((topics[theme_of_row == b] == t).mean()))
        best.append(b)
    found = all(r >= 0.6 and p >= 0.5 for r, p in per.values()) and len(set(best)) == 3 and None not in best
    return {"per_topic": per, "all_found": bool(found)}


def silhouette_baseline(finder, seed: int) -> np.ndarray:
    """k-means on the same LSA vectors at the k (√n/2 .. 2√n) with the best cosine silhouette;
    per distinct answer, theme 1, 2, ... (every answer assigned)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    L, w = finder.embedding_, finder.counts_
    placed = np.linalg.norm(L, axis=1) > 0.5
    n = int(placed.sum())
    best = None
    with threadpool_limits(1):
        for k in range(max(2, int(math.sqrt(n) / 2)), int(2 * math.sqrt(n)) + 1):
            lab = KMeans(k, n_init=4, random_state=seed).fit_predict(L[placed], sample_weight=w[placed])
            score = silhouette_score(L[placed], lab, metric="cosine")
            if best is None or score > best[0]:
                best = (score, lab, k)
    out = np.zeros(len(L), dtype=int)
    out[placed] = best[1] + 1
    return out, int(best[2])


def run_quality(seeds: int, progress=print) -> dict:
    from classifier.themes import ThemeFinder, find_themes, select_answers

    rows = {}
    for name, df in scenarios().items():
        progress(f"themes on {name} + 36 planted, {seeds} seeds")
        sel = select_answers(df, "text", name)
        runs = []
        for seed in range(seeds):
            start = time.perf_counter()
            res = find_themes(sel, seed=seed)
            secs = time.perf_counter() - start
            rec = recovery(res.theme_of_row, df["topic"])
            finder = ThemeFinder(None, seed).fit(df["text"].tolist())
            base, k = silhouette_baseline(finder, seed)
            brec = recovery(base[finder.item_of_text_], df["topic"])
            runs.append({"seed": seed, "seconds": secs, "themes": len(res.themes),
                        "unassigned_share": res.n_unassigned / res.n_answers, **rec,
                        "silhouette_k": k, "silhouette_all_found": brec["all_found"],
                        "silhouette_per_topic": brec["per_topic"]})
        rows[name] = {
            "answers": len(df), "runs": runs,
            "all_found": sum(r["all_found"] for r in runs),
            "silhouette_all_found": sum(r["silhouette_all_found"] for r in runs),
            "topic_found": {t: int(sum(r["per_topic"][t][0] >= 0.6 and r["per_topic"][t][1] >= 0.5 for r in runs))
                            for t in TOPICS},
            "mean_recall": {t: float(np.mean([r["per_topic"][t][0] for r in runs])) for t in TOPICS},
            "mean_purity": {t: float(np.mean([r["per_topic"][t][1] for r in runs])) for t in TOPICS},
            "themes": [r["themes"] for r in runs], "silhouette_k": [r["silhouette_k"] for r in runs],
            "unassigned_share": float(np.mean([r["unassigned_share"] for r in runs])),
        }
    return {"seeds": seeds, "scenarios": rows}


def run_speed(runs: int, progress=print) -> dict:
    from classifier.themes import find_themes, select_answers

    df = scenarios()["464 of any code"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers_500.csv"
        df.assign(id=[f"r{i}" for i in range(len(df))])[["id", "text"]].to_csv(path, sep=";", index=False,
                                                                                encoding="utf-8-sig")
        cmd = [PYTHON, "cli.py", "themes", str(path), "--text-column", "text", "--id-column", "id",
               "--out", str(Path(tmp) / "out")]
        progress(f"cli.py themes on {len(df)} answers, {runs} runs")
        measured = [run_measured(cmd) for _ in range(runs)]
        progress("cli.py --help (start-up)")
        startup = [run_measured([PYTHON, "cli.py", "--help"])["seconds"] for _ in range(runs)]
    sel = select_answers(df, "text", "answers_500.csv")
    find_themes(sel)  # spaCy loaded and warm, as inside the command
    inproc = [timed(lambda: find_themes(sel)) for _ in range(runs)]
    wall = median([m["seconds"] for m in measured])
    return {
        "n_answers": len(df), "runs": runs, "themes_s": {"median": wall, "all": [m["seconds"] for m in measured]},
        "peak_rss_mb": max(m["max_rss_mb"] for m in measured), "startup_s": median(startup),
        "grouping_in_process_s": {"median": median(inproc), "all": inproc},
        "target": {"seconds_not_minutes": {"limit_s": 60, "met": wall < 60}},
    }


def show(r: dict) -> None:
    s = r["speed"]
    t = Table(title=f"Speed: themes on {s['n_answers']} answers (median of {s['runs']} runs)", title_justify="left")
    for col in ("step", "seconds", "peak RSS", "target"):
        t.add_column(col, justify="left" if col in ("step", "target") else "right")
    ok = "[green]met[/]" if s["target"]["seconds_not_minutes"]["met"] else "[red]missed[/]"
    t.add_row("python cli.py themes, end to end", f"{s['themes_s']['median']:.2f}", f"{s['peak_rss_mb']:,.0f} MB",
              f"< 60 s: {ok}")
    t.add_row("  of which start-up (cli.py --help)", f"{s['startup_s']:.2f}", "", "")
    t.add_row("grouping alone, in-process (find_themes)", f"{s['grouping_in_process_s']['median']:.2f}", "", "")
    console.print(t)
    q = r["quality"]
    t = Table(title=f"Planted topics found ({q['seeds']} seeds; found = ≥ 60 % of a topic in one theme, "
                    "≥ 50 % of that theme from it, a theme each)", title_justify="left")
    for col in ("answers", "all three found", "digital", "økonomi", "svømming", "themes", "unassigned",
                "k-means at best silhouette: all found (k)"):
        t.add_column(col, justify="left" if col == "answers" else "right")
    for name, row in q["scenarios"].items():
        per = [f"{row['topic_found'][x]}/{q['seeds']} ({100 * row['mean_recall'][x]:.0f} % / "
               f"{100 * row['mean_purity'][x]:.0f} %)" for x in TOPICS]
        t.add_row(f"{name} + 36 planted = {row['answers']}", f"{row['all_found']}/{q['seeds']}", *per,
                  f"{min(row['themes'])}–{max(row['themes'])}", f"{100 * row['unassigned_share']:.1f} %",
                  f"{row['silhouette_all_found']}/{q['seeds']} ({min(row['silhouette_k'])}–{max(row['silhouette_k'])})")
    console.print(t)
    console.print("[dim]Per topic: runs found, and mean share of the topic in its best theme / mean share of that "
                  "theme from the topic.[/]")


def run(runs: int = 3, seeds: int = 5, progress=None) -> dict:
    progress = progress or (lambda m: console.print(f"[dim]{m}[/]"))
    return {"speed": run_speed(runs, progress), "quality": run_quality(seeds, progress)}


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.themes", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3, help="timed runs of the command (median reported)")
    p.add_argument("--seeds", type=int, default=5, help="seeds for the planted-topic check")
    args = p.parse_args(argv)
    r = run(args.runs, args.seeds)
    show(r)
    console.print(f"Wrote {write_result('themes', r).relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
