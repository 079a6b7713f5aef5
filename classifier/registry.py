"""Saved models: one folder per model with its files and `metadata.json`.

The files are written by `coders.persist` in a format whose loading never runs code from
them (model.json + arrays.npz). A model is opened only when metadata.json exists,
was written by this tool, and holds the SHA-256 of every file, and they match; a file that
names an unknown type is refused before anything in it is built. Models in the old pickle
format (model.joblib, which can run code when opened) load only with --trust-model, and
`convert_model` rewrites them in the safe format. The metadata also records library
versions, the spaCy pipeline, the code frame, the training data's hash and the
cross-validated scores, so a result can be traced years later.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sklearn
import spacy

from . import __version__
from .coders import persist
from .errors import Errors, UserError, Warnings
from .paths import models_dir
from .tables import atomic_path

METADATA_FILE = "metadata.json"
MODEL_FILES = (*persist.FILES, persist.PICKLE_FILE)  # what a model folder may hold besides its metadata
DEFAULT_FILE = "DEFAULT"
TOOL = "survey-coder"


@dataclass
class LoadedModel:
    coder: object
    metadata: dict
    path: Path
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def library_versions() -> dict:
    import numpy
    import pandas

    return {
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "survey-coder": __version__,
    }


def new_model_dir(name: str, root: Path | None = None, now: datetime | None = None) -> Path:
    """A new, empty folder models/<YYYYmmdd-HHMMSS>-<name>, sortable by creation time.

    A second model in the same second gets <YYYYmmdd-HHMMSS>.02-<name> (then .03, ...):
    it sorts after the first and is still found by its name. The folder is made here,
    so two trainings at once never share one.
    """
    now = now or datetime.now(UTC)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "model"
    root = root or models_dir()
    root.mkdir(parents=True, exist_ok=True)
    stamp, n = f"{now:%Y%m%d-%H%M%S}", 1
    while True:
        folder = root / (f"{stamp}-{slug}" if n == 1 else f"{stamp}.{n:02d}-{slug}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            n += 1


def check_model_dir(out_dir: Path) -> Path:
    """`out_dir` if a model may be saved there: new, empty, or a model folder (only its files)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or
                             any(p.name not in (*MODEL_FILES, METADATA_FILE) for p in out_dir.iterdir())):
        raise UserError(Errors.MODEL_OUT_NOT_EMPTY.format(path=out_dir))
    return out_dir


def save_model(coder, metadata: dict, out_dir: Path) -> Path:
    """Write the model's files and metadata.json (with their hashes) into a new folder beside
    `out_dir`, then rename it into place: a model already there is replaced only once the
    new one is complete, never file by file, and an interrupted save leaves it as it was."""
    out_dir = check_model_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    part = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex[:12]}.part"
    part.mkdir()
    old = None
    try:
        files = persist.save(coder, part)
        meta = dict(metadata)
        meta.update({
            "tool": TOOL,
            "model_format": persist.FORMAT,
            "model_file": files[0],
            "model_sha256": sha256_file(part / files[0]),
            "model_files": {name: sha256_file(part / name) for name in files},
            "versions": library_versions(),
        })
        meta.setdefault("created", datetime.now(UTC).isoformat(timespec="seconds"))
        (part / METADATA_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                                          encoding="utf-8")
        if out_dir.exists():  # move the old model aside (a folder cannot be renamed over a full one)
            old = part.with_suffix(".old")
            os.replace(out_dir, old)
        try:
            os.replace(part, out_dir)
        except OSError:
            if old is not None:
                os.replace(old, out_dir)
                old = None
            raise
    finally:
        shutil.rmtree(part, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out_dir


def read_metadata(model_dir: Path) -> dict | None:
    p = Path(model_dir) / METADATA_FILE
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def list_models(root: Path | None = None) -> list[tuple[Path, dict]]:
    """(folder, metadata) for every model in `root`, oldest first."""
    root = root or models_dir()
    if not root.is_dir():
        return []
    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):  # .part: being saved
        meta = read_metadata(d)
        if meta and meta.get("tool") == TOOL:
            out.append((d, meta))
    return out


def set_default(name: str, root: Path | None = None) -> Path:
    root = root or models_dir()
    path = resolve_model_dir(name, root)
    with atomic_path(root / DEFAULT_FILE) as tmp:
        tmp.write_text(path.name + "\n", encoding="utf-8")
    return path


def default_model_dir(root: Path | None = None) -> Path | None:
    """The model marked default, else the newest; None if there is none."""
    root = root or models_dir()
    marker = root / DEFAULT_FILE
    if marker.is_file():
        named = root / marker.read_text(encoding="utf-8").strip()
        if named.is_dir():
            return named
    models = list_models(root)
    return models[-1][0] if models else None


def resolve_model_dir(ref: str | Path | None, root: Path | None = None) -> Path:
    """A model folder from a path, a folder name in models/, or a name suffix; default if None."""
    root = root or models_dir()
    if ref is None:
        found = default_model_dir(root)
        if found is None:
            raise UserError(Errors.NO_MODELS.format(path=root))
        return found
    p = Path(ref)
    if p.is_dir():
        return p
    if p.is_file() and p.name in MODEL_FILES:
        return p.parent
    if (root / str(ref)).is_dir():
        return root / str(ref)
    matches = [d for d, _ in list_models(root) if d.name.endswith(f"-{ref}")]
    if matches:
        return matches[-1]
    raise UserError(Errors.MODEL_NOT_FOUND.format(name=ref))


def check_frame(loaded: LoadedModel, frame) -> None:
    """Refuse a model trained with another code frame than `frame` (keys, kind, fallback)."""
    own = loaded.coder.frame
    if frame.hash != own.hash:
        raise UserError(Errors.FRAME_MISMATCH.format(model=loaded.name, model_frame=own.name, model_hash=own.hash,
                                                     frame=frame.name, frame_hash=frame.hash))


def load_model(ref: str | Path | None = None, trust: bool = False, root: Path | None = None) -> LoadedModel:
    """Open a model after checking its metadata, its files' hashes and the library versions
    it was made with. Nothing in the folder is unpickled or built before the checks pass;
    `trust` (--trust-model) skips the hash check and allows the old pickle format."""
    model_dir = resolve_model_dir(ref, root)
    meta = read_metadata(model_dir)
    warnings: list[str] = []
    if meta is not None and meta.get("tool") != TOOL:
        raise UserError(Errors.MODEL_FOREIGN.format(path=model_dir))
    pickled = _is_pickle_model(model_dir, meta)
    if pickled and not trust:
        raise UserError(Errors.MODEL_PICKLE.format(path=model_dir, name=model_dir.name))
    if not pickled and not (model_dir / persist.STATE_FILE).is_file():
        raise UserError(Errors.MODEL_FOREIGN.format(path=model_dir))
    if trust:
        warnings.append((Warnings.TRUSTED_PICKLE if pickled else Warnings.TRUSTED_MODEL).format(path=model_dir))
    else:
        if meta is None:
            raise UserError(Errors.MODEL_NO_METADATA.format(path=model_dir))
        _check_files(model_dir, meta)
    meta = meta or {}
    trained = meta.get("versions", {})
    for package, installed in (("scikit-learn", sklearn.__version__), ("spacy", spacy.__version__)):
        was = trained.get(package)
        if was and was != installed:
            warnings.append(Warnings.VERSION_DIFFERS.format(path=model_dir, package=package, trained=was, installed=installed))
    try:
        coder = persist.load_pickle(model_dir / persist.PICKLE_FILE) if pickled else persist.load(model_dir)
    except persist.NotACoder:
        raise UserError(Errors.MODEL_FOREIGN.format(path=model_dir)) from None
    except persist.UnsafeModel as e:
        raise UserError(Errors.MODEL_UNSAFE.format(path=model_dir, types=", ".join(e.args))) from None
    except Exception as e:  # loading fails in many ways: version skew, truncation, foreign files
        was = trained.get("scikit-learn")
        if was and was.split(".")[:2] != sklearn.__version__.split(".")[:2]:
            raise UserError(Errors.MODEL_INCOMPATIBLE.format(path=model_dir, trained=was, installed=sklearn.__version__)) from None
        raise UserError(Errors.MODEL_CORRUPT.format(path=model_dir, reason=type(e).__name__)) from None
    return LoadedModel(coder, meta, model_dir, warnings)


def _is_pickle_model(model_dir: Path, meta: dict | None) -> bool:
    """Whether the folder holds a model in the old pickle format (model.joblib)."""
    if meta is not None and "model_files" in meta:
        return False
    return (model_dir / persist.PICKLE_FILE).is_file()


def _check_files(model_dir: Path, meta: dict) -> None:
    """Every file the metadata names exists and has the SHA-256 it records."""
    files = meta.get("model_files")
    if not isinstance(files, dict) or set(files) != set(persist.FILES):
        raise UserError(Errors.MODEL_NO_METADATA.format(path=model_dir))
    for name, digest in files.items():
        path = model_dir / name
        if not path.is_file() or sha256_file(path) != digest:
            raise UserError(Errors.MODEL_HASH_MISMATCH.format(path=path))


def convert_model(ref: str | Path, root: Path | None = None) -> LoadedModel:
    """Rewrite a model saved in the old pickle format in the safe format, in place (the user
    vouches for the pickle: opening it runs code). Its metadata is kept, with a note."""
    loaded = load_model(ref, trust=True, root=root)
    if not _is_pickle_model(loaded.path, loaded.metadata or None):
        raise UserError(Errors.MODEL_NOT_PICKLE.format(path=loaded.path))
    meta = {k: v for k, v in loaded.metadata.items()
            if k not in ("model_file", "model_sha256", "model_files", "model_format", "versions")}
    meta["converted"] = {"from": persist.PICKLE_FILE, "at": datetime.now(UTC).isoformat(timespec="seconds"),
                         "versions_when_trained": loaded.metadata.get("versions", {})}
    save_model(loaded.coder, meta, loaded.path)
    return loaded
