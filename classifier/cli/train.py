"""`train`: fit a model on coded answers and save it in models/."""

from __future__ import annotations

from pathlib import Path

from ..codeframe import join_labels
from ..errors import Errors, UserError
from ..paths import annotations_path, default_frame_path, training_dir
from ..training import train as train_model
from ._util import console, metrics_table, pct, progress_bar, show_warnings


def run(args) -> int:
    """Train a model on coded answers (CSV/XLSX files or folders of them).

    Each row needs a text column and a labels column with codes joined by ';'.
    The code frame is --codeframe, else the one in labels/ that covers the codes,
    else one inferred from the labels. Saves model.joblib and metadata.json in
    --out (default: a new folder in models/) and prints cross-validated scores.

    Example:
      python cli.py train --data training_data/ --codeframe labels/imdi_kvalifisering.toml
    """
    train_and_show(
        args.data or [training_dir()], args.codeframe, args.text_column, args.labels_column,
        args.out, args.name, args.spacy_model, args.C, args.cv,
        annotations=annotations_option(args), disagreement=args.disagreement,
    )
    return 0


def train_and_show(paths, codeframe=None, text_column="text", labels_column="labels", out=None,
                   name=None, spacy_model=None, C=4.0, cv=5, annotations=None, disagreement="latest"):
    """Train with a progress bar, then print the per-code table; shared with `predict`."""
    with progress_bar("Training", total=cv + 1) as update:
        result = train_model(
            paths, codeframe, text_column, labels_column, out, name=name, spacy_model=spacy_model,
            C=C, cv=cv, progress=lambda step, done, total: update(done, total, f"Training: {step}"),
            annotations=annotations, disagreement=disagreement,
        )
    show_warnings(result.warnings)
    if result.annotations is not None:
        show_annotations(result.annotations)
    meta = result.metadata
    frame = result.coder.frame
    console.print(metrics_table(f"Cross-validated scores ({cv} folds, {meta['training_data']['n_answers']} answers)",
                                meta["cv_scores"], frame))
    auto = meta["cv_scores"]["auto_coding_095"]
    console.print(
        f"Auto-coded at 95 % precision: [bold]{pct(auto['auto_share'])}[/] of answers "
        f"(accuracy on them {pct(auto['auto_accuracy'])})."
    )
    console.print(
        f"Code frame: {frame.name} ({'multi-label' if frame.multi_label else 'single-choice'}, "
        f"{result.frame_origin}). spaCy pipeline: {meta['spacy']['spacy_model']}."
    )
    console.print(f"Saved model to [bold]{result.path}[/]")
    return result


def annotations_option(args):
    """--annotations PATH, else training_data/annotations.sqlite if it exists; None with --no-annotations."""
    if args.no_annotations:
        return None
    if args.annotations:
        if not Path(args.annotations).is_file():
            raise UserError(Errors.STORE_NOT_FOUND.format(path=args.annotations))
        return Path(args.annotations)
    default = annotations_path()
    return default if default.is_file() else None


def show_annotations(used, limit: int = 10) -> None:
    """What the review decisions added, and where annotators disagree (and what the rule chose)."""
    console.print(
        f"Review decisions from [bold]{used.path}[/]: {used.n_used} answers, "
        f"{used.n_replaced} training-file rows replaced by a decision on the same text."
    )
    dis = used.disagreements
    if not dis:
        return
    rule = {"latest": "the latest coding wins", "majority": "the majority coding wins (ties: the latest)",
            "skip": "left out of training"}[used.rule]
    console.print(f"[yellow]{len(dis)} answers where annotators disagree[/] (--disagreement {used.rule}: {rule}):")
    for d in dis[:limit]:
        text = " ".join(d.text.split())
        text = text if len(text) <= 60 else text[:59] + "…"
        who = "; ".join(f"{a}: {join_labels(c)}" for a, c in d.codings.items())
        chosen = join_labels(d.chosen) if d.chosen is not None else "left out"
        console.print(f"  '{text}'  {who}  -> {chosen}", soft_wrap=True)
    if len(dis) > limit:
        console.print(f"  … and {len(dis) - limit} more (python cli.py agreement lists them).")


def default_training():
    """Train the default model from training_data/ (and its review decisions, if any)
    with the default code frame."""
    store = annotations_path()
    return train_and_show([training_dir()], default_frame_path(), annotations=store if store.is_file() else None)


def register(sub) -> None:
    from ._util import add_command

    p = add_command(sub, "train", run)
    p.add_argument("--data", nargs="+", metavar="PATH", help="CSV/XLSX files or folders (default: training_data/)")
    p.add_argument("--codeframe", metavar="FILE", help="code frame .toml/.json (default: matched or inferred)")
    p.add_argument("--text-column", default="text", metavar="COL")
    p.add_argument("--labels-column", default="labels", metavar="COL")
    p.add_argument("--out", metavar="MODEL_DIR", help="where to save (default: models/<time>-<name>)")
    p.add_argument("--name", help="short name for the model folder (default: the code frame's name)")
    p.add_argument("--spacy-model", metavar="NAME_OR_PATH", help="spaCy pipeline (default: nb_core_news_sm if installed, else blank Norwegian)")
    p.add_argument("--C", type=float, default=4.0, help="inverse regularisation strength (default 4)")
    p.add_argument("--cv", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument("--annotations", metavar="PATH",
                   help="review decisions to train on (default: training_data/annotations.sqlite if it exists)")
    p.add_argument("--no-annotations", action="store_true", help="train on the files only")
    p.add_argument("--disagreement", choices=("latest", "majority", "skip"), default="latest",
                   help="where annotators disagree on an answer: latest coding, majority, or leave it out (default latest)")
