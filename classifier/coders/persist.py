"""Writing a fitted coder to a file and reading it back.

A joblib pickle for now; pickles of survey-coder 0.1 (`classifier.model.SurveyCoder`) are
turned into the TfidfCoder that codes exactly as they did.
"""

from __future__ import annotations

from pathlib import Path

import joblib

from .base import Coder
from .legacy import SurveyCoder, upgrade


class NotACoder(Exception):
    """The file holds something other than a coder made by this tool."""


def dump(coder: Coder, path: Path) -> None:
    joblib.dump(coder, path, compress=3)


def load(path: Path) -> Coder:
    """The coder in `path` (which must be trusted: unpickling runs code)."""
    obj = joblib.load(path)
    if isinstance(obj, SurveyCoder):
        obj = upgrade(obj)
    if not isinstance(obj, Coder):
        raise NotACoder(type(obj).__name__)
    return obj
