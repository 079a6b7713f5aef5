"""Training as `train` and `predict` show it: a progress bar, then the scores."""

from __future__ import annotations

from rich.table import Table

from ..codeframe import join_labels
from ..coders import DEFAULT_KIND
from ..i18n import N_, decimal, integer, tr
from ..paths import annotations_path, default_frame_path, training_dir
from ..training import train as train_model
from ._models import coder_label
from ._util import command, console, metrics_table, pct, progress_bar, show_warnings


def train_and_show(paths, codeframe=None, text_column="text", labels_column="labels", out=None,
                   name=None, spacy_model=None, C="auto", cv=5, annotations=None, disagreement=None,
                   kind=DEFAULT_KIND):
    """Train with a progress bar, then print the per-code table."""
    with progress_bar(tr("Training"), total=cv + 1) as update:
        result = train_model(
            paths, codeframe, text_column, labels_column, out, name=name, spacy_model=spacy_model,
            C=C, cv=cv, progress=lambda step, done, total: update(done, total, tr("Training: {step}").format(step=step)),
            annotations=annotations, disagreement=disagreement, kind=kind,
        )
    show_warnings(result.warnings)
    if result.annotations is not None:
        show_annotations(result.annotations)
    meta = result.metadata
    frame = result.coder.frame
    n_all, n_cv = meta["training_data"]["n_answers"], meta["cv_scores"].get("n_answers")
    title = (tr("Cross-validated scores ({folds} folds, {n} answers)").format(folds=cv, n=integer(n_all))
             if not n_cv or n_cv == n_all else
             tr("Cross-validated scores ({folds} folds, a random sample of {n} of the {all} answers; "
                "the model itself learns from all)").format(folds=cv, n=integer(n_cv), all=integer(n_all)))
    console.print(metrics_table(title, meta["cv_scores"], frame))
    chosen = meta["coder"]
    if chosen.get("C_scores"):
        grid = ", ".join(f"{c}: {decimal(f1, 3)}" for c, f1 in chosen["C_scores"].items())
        console.print(tr("How closely the model follows the training answers (C), chosen by cross-validation: "
                         "[bold]{C}[/] (macro F1 for each C tried: {grid}; the scores above are the chosen C's, "
                         "so slightly flattering).").format(C=f"{chosen['C_chosen']:g}", grid=grid), soft_wrap=True)
    console.print(slices_table(tr("Answers coded automatically at 95 % precision, in cross-validation"),
                               meta["cv_scores"]["slices_095"]))
    by_source = meta.get("source_cv_scores")
    if by_source:
        console.print(tr("With each source held out in turn ({n} sources: answers by people the model never saw): "
                         "macro F1 {macro}, exact match {exact}.").format(
            n=by_source["n_sources"], macro=decimal(by_source["macro_f1"], 3),
            exact=decimal(by_source["exact_match"], 3)), soft_wrap=True)
        console.print(slices_table(tr("Coded automatically with each source held out"), by_source["slices_095"]))
    console.print(tr("Code frame: {name} ({kind}, {origin}). Coder: {coder}.").format(
        name=frame.name, kind=tr("multi-label") if frame.multi_label else tr("single-choice"),
        origin=tr(result.frame_origin), coder=coder_label(meta)))
    console.print(tr("Saved model to [bold]{path}[/]").format(path=result.path))
    return result


def slices_table(title: str, rows: list[dict]) -> Table:
    """The auto-coded share and its accuracy per kind of answer (evaluation.slices)."""
    table = Table(title=title, title_justify="left")
    for i, col in enumerate((N_("answers"), N_("how many"), N_("auto-coded"), N_("right when auto-coded"))):
        table.add_column(tr(col), justify="left" if i == 0 else "right")
    for r in rows:
        table.add_row(slice_name(r["slice"]), integer(r["n"]), pct(r["auto_share"]), pct(r["auto_accuracy"]))
    return table


def slice_name(name: str) -> str:
    """A slice of evaluation.slices in the current language ('source writer_1' keeps its name)."""
    if name.startswith("source "):
        return tr("source {name}").format(name=name[len("source "):])
    return tr(name)


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
