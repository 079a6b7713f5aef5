"""Saving a fitted coder, and opening it again without running code from the file.

A model folder holds `model.skops` and `vocabulary.json`. `model.skops` is written with
skops.io: loading it builds only objects of known types (scikit-learn's, NumPy's, and this
project's own, listed in `TRUSTED`); a file naming any other type is refused before
anything in it is built. The vectorizers' vocabularies (tens of thousands of words) are
kept as plain JSON word lists in `vocabulary.json`, which loads ten times faster than the
same dicts through skops.

Models saved by survey-coder 0.1 and 0.2 are joblib pickles (`model.joblib`). Unpickling
can run any code, so `load_pickle` is only for files the user vouches for (--trust-model);
pickles of 0.1 (`classifier.model.SurveyCoder`) become the TfidfCoder that codes as they did.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import joblib
import skops.io as sio

from .base import Coder
from .legacy import SurveyCoder, upgrade

MODEL_FILE = "model.skops"
VOCABULARY_FILE = "vocabulary.json"
PICKLE_FILE = "model.joblib"  # the old, unsafe format
FORMAT = "skops+json-1"
FILES = (MODEL_FILE, VOCABULARY_FILE)

# The only types a model file may hold beyond those skops itself trusts (scikit-learn
# estimators, NumPy and SciPy arrays, Python's builtins). Anything else is refused.
TRUSTED = (
    "classifier.codeframe.Code",
    "classifier.codeframe.CodeFrame",
    "classifier.coders.base.Decisions",
    "classifier.coders.keyword.KeywordCoder",
    "classifier.coders.keyword.PhraseMatcher",
    "classifier.coders.tfidf.TfidfCoder",
    "classifier.preprocess.NorwegianNormalizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)


class NotACoder(Exception):
    """The file holds something other than a coder made by this tool."""


class UnsafeModel(Exception):
    """The model file names types that are not on the trusted list (args: the type names)."""


def save(coder: Coder, folder: Path) -> list[str]:
    """Write `coder` into `folder` as model.skops + vocabulary.json; returns the file names.

    The vocabularies and the attributes a coder recomputes on loading are taken off the
    coder while skops writes it, and put back afterwards (also when writing fails)."""
    folder = Path(folder)
    vectorizers = {k: v for k, v in coder._vocabularies().items() if hasattr(v, "vocabulary_")}
    words = {name: _word_list(vec.vocabulary_) for name, vec in vectorizers.items()}
    kept_vocab = {name: vec.__dict__.pop("vocabulary_") for name, vec in vectorizers.items()}
    kept_stop = {name: vec.__dict__.pop("stop_words_") for name, vec in vectorizers.items()
                 if "stop_words_" in vec.__dict__}  # words min_df dropped: never used to code
    kept_derived = {a: coder.__dict__.pop(a) for a in coder._derived() if a in coder.__dict__}
    try:
        sio.dump(coder, folder / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
    finally:
        for name, vec in vectorizers.items():
            vec.vocabulary_ = kept_vocab[name]
            if name in kept_stop:
                vec.stop_words_ = kept_stop[name]
        coder.__dict__.update(kept_derived)
    (folder / VOCABULARY_FILE).write_text(json.dumps(words, ensure_ascii=False, separators=(",", ":")) + "\n",
                                          encoding="utf-8")
    return list(FILES)


def untrusted_types(folder: Path) -> list[str]:
    """Types named in the folder's model.skops that are not trusted (read without building anything)."""
    return [t for t in sio.get_untrusted_types(file=Path(folder) / MODEL_FILE) if t not in TRUSTED]


def load(folder: Path) -> Coder:
    """The coder in `folder` (model.skops + vocabulary.json); raises UnsafeModel before
    building anything when the file names a type not on the trusted list."""
    folder = Path(folder)
    unknown = untrusted_types(folder)
    if unknown:
        raise UnsafeModel(*unknown)
    coder = sio.load(folder / MODEL_FILE, trusted=list(TRUSTED))
    if not isinstance(coder, Coder):
        raise NotACoder(type(coder).__name__)
    words = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
    for name, vec in coder._vocabularies().items():
        if name in words:
            vec.vocabulary_ = {w: i for i, w in enumerate(words[name])}
    coder._after_load()
    return coder


def _word_list(vocabulary: dict[str, int]) -> list[str]:
    """A vectorizer's {word: column} as the list of words in column order."""
    out = [""] * len(vocabulary)
    for word, i in vocabulary.items():
        out[i] = word
    return out


# -- the old format: pickles ----------------------------------------------------------------
def dump_pickle(coder: Coder, path: Path) -> None:
    """The old format, kept for tests and comparisons: never written by `train`."""
    joblib.dump(coder, path, compress=3)


def load_pickle(path: Path) -> Coder:
    """The coder in a joblib pickle. Unpickling runs code: only for a file the user trusts."""
    obj = joblib.load(path)
    if isinstance(obj, SurveyCoder):
        obj = upgrade(obj)
    if not isinstance(obj, Coder):
        raise NotACoder(type(obj).__name__)
    return obj
