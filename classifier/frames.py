"""Which code frame? One answer for every command, and where it came from.

A command is given a frame (`--codeframe`), or a model whose metadata names one, or codes
to match: coded files whose codes the default frame or a frame in labels/ knows (directly
or through its previous-version map), else a frame inferred from the codes themselves.
The annotation store is asked differently: its decisions are kept by frame hash, so it
answers with the hash of the decisions to use as well as their frame.

Each answer comes with a short origin ("given", "matched labels/x.toml", ...) that a
command can show.
"""

from __future__ import annotations

from pathlib import Path

from .codeframe import CodeFrame, find_frame_for_keys, infer_codeframe, load_codeframe
from .errors import Errors, UserError
from .i18n import N_
from .registry import read_metadata, resolve_model_dir

# In English (stored as they are); the command line shows them with tr().
GIVEN = N_("given")
DEFAULT = N_("the default frame")
INFERRED = N_("inferred from the labels")
STORE_MOST_USED = N_("the frame with the most decisions in the store")
STORE_INFERRED = N_("inferred from the codes in the store")


def resolve_frame(given: str | Path | CodeFrame | None = None, *, model: str | Path | None = None,
                  codes: list[list[str]] | None = None, default: str | Path | None = None,
                  folder: Path | None = None) -> tuple[CodeFrame, str]:
    """The code frame to use, and where it came from, in this order:

    `given` (a file or a frame); the frame in `model`'s metadata; the `default` frame
    when it knows every code in `codes` (without `codes`: the default, which must exist);
    the one frame in `folder` that knows them; a frame inferred from `codes`.
    """
    if given is not None:
        return (given if isinstance(given, CodeFrame) else load_codeframe(given)), GIVEN
    if model:
        model_dir = resolve_model_dir(model)
        found = model_frame(model_dir)
        if found is not None:
            return found, f"from model {model_dir.name}"
    keys = {k for labels in codes or () for k in labels}
    if default is not None and (codes is None or Path(default).is_file()):
        frame = load_codeframe(default)
        if frame.knows(keys):
            return frame, DEFAULT
    if codes is None:
        raise ValueError("resolve_frame needs a frame, a model, a default frame or codes to match")
    if folder is not None and folder.is_dir():
        found = find_frame_for_keys(keys, folder)
        if found is not None:
            return found, f"matched {found.source}"
    return infer_codeframe(codes), INFERRED


def model_frame(ref: str | Path) -> CodeFrame | None:
    """The code frame in a model's metadata.json (the model file itself is not loaded)."""
    meta = read_metadata(resolve_model_dir(ref)) or {}
    stored = meta.get("codeframe", {}).get("frame")
    return CodeFrame.from_dict(stored, source=meta.get("codeframe", {}).get("source", "")) if stored else None


def resolve_store_frame(store, given: str | Path | CodeFrame | None = None) -> tuple[str, CodeFrame, str]:
    """The frame hash of the store's decisions to use, their frame, and where it came from.

    `given` must have decisions in the store; else the frame with the most decisions,
    read from the store's copy, or (for decisions imported without their frame) inferred
    from the codes they use. An inferred frame has its own hash, so the decisions' hash
    is returned beside it.
    """
    counts = store.frame_counts()
    if given is not None:
        frame, origin = resolve_frame(given)
        if frame.hash not in {h for h, _, _ in counts}:
            frames = ", ".join(f"'{n}' ({h})" for h, n, _ in counts) or Errors.NO_FRAMES
            raise UserError(Errors.STORE_NO_FRAME.format(path=store.path, frame=frame.name, frames=frames))
        return frame.hash, frame, origin
    if not counts:
        raise UserError(Errors.STORE_NO_FRAME.format(path=store.path, frame=Errors.ANY_FRAME, frames=Errors.NO_FRAMES))
    frame_hash = counts[0][0]
    frame = store.frame(frame_hash)
    if frame is not None:
        return frame_hash, frame, STORE_MOST_USED
    codes = [d.labels for d in store.latest(frame_hash, coding_only=True)]
    return frame_hash, infer_codeframe(codes, name="codes in the store"), STORE_INFERRED
