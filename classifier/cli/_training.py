"""Training as `train` and `predict` show it: a progress bar, then the scores."""

from __future__ import annotations

from rich.table import Table

from ..codeframe import join_labels
from ..coders import DEFAULT_KIND
from ..paths import annotations_path, default_frame_path, training_dir
from ..training import train as train_model
from ._models import coder_label
from ._util import command, console, metrics_table, pct, progress_bar, show_warnings


def train_and_show(paths, codeframe=None, text_column="text", labels_column="labels", out=None,
                   name=None, spacy_model=None, C="auto", cv=5, annotations=None, disagreement=None,
                   kind=DEFAULT_KIND):
    """Train with a progress bar, then print the per-code table."""
    with progress_bar("Training", total=cv + 1) as update:
        result = train_model(
            paths, codeframe, text_column, labels_column, out, name=name, spacy_model=spacy_model,
            C=C, cv=cv, progress=lambda step, done, total: update(done, total, f"Training: {step}"),
            annotations=annotations, disagreement=disagreement, kind=kind,
        )
    show_warnings(result.warnings)
    if result.annotations is not None:
        show_annotations(result.annotations)
    meta = result.metadata
    frame = result.coder.frame
    console.print(metrics_table(f"Cross-validated scores ({cv} folds, {meta['training_data']['n_answers']} answers)",
                                meta["cv_scores"], frame))
    chosen = meta["coder"]
    if chosen.get("C_scores"):
        grid = ", ".join(f"{c}: {f1:.3f}" for c, f1 in chosen["C_scores"].items())
        console.print(f"How closely the model follows the training answers (C), chosen by cross-validation: "
                      f"[bold]{chosen['C_chosen']:g}[/] (macro F1 for each C tried: {grid}; the scores above are "
                      "the chosen C's, so slightly flattering).", soft_wrap=True)
    console.print(slices_table("Answers coded automatically at 95 % precision, in cross-validation",
                               meta["cv_scores"]["slices_095"]))
    by_source = meta.get("source_cv_scores")
    if by_source:
        console.print(f"With each source held out in turn ({by_source['n_sources']} sources: answers by people the "
                      f"model never saw): macro F1 {by_source['macro_f1']:.3f}, exact match "
                      f"{by_source['exact_match']:.3f}.", soft_wrap=True)
        console.print(slices_table("Coded automatically with each source held out", by_source["slices_095"]))
    console.print(
        f"Code frame: {frame.name} ({'multi-label' if frame.multi_label else 'single-choice'}, "
        f"{result.frame_origin}). Coder: {coder_label(meta)}."
    )
    console.print(f"Saved model to [bold]{result.path}[/]")
    return result


def slices_table(title: str, rows: list[dict]) -> Table:
    """The auto-coded share and its accuracy per kind of answer (evaluation.slices)."""
    table = Table(title=title, title_justify="left")
    for col in ("answers", "how many", "auto-coded", "right when auto-coded"):
        table.add_column(col, justify="left" if col == "answers" else "right")
    for r in rows:
        table.add_row(r["slice"], str(r["n"]), pct(r["auto_share"]), pct(r["auto_accuracy"]))
    return table


def show_annotations(used, limit: int = 10) -> None:
    """What the review decisions added, and where annotators disagree (and what the rule chose)."""
    adjudicated = f" ({used.n_adjudicated} of them from adjudication)" if used.rule == "adjudicated" else ""
    console.print(
        f"Review decisions from [bold]{used.path}[/]: {used.n_used} answers{adjudicated}, "
        f"{used.n_replaced} training-file rows replaced by a decision on the same text."
    )
    dis = used.disagreements
    if not dis:
        return
    rule = {"latest": "the latest coding wins", "majority": "the majority coding wins (ties: the latest)",
            "skip": "left out of training",
            "adjudicated": "the adjudicated codes win, else the latest coding"}[used.rule]
    console.print(f"[yellow]{len(dis)} answers where annotators disagree[/] (--disagreement {used.rule}: {rule}):")
    for d in dis[:limit]:
        text = " ".join(d.text.split())
        text = text if len(text) <= 60 else text[:59] + "…"
        who = "; ".join(f"{a}: {join_labels(c)}" for a, c in d.codings.items())
        chosen = join_labels(d.chosen) if d.chosen is not None else "left out"
        console.print(f"  '{text}'  {who}  -> {chosen}", soft_wrap=True)
    if len(dis) > limit:
        console.print(f"  … and {len(dis) - limit} more ({command('agreement')} lists them).", markup=False)


def default_training():
    """Train the default model from training_data/ (and its review decisions, if any)
    with the default code frame."""
    store = annotations_path()
    return train_and_show([training_dir()], default_frame_path(), annotations=store if store.is_file() else None)
