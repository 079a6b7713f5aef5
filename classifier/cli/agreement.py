"""`agreement`: how far annotators agree, per code, and the answers they disagree on."""

from __future__ import annotations

import math

from rich.table import Table

from ..agreement import agreement
from ..codeframe import join_labels
from ..errors import Errors, Notes, UserError
from ..frames import resolve_store_frame
from ..interchange import write_records
from ._store import add_store_option, open_store
from ._util import add_command, console, pct


def _value(x: float) -> str:
    return "–" if x is None or math.isnan(x) else f"{x:.3f}"


def _interval(a) -> str:
    return "–" if a.interval is None else f"{a.interval[0]:.2f} to {a.interval[1]:.2f}"


def run(args) -> int:
    """Agreement between annotators who coded the same answers, per code.

    Two annotators: Cohen's kappa per code; three or more: Krippendorff's alpha (nominal),
    which allows for annotators who did not code every answer. Each with a 95 % interval
    (a bootstrap over the answers: --resamples draws, --seed). Also the share of answers
    where they agree, and the answers they disagree on (all of them with --out), with
    their final codes once adjudicated ('survey-coder adjudicate').

    Example:
      survey-coder agreement --out disagreements.xlsx
    """
    with open_store(args) as store:
        frame_hash, frame, _ = resolve_store_frame(store, args.codeframe or None)
        report = agreement(store, frame, frame_hash, resamples=args.resamples, seed=args.seed)
    if report is None:
        raise UserError(Errors.NO_OVERLAP.format(path=store.path, where=Errors.WITH_FRAME.format(frame=frame.name)))
    stat = report.per_code[0].statistic
    table = Table(title=f"Agreement of {len(report.annotators)} annotators ({', '.join(report.annotators)}) "
                        f"on {report.n_answers} answers", title_justify="left")
    table.add_column("code")
    table.add_column("name")
    table.add_column("agree", justify="right")
    table.add_column(stat, justify="right")
    table.add_column("95 % interval", justify="right")
    for a in report.per_code:
        table.add_row(a.code, frame.code(a.code).name if a.code in frame.keys else "", pct(a.agreement), _value(a.value),
                      _interval(a))
    table.add_section()
    o = report.overall
    table.add_row("whole coding", "the exact set of codes", pct(o.agreement), f"α {_value(o.value)}", _interval(o))
    console.print(table)
    console.print(Notes.AGREEMENT_INTERVALS.format(n=report.n_answers, resamples=report.resamples, seed=report.seed),
                  style="dim")
    if stat == "Cohen's kappa":
        console.print("[dim]– : kappa is undefined where neither annotator ever (or both always) used the code.[/]")
    dis = report.disagreements
    if dis:
        settled = sum(d.final is not None for d in dis)
        t = Table(title=f"{len(dis)} answers they disagree on ({settled} adjudicated)", title_justify="left",
                  show_lines=True)
        t.add_column("answer")
        for a in report.annotators:
            t.add_column(a)
        t.add_column("final (adjudicated)")
        for d in dis[: args.show]:
            t.add_row(d.text if len(d.text) <= 120 else d.text[:119] + "…",
                      *[join_labels(d.codings[a]) if a in d.codings else "" for a in report.annotators],
                      join_labels(d.final) if d.final is not None else "–")
        console.print(t)
        if len(dis) > args.show:
            console.print(f"… and {len(dis) - args.show} more (write them all with --out FILE).")
        if settled < len(dis):
            console.print(Notes.ADJUDICATE_HINT.format(n=len(dis) - settled))
    else:
        console.print("No answer is coded differently.")
    if args.out:
        records = [{"text": d.text, "answer_hash": d.answer_hash,
                    **{a: join_labels(d.codings.get(a, [])) for a in report.annotators},
                    "final": join_labels(d.final) if d.final is not None else ""} for d in dis]
        write_records(records, args.out, ["text", "answer_hash", *report.annotators, "final"], inputs=[store.path])
        console.print(f"Wrote {len(records)} disagreements to [bold]{args.out}[/].")
    return 0


def register(sub) -> None:
    p = add_command(sub, "agreement", run)
    add_store_option(p)
    p.add_argument("--codeframe", metavar="FILE", help="code frame (default: the one with the most decisions)")
    p.add_argument("--show", type=int, default=20, metavar="N", help="disagreements to show (default 20)")
    p.add_argument("--out", metavar="FILE", help="write every disagreement to .csv, .xlsx or .jsonl")
    p.add_argument("--resamples", type=int, default=1000, metavar="N",
                   help="bootstrap draws for the 95 %% intervals (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0): the same seed, the same intervals")
