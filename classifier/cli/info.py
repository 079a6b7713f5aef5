"""`info`: which spaCy pipeline is in use, which models exist, the default code frame."""

from __future__ import annotations

from ..codeframe import load_codeframe
from ..paths import default_frame_path
from ..preprocess import PREFERRED_MODEL, describe_nlp
from ._models import models_table
from ._util import add_command, console


def run(args) -> int:
    """Show the spaCy pipeline in use, the trained models and the default code frame.

    Example:
      survey-coder info
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


def register(sub) -> None:
    p = add_command(sub, "info", run)
    p.add_argument("--spacy-model", metavar="NAME_OR_PATH", help="check this spaCy pipeline instead")
