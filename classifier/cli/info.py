"""`info`: which spaCy pipeline is in use, which models exist, the default code frame."""

from __future__ import annotations

from rich.table import Table

from ..codeframe import load_codeframe
from ..paths import default_frame_path, models_dir
from ..preprocess import PREFERRED_MODEL, describe_nlp
from ..registry import default_model_dir, list_models
from ._util import add_command, console, fmt


def run(args) -> int:
    """Show the spaCy pipeline in use, the trained models and the default code frame.

    Example:
      python cli.py info
    """
    nlp = describe_nlp(args.spacy_model)
    used = nlp["spacy_model"]
    note = "" if used == PREFERRED_MODEL else f" ({PREFERRED_MODEL} is not installed: blank Norwegian tokenizer + own normalisation)"
    console.print(f"spaCy {nlp['spacy_version']} pipeline: [bold]{used}[/]{note}")
    console.print(f"  components: {', '.join(nlp['components']) or 'tokenizer only'}")
    console.print(models_table())
    frame = load_codeframe(default_frame_path())
    console.print(f"Default code frame: [bold]{frame.name}[/] v{frame.version} ({default_frame_path()})")
    console.print(f"  {frame.question}")
    kind = "multi-label" if frame.multi_label else "single-choice"
    console.print(f"  {kind}; fallback: {frame.fallback or 'none'}")
    for key, code in zip(frame.shortcuts(), frame.codes):
        console.print(f"  [{key}] {code.key}: {code.name}")
    return 0


def models_table() -> Table:
    """One row per saved model: name, date, code frame, size, CV macro F1, pipeline."""
    default = default_model_dir(models_dir())
    table = Table(title=f"Models in {models_dir()}", title_justify="left")
    table.add_column("")
    table.add_column("name", no_wrap=True)
    for col in ("created", "code frame", "answers", "macro F1 (CV)", "spaCy pipeline"):
        table.add_column(col)
    for path, meta in list_models(models_dir()):
        table.add_row(
            "*" if default is not None and path == default else "",
            path.name, meta.get("created", "")[:16].replace("T", " "),
            f"{meta['codeframe']['name']} v{meta['codeframe'].get('version', '1')}",
            str(meta["training_data"]["n_answers"]), fmt(meta["cv_scores"]["macro_f1"]),
            meta["spacy"]["spacy_model"],
        )
    if not table.rows:
        table.add_row("", "(none yet: run 'python cli.py train')", "", "", "", "", "")
    return table


def register(sub) -> None:
    p = add_command(sub, "info", run)
    p.add_argument("--spacy-model", metavar="NAME_OR_PATH", help="check this spaCy pipeline instead")
