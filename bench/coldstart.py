"""`python -m bench.coldstart` (also `python -m bench coldstart`): coding a new question from
zero, in the order `label` picks against file order.

The 926 answers of training_data/ stand in for a new question's answers (one item per
distinct answer, as `label` shows them; its first coding is the gold one), and a simulated
coordinator gives each answer shown its gold codes. Two orders, from the same file order
(a seeded shuffle of the file, several seeds):

- the tool's: a real `label` session (classifier.coldstart.ColdStartSession, fits in 'wait'
  mode): keyword suggestions in file order until every code has MIN_EXAMPLES answers, then
  a model retrained every RETRAIN_EVERY answers, the answers least confident first, near-
  identical ones spread apart. (On a terminal the fit runs in the background and its model
  comes a few answers later.)
- file order: the first N answers of the file.

After every 50 decisions up to 400 a fresh model is fitted on the answers coded so far
(the TF-IDF coder, 3-fold CV, as `label` fits it) and scored on eval_data/heldout.csv
(219 answers never trained on): macro F1. The table shows 50, 100, 200 and 400; the grid
gives how many decisions each order needs to reach the macro F1 that file order reaches
with 400. Also: how often the suggestion on screen was exactly the gold coding (Enter was
all it took), per suggester.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from ._common import FRAME, RESULTS, ROOT, TRAINING, write_result

HELDOUT = ROOT / "eval_data" / "heldout.csv"
CHECKPOINTS = (50, 100, 200, 400)  # in the table
GRID = tuple(range(50, 401, 50))  # scored, for the decisions needed to reach a macro F1
SEEDS = (0, 1, 2)
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def answers(frame):
    """Distinct answers of training_data/ (as `label` groups them) and each one's gold codes."""
    from classifier.dataset import check_against_frame, read_coded
    from classifier.queue import group_answers

    data = check_against_frame(read_coded([TRAINING]), frame)
    items = group_answers(data.texts)
    gold = {}
    for it in items:
        gold[it.key] = [k for k in frame.keys if k in data.labels[it.rows[0]]]
    return items, gold


def heldout_score(frame, texts, labels, test) -> float | None:
    """Macro F1 on the held-out answers of a model fitted on (texts, labels); None if it cannot fit."""
    from classifier.coders import make_coder
    from classifier.coldstart import FIT_CV
    from classifier.dataset import CodedAnswers
    from classifier.evaluation import code_metrics

    Y = CodedAnswers(list(texts), [list(x) for x in labels]).indicator(frame)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coder = make_coder("tfidf", frame, cv=FIT_CV).fit(list(texts), Y)
    except ValueError:
        return None
    return code_metrics(test.indicator(frame), coder.predict(test.texts), frame.keys)["macro_f1"]


def tool_order(frame, items, gold, n: int, work: Path) -> dict:
    """A `label` session from zero coded answers, the coordinator giving the gold codes."""
    from classifier.coldstart import ColdStartSession
    from classifier.store import AnnotationStore

    path = work / f"sim-{time.monotonic_ns()}.sqlite"
    fits = []
    with AnnotationStore(path) as store:
        session = ColdStartSession(store, items, frame, source="sim.csv", annotator="sim", all_items=items,
                                   fit_mode="wait")
        start = session.fitter.start

        def started(job):
            fits.append(len(job["texts"]))
            start(job)

        session.fitter.start = started
        order, used, right = [], [], []
        while len(order) < n:
            screen = session.current()
            if screen is None:
                break
            codes = gold[screen.item.key]
            used.append(session.suggester.kind)
            right.append(screen.suggested == codes)
            session.selection = list(codes)
            out = session.accept()
            assert out.ok, out.message
            order.append(screen.item.key)
        session.quit()
    path.unlink(missing_ok=True)
    return {"order": order, "used": used, "right": right, "fits": fits}


def run(seeds=SEEDS, checkpoints=GRID, progress=None) -> dict:
    from classifier.codeframe import load_codeframe
    from classifier.dataset import check_against_frame, read_coded

    progress = progress or (lambda m: console.print(f"[dim]{m}[/]"))
    frame = load_codeframe(FRAME)
    items, gold = answers(frame)
    test = check_against_frame(read_coded([HELDOUT]), frame)
    by_key = {it.key: it for it in items}
    n = max(checkpoints)
    runs = []
    work = Path(tempfile.mkdtemp(prefix=".bench-coldstart-", dir=ROOT))
    try:
        for seed in seeds:
            shuffled = [items[i] for i in np.random.default_rng(seed).permutation(len(items))]
            t0 = time.perf_counter()
            progress(f"seed {seed}: the tool's order ({n} decisions)")
            tool = tool_order(frame, shuffled, gold, n, work)
            t_tool = time.perf_counter() - t0
            orders = {"tool": tool["order"], "file": [it.key for it in shuffled[:n]]}
            scores = {}
            for name, order in orders.items():
                progress(f"seed {seed}: scoring {name} order after {', '.join(map(str, checkpoints))} decisions")
                scores[name] = {str(k): heldout_score(frame, [by_key[x].text for x in order[:k]],
                                                      [gold[x] for x in order[:k]], test) for k in checkpoints}
            first_model = tool["used"].index("model") if "model" in tool["used"] else None
            right = {kind: [r for r, u in zip(tool["right"], tool["used"]) if u == kind] for kind in set(tool["used"])}
            runs.append({
                "seed": seed, "macro_f1": scores, "tool_seconds": round(t_tool, 1),
                "first_model_at_decision": None if first_model is None else first_model + 1,
                "fits_at_answers": tool["fits"],
                "suggestion_exactly_right": {k: {"share": float(np.mean(v)), "n": len(v)} for k, v in right.items()},
                "code_counts_at": {str(k): {name: {c: sum(c in gold[x] for x in o[:k]) for c in frame.keys}
                                            for name, o in orders.items()} for k in checkpoints},
            })
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"answers": len(items), "heldout_answers": len(test), "checkpoints": list(checkpoints),
            "seeds": list(seeds), "runs": runs, "summary": summarise(runs, checkpoints)}


def summarise(runs, checkpoints) -> dict:
    """Per order and checkpoint: mean, min and max macro F1 over the seeds; and the decisions
    each order needs (mean over seeds, on the grid) to reach file order's mean at the last."""
    out: dict = {}
    for name in ("tool", "file"):
        out[name] = {}
        for k in checkpoints:
            vals = [r["macro_f1"][name][str(k)] for r in runs if r["macro_f1"][name][str(k)] is not None]
            out[name][str(k)] = ({"mean": float(np.mean(vals)), "min": float(min(vals)), "max": float(max(vals)),
                                  "n": len(vals)} if vals else None)
    last = str(max(checkpoints))
    target = out["file"][last]["mean"] if out["file"][last] else None
    out["target_macro_f1"] = target
    out["decisions_to_target"] = {
        name: next((k for k in checkpoints if out[name][str(k)] and out[name][str(k)]["mean"] >= target), None)
        for name in ("tool", "file")} if target is not None else None
    return out


def show(r: dict) -> None:
    s = r["summary"]
    t = Table(title=f"Cold start: macro F1 on the {r['heldout_answers']} held-out answers after N decisions "
                    f"(mean of {len(r['seeds'])} file orders, min–max)", title_justify="left")
    t.add_column("decisions", justify="right")
    for name in ("file order", "the tool's order", "difference"):
        t.add_column(name, justify="right")
    for k in CHECKPOINTS:
        f, o = s["file"][str(k)], s["tool"][str(k)]
        cell = lambda x: "–" if x is None else f"{x['mean']:.3f} ({x['min']:.3f}–{x['max']:.3f})"  # noqa: E731
        diff = "–" if f is None or o is None else f"{o['mean'] - f['mean']:+.3f}"
        t.add_row(str(k), cell(f), cell(o), diff)
    console.print(t)
    reach = s["decisions_to_target"]
    if reach:
        console.print(f"Macro F1 {s['target_macro_f1']:.3f} (file order's after {max(r['checkpoints'])}): "
                      f"the tool's order reaches it after {reach['tool'] or 'more than ' + str(max(r['checkpoints']))}"
                      f" decisions, file order after {reach['file']} (mean over the orders, every 50 decisions).")
    for run in r["runs"]:
        right = ", ".join(f"{k} {100 * v['share']:.0f} % of {v['n']}" for k, v in sorted(run["suggestion_exactly_right"].items()))
        console.print(f"[dim]seed {run['seed']}: first model at decision {run['first_model_at_decision']}, "
                      f"fits at {run['fits_at_answers']}; suggestion exactly right: {right}; "
                      f"{run['tool_seconds']} s[/]")


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=len(SEEDS), help="shuffled file orders (default 3)")
    args = p.parse_args(argv)
    r = run(tuple(range(args.seeds)))
    show(r)
    console.print(f"Wrote {write_result('coldstart', r).relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
