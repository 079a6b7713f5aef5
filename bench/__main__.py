"""`python -m bench [speed|accuracy|themes|all] [--runs N] [--quick] [--profile]` (what `make bench` runs).

Writes bench/results/<date>-speed.json, <date>-accuracy.json and <date>-themes.json and prints rich tables.
"""

from __future__ import annotations

import argparse
import os
import sys

from rich.console import Console
from rich.table import Table

from ._common import RESULTS, write_result

console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def _ok(met: bool) -> str:
    return "[green]met[/]" if met else "[red]missed[/]"


def show_speed(r: dict) -> None:
    t = Table(title=f"Speed: {r['n_answers']:,} answers (median of {r['runs']} runs; "
                    f"train median of {r['train_runs']})", title_justify="left")
    for col in ("step", "seconds", "answers/s", "peak RSS", "target"):
        t.add_column(col, justify="left" if col in ("step", "target") else "right")
    tg = r["targets"]
    t.add_row("(a) spacy.blank('nb').pipe (floor)", f"{r['spacy_floor_s']['median']:.2f}",
              f"{r['answers_per_s']['spacy_floor']:,.0f}", "–", "")
    t.add_row("(b) cli.py predict, end to end", f"{r['predict_s']['median']:.2f}",
              f"{r['answers_per_s']['predict']:,.0f}", f"{r['peak_rss_mb']['predict']:,.0f} MB",
              f"RSS < 1.5 GB: {_ok(tg['predict_rss_under_1_5GB']['met'])}")
    t.add_row("    ratio (b)/(a)", f"{r['ratio_predict_to_floor']:.2f}x", "", "",
              f"≤ 3x: {_ok(tg['predict_within_3x_floor']['met'])}")
    t.add_row("    of which start-up (cli.py --help)", f"{r['startup_s']['median']:.2f}", "",
              f"{r['peak_rss_mb']['startup']:,.0f} MB", "")
    t.add_row(f"(c) cli.py train, {r['train_answers']:,} answers", f"{r['train_s']['median']:.2f}",
              f"{r['answers_per_s']['train']:,.0f}", f"{r['peak_rss_mb']['train']:,.0f} MB",
              f"< 60 s: {_ok(tg['train_under_60s']['met'])}")
    ld = r.get("model_load")
    if ld:
        ip, pr = ld["in_process_s"], ld["process_s"]
        t.add_row("model opening, safe format (in process)", f"{ip['safe']['median']:.3f}", "", "",
                  f"≤ 1.2x the pickle: {_ok(tg['load_within_20pct_of_pickle']['met'])}")
        t.add_row("    the same model as a pickle (before 0.2)", f"{ip['pickle']['median']:.3f}", "", "",
                  f"ratio {ld['ratio']:.2f}x")
        t.add_row("    whole process (import, open, exit): safe / pickle", f"{pr['safe']:.2f} / {pr['pickle']:.2f}",
                  "", "", f"ratio {ld['process_ratio']:.2f}x")
    d = r.get("distinct_stress")
    if d:
        t.add_section()
        t.add_row("stress, all answers distinct: (a) floor", f"{d['spacy_floor_s']:.2f}",
                  f"{r['n_answers'] / d['spacy_floor_s']:,.0f}", "–", "1 run, no target")
        t.add_row("stress, all answers distinct: (b) predict", f"{d['predict_s']:.2f}",
                  f"{d['answers_per_s']:,.0f}", f"{d['peak_rss_mb']:,.0f} MB", f"ratio {d['ratio']:.2f}x")
    console.print(t)
    console.print(f"[dim]{r['note']}[/]")


def show_accuracy(r: dict) -> None:
    t = Table(title=f"Accuracy: {r['folds']}-fold CV on {r['n_answers']} answers of training_data/ "
                    f"(same folds for every method)", title_justify="left")
    for col in ("method", "macro F1", "micro F1", "exact match", "auto-coded at 95 %", "accuracy on them"):
        t.add_column(col, justify="left" if col == "method" else "right")
    names = {"keyword": "keyword coder (code frame examples)", "tfidf_lr": "TF-IDF + logistic regression",
             "survey_coder": "survey-coder (TF-IDF coder)"}
    for m, s in r["methods"].items():
        auto = s["auto_095"]
        t.add_row(names.get(m, m), f"{s['macro_f1']:.3f}", f"{s['micro_f1']:.3f}", f"{s['exact_match']:.3f}",
                  "n/a" if auto is None else f"{100 * auto['auto_share']:.1f} %",
                  "–" if auto is None or auto["auto_accuracy"] is None else f"{100 * auto['auto_accuracy']:.1f} %")
    own = r["methods"]["survey_coder"]["auto_095_own_cutoff"]
    t.add_row("  survey-coder, its own cutoff", "", "", "", f"{100 * own['auto_share']:.1f} %",
              "–" if own["auto_accuracy"] is None else f"{100 * own['auto_accuracy']:.1f} %")
    console.print(t)
    for b, v in r["survey_coder_beats"].items():
        console.print(f"survey-coder beats {names[b]}: macro F1 {_ok(v['macro_f1'])}, "
                      f"auto-coded share {_ok(v['auto_095'])}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("kind", nargs="?", choices=("all", "speed", "accuracy", "themes"), default="all")
    p.add_argument("--runs", type=int, default=3, help="timed runs of each speed step (median reported)")
    p.add_argument("--train-runs", type=int, help="timed runs of train (default: --runs)")
    p.add_argument("--n", type=int, default=100_000, help="answers in the predict file")
    p.add_argument("--train-n", type=int, default=10_000, help="answers in the train file")
    p.add_argument("--quick", action="store_true", help="one run of each step (for a quick look)")
    p.add_argument("--profile", action="store_true", help="also profile predict and train once (cProfile)")
    p.add_argument("--no-distinct", action="store_true", help="skip the stress run on 100,000 distinct answers")
    args = p.parse_args(argv)
    runs = 1 if args.quick else args.runs
    say = lambda m: console.print(f"[dim]{m}[/]")  # noqa: E731
    if args.kind in ("all", "speed"):
        from .speed import profile, run_speed

        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        r = run_speed(args.n, args.train_n, runs, args.train_runs, progress=say, distinct_run=not args.no_distinct)
        r["load_average_at_start"] = load  # other work on the machine slows every step
        show_speed(r)
        console.print(f"Wrote {write_result('speed', r).relative_to(RESULTS.parent.parent)}")
        if args.profile:
            for name, path in profile(args.n, args.train_n).items():
                console.print(f"Profile of {name}: {path.relative_to(RESULTS.parent.parent)}")
    if args.kind in ("all", "accuracy"):
        from .accuracy import run_accuracy

        r = run_accuracy(progress=say)
        show_accuracy(r)
        console.print(f"Wrote {write_result('accuracy', r).relative_to(RESULTS.parent.parent)}")
    if args.kind in ("all", "themes"):
        from . import themes

        r = themes.run(runs, seeds=1 if args.quick else 5, progress=say)
        themes.show(r)
        console.print(f"Wrote {write_result('themes', r).relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
