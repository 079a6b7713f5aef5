"""Saving a fitted coder as plain data, and opening it again without running code from it.

A model folder holds `model.json` and `arrays.npz`: the coder's object tree as JSON (its
parameters, vocabularies, thresholds, code frame, scores) with every NumPy array stored in
the .npz file (read with `allow_pickle=False`). Each object in the tree names its class,
and only the classes in `CLASSES` (this project's own and the scikit-learn estimators the
coders are built from) may be named: a file naming any other class or type is refused
before anything is built. Opening a model is parsing JSON and arrays, then setting the
state of those known classes — no pickle, no code from the file.

(skops.io does the same job, but importing it imports every scikit-learn estimator, which
made `predict` about a third slower to start; this module needs nothing beyond NumPy.)

Models saved by survey-coder 0.1 are joblib pickles (`model.joblib`). Unpickling
can run any code, so `load_pickle` is only for files the user vouches for (--trust-model);
pickles of 0.1 (`classifier.model.SurveyCoder`) become the TfidfCoder that codes as they did.
"""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path

import joblib
import numpy as np

from .base import Coder
from .legacy import SurveyCoder, upgrade

STATE_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
PICKLE_FILE = "model.joblib"  # the old, unsafe format
FORMAT = "json+npz-1"
FILES = (STATE_FILE, ARRAYS_FILE)

# The only classes a model file may name. Adding a coder built from other estimators
# means adding them here (saving refuses any class that is missing, so a test shows it).
CLASSES = frozenset({
    "classifier.codeframe.Code",
    "classifier.codeframe.CodeFrame",
    "classifier.coders.decisions.Decisions",
    "classifier.coders.legacy.ThresholdDecisions",
    "classifier.coders.keyword.KeywordCoder",
    "classifier.coders.keyword.PhraseMatcher",
    "classifier.coders.tfidf.TfidfCoder",
    "classifier.preprocess.NorwegianNormalizer",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelBinarizer",
})
# Types that may appear as values (a vectorizer's `dtype` parameter).
TYPES = frozenset({"numpy.float32", "numpy.float64", "numpy.int32", "numpy.int64"})
# Fitted attributes never needed to code, left out of the file (scikit-learn documents
# `stop_words_` as safe to drop before saving: it only lists words min_df removed).
SKIP = {"sklearn.feature_extraction.text.TfidfVectorizer": frozenset({"stop_words_"})}


class NotACoder(Exception):
    """The file holds something other than a coder made by this tool."""


class UnsafeModel(Exception):
    """The model file names classes or types that are not allowed (args: their names)."""


def save(coder: Coder, folder: Path) -> list[str]:
    """Write `coder` into `folder` as model.json + arrays.npz; returns the file names."""
    folder = Path(folder)
    writer = _Writer()
    tree = writer.encode(coder)
    (folder / STATE_FILE).write_text(json.dumps(tree, ensure_ascii=False, separators=(",", ":")) + "\n",
                                     encoding="utf-8")
    with open(folder / ARRAYS_FILE, "wb") as f:
        np.savez_compressed(f, **writer.arrays)
    return list(FILES)


def load(folder: Path) -> Coder:
    """The coder in `folder`; raises UnsafeModel before building anything when the file
    names a class or type that is not allowed."""
    folder = Path(folder)
    tree = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    if not isinstance(tree, dict) or "$object" not in tree:
        raise NotACoder(type(tree).__name__)
    unknown = sorted(_names(tree) - CLASSES - TYPES)
    if unknown:
        raise UnsafeModel(*unknown)
    with np.load(io.BytesIO((folder / ARRAYS_FILE).read_bytes()), allow_pickle=False) as arrays:
        coder = _Reader(arrays).decode(tree)
    if not isinstance(coder, Coder):
        raise NotACoder(type(coder).__name__)
    return coder


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _state_of(obj) -> dict:
    """What an object's pickle would hold: `__getstate__()` where the class defines one
    (scikit-learn's adds its version), else its attributes."""
    if type(obj).__getstate__ is not object.__getstate__:
        state = obj.__getstate__()
    else:
        state = dict(vars(obj))
    skip = SKIP.get(_name(type(obj)), ())
    return {k: v for k, v in state.items() if k not in skip}


def _names(node) -> set[str]:
    """Every class and type name in a JSON tree (checked before anything is built)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for key in ("$object", "$type"):
                if key in n:
                    found.add(str(n[key]))
            stack.extend(v for v in n.values() if isinstance(v, dict | list))
        elif isinstance(n, list):
            stack.extend(v for v in n if isinstance(v, dict | list))
    return found


class _Writer:
    """Python objects -> JSON-able tree; arrays are collected for the .npz file."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, o):
        if o is None or type(o) in (bool, int, float, str):
            return o
        if isinstance(o, np.generic):
            return {"$scalar": [o.dtype.str, o.item()]}
        if isinstance(o, np.ndarray):
            if o.dtype == object:
                if not all(isinstance(x, str) for x in o.ravel()):
                    raise TypeError("an array of objects other than strings cannot be saved")
                return {"$strings": o.tolist()}
            key = f"a{len(self.arrays)}"
            self.arrays[key] = o
            return {"$array": key}
        if isinstance(o, tuple):
            return {"$tuple": [self.encode(v) for v in o]}
        if isinstance(o, list):
            return [self.encode(v) for v in o]
        if isinstance(o, set | frozenset):
            return {"$set": [self.encode(v) for v in sorted(o, key=repr)]}
        if isinstance(o, dict):
            if all(type(k) is str and not k.startswith("$") for k in o):
                return {k: self.encode(v) for k, v in o.items()}
            return {"$items": [[self.encode(k), self.encode(v)] for k, v in o.items()]}
        if isinstance(o, slice):
            return {"$slice": [o.start, o.stop, o.step]}
        if isinstance(o, type):
            name = _name(o)
            if name not in TYPES:
                raise TypeError(f"type {name} is not in coders.persist.TYPES")
            return {"$type": name}
        name = _name(type(o))
        if name not in CLASSES:
            raise TypeError(f"class {name} is not in coders.persist.CLASSES: add it there to save this coder")
        return {"$object": name, "state": self.encode(_state_of(o))}


class _Reader:
    """The JSON tree -> Python objects (only classes and types from the allow-lists)."""

    def __init__(self, arrays):
        self.arrays = arrays

    def decode(self, n):
        if isinstance(n, list):
            return [self.decode(v) if isinstance(v, dict | list) else v for v in n]
        if not isinstance(n, dict):
            return n
        if "$object" in n:
            cls = _resolve(n["$object"], CLASSES)
            obj = cls.__new__(cls)
            state = self.decode(n["state"])
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        if "$array" in n:
            return self.arrays[n["$array"]]
        if "$strings" in n:
            return np.array(n["$strings"], dtype=object)
        if "$scalar" in n:
            dtype, value = n["$scalar"]
            return np.dtype(dtype).type(value)
        if "$tuple" in n:
            return tuple(self.decode(v) for v in n["$tuple"])
        if "$set" in n:
            return {self.decode(v) for v in n["$set"]}
        if "$items" in n:
            return {self.decode(k): self.decode(v) for k, v in n["$items"]}
        if "$slice" in n:
            return slice(*n["$slice"])
        if "$type" in n:
            return _resolve(n["$type"], TYPES)
        return {k: self.decode(v) if isinstance(v, dict | list) else v for k, v in n.items()}  # a vocabulary: 20,000 ints


def _resolve(name: str, allowed: frozenset) -> type:
    if name not in allowed:  # checked up front too; never import what is not listed
        raise UnsafeModel(name)
    module, _, qualname = name.rpartition(".")
    return getattr(importlib.import_module(module), qualname)


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
