"""`python -m bench [speed|accuracy|themes|coldstart|all] [--runs N] [--quick] [--profile]` (what `make bench` runs).

Writes bench/results/<date>-speed.json, <date>-accuracy.json, <date>-themes.json and <date>-coldstart.json
and prints rich tables.
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


PROTOCOL_NAMES = {"cv": "cross-validation (5 folds x 3 seeds)", "by_source": "each source held out in turn",
                  "heldout": "a separate held-out file"}
METHOD_NAMES = {"keyword": "keyword coder (code frame examples)", "baseline": "strong plain baseline (LinearSVC)",
                "survey_coder": "survey-coder"}


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def show_accuracy(r: dict) -> None:
    t = Table(title=f"Accuracy on {r['corpus']} ({r['n_answers']} answers, code frame {r['codeframe']}; "
                    f"the same folds for every method)", title_justify="left")
    for col in ("held out", "method", "macro F1", "exact match", "auto-coded", "right when auto-coded",
                "… over 20 words", "… several codes"):
        t.add_column(col, justify="left" if col in ("held out", "method") else "right")
    for protocol, p in r["protocols"].items():
        for m, s in p["methods"].items():
            sl = {x["slice"]: x for x in s.get("slices", [])}
            auto = s.get("auto")
            t.add_row(PROTOCOL_NAMES[protocol] if m == "keyword" else "", METHOD_NAMES[m],
                      f"{s['macro_f1']:.3f}", f"{s['exact_match']:.3f}",
                      _pct(auto["auto_share"]) if auto else "–", _pct(auto["auto_accuracy"]) if auto else "–",
                      _pct(sl.get("over 20 words", {}).get("auto_accuracy")) if auto else "–",
                      _pct(sl.get("several codes", {}).get("auto_accuracy")) if auto else "–")
        t.add_section()
    console.print(t)
    for protocol, p in r["protocols"].items():
        tool, base = p["methods"]["survey_coder"], p["methods"]["baseline"]
        gain = 100 * (tool["macro_f1"] - base["macro_f1"])
        console.print(f"{PROTOCOL_NAMES[protocol]}: survey-coder {gain:+.1f} points macro F1 over the baseline "
                      f"({_ok(gain >= 1.0)} the 1-point target), exact match {_ok(tool['exact_match'] >= base['exact_match'])} "
                      f"not below it; C chosen: {', '.join(f'{c:g}' for c in p['C_chosen'] if c)}.")
    keep = r.get("keeps_codes_without_aeoeaa")
    if keep:
        console.print("Held-out answers that keep exactly their codes when æøå are typed without them: "
                      + ", ".join(f"{_pct(v)} ({k})" for k, v in keep.items()) + ".")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("kind", nargs="?", choices=("all", "speed", "accuracy", "themes", "coldstart"), default="all")
    p.add_argument("--runs", type=int, default=3, help="timed runs of each speed step (median reported)")
    p.add_argument("--train-runs", type=int, help="timed runs of train (default: --runs)")
    p.add_argument("--n", type=int, default=100_000, help="answers in the predict file")
    p.add_argument("--train-n", type=int, default=10_000, help="answers in the train file")
    p.add_argument("--quick", action="store_true", help="one run of each step (for a quick look)")
    p.add_argument("--profile", action="store_true", help="also profile predict and train once (cProfile)")
    p.add_argument("--no-distinct", action="store_true", help="skip the stress run on 100,000 distinct answers")
    p.add_argument("--data", metavar="FILE", help="accuracy: another coded corpus (text, labels, optional source)")
    p.add_argument("--codeframe", metavar="FILE", help="accuracy: its code frame (default: inferred from the codes)")
    p.add_argument("--heldout", metavar="FILE", help="accuracy: a held-out coded file for it")
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

        r = run_accuracy(progress=say, data_path=args.data, frame_path=args.codeframe, heldout_path=args.heldout)
        show_accuracy(r)
        console.print(f"Wrote {write_result('accuracy', r).relative_to(RESULTS.parent.parent)}")
    if args.kind in ("all", "themes"):
        from . import themes

        r = themes.run(runs, seeds=1 if args.quick else 5, progress=say)
        themes.show(r)
        console.print(f"Wrote {write_result('themes', r).relative_to(RESULTS.parent.parent)}")
    if args.kind in ("all", "coldstart"):
        from . import coldstart

        r = coldstart.run(coldstart.SEEDS[:1] if args.quick else coldstart.SEEDS, progress=say)
        coldstart.show(r)
        console.print(f"Wrote {write_result('coldstart', r).relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
