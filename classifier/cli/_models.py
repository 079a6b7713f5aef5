"""What `info`, `models`, `review` and `import` say about saved models."""

from __future__ import annotations

from rich.table import Table

from ..paths import models_dir
from ..registry import default_model_dir, list_models
from ._util import command, console, fmt

WIDE = 140  # the console width from which every detail has its own column


def models_table(width: int | None = None) -> Table:
    """One row per saved model: name, date, code frame, size, CV macro F1, pipeline; on a
    narrower console (80 columns) the date, frame and coder go under the name."""
    width = width or console.width
    default = default_model_dir(models_dir())
    if width < WIDE:
        return _narrow_models_table(default)
    table = Table(title=f"Models in {models_dir()}", title_justify="left")
    table.add_column("")
    table.add_column("name", no_wrap=True)
    for col in ("created", "code frame", "answers", "macro F1 (CV)", "coder"):
        table.add_column(col)
    for path, meta in list_models(models_dir()):
        table.add_row(
            "*" if default is not None and path == default else "",
            path.name, meta.get("created", "")[:16].replace("T", " "),
            f"{meta['codeframe']['name']} v{meta['codeframe'].get('version', '1')}",
            str(meta["training_data"]["n_answers"]), fmt(meta["cv_scores"]["macro_f1"]),
            coder_label(meta),
        )
    if not table.rows:
        table.add_row("", f"(none yet: run '{command('train')}')", "", "", "", "", "")
    return table


def _narrow_models_table(default) -> Table:
    table = Table(title=f"Models in {models_dir()}", title_justify="left")
    table.add_column("")
    table.add_column("name · created · code frame · coder")
    table.add_column("answers", justify="right")
    table.add_column("macro F1 (CV)", justify="right")
    for path, meta in list_models(models_dir()):
        details = (f"{meta.get('created', '')[:16].replace('T', ' ')} · {meta['codeframe']['name']} "
                   f"v{meta['codeframe'].get('version', '1')} · {coder_label(meta)}")
        table.add_row("*" if default is not None and path == default else "", f"{path.name}\n[dim]{details}[/]",
                      str(meta["training_data"]["n_answers"]), fmt(meta["cv_scores"]["macro_f1"]))
    if not table.rows:
        table.add_row("", f"(none yet: run '{command('train')}')", "", "")
    return table


def coder_label(meta: dict) -> str:
    """The kind of coder and, when it uses one, its spaCy pipeline: 'tfidf, spaCy blank:nb'."""
    kind = (meta.get("coder") or {}).get("kind", "tfidf")  # models before 0.2 are all TF-IDF
    spacy_model = (meta.get("spacy") or {}).get("spacy_model")
    return f"{kind}, spaCy {spacy_model}" if spacy_model else kind


def model_version(loaded) -> str:
    """The model a decision was suggested by, as the store keeps it: name@first 12 of its SHA-256."""
    return f"{loaded.name}@{loaded.metadata.get('model_sha256', '')[:12]}"
