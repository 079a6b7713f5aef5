"""Coders: models that code answers into a code frame, behind one contract (`base.Coder`).

To add a coder: a module here with a `Coder` subclass (parameters in `__init__`, a `kind`,
and `_new_head()` returning a fresh estimator over texts), and one line in `CODERS`.
"""

from __future__ import annotations

from ..codeframe import CodeFrame
from ..errors import Errors, UserError
from .base import MIN_EXAMPLES, Coder, KnowsVocabulary, LinearInFeatures, Scores, cv_splits
from .keyword import KeywordCoder
from .tfidf import TfidfCoder

CODERS: dict[str, type[Coder]] = {c.kind: c for c in (TfidfCoder, KeywordCoder)}
DEFAULT_KIND = TfidfCoder.kind

__all__ = ["CODERS", "DEFAULT_KIND", "MIN_EXAMPLES", "Coder", "KeywordCoder", "KnowsVocabulary",
           "LinearInFeatures", "Scores", "TfidfCoder", "cv_splits", "make_coder"]


def make_coder(kind: str, frame: CodeFrame, **params) -> Coder:
    """A fresh, unfitted coder of `kind` for `frame` (every retrain starts from one).

    Parameters the kind does not have (`C` for the keyword coder) are left out, so one set
    of options serves every kind; a None value means the kind's default."""
    if kind not in CODERS:
        raise UserError(Errors.UNKNOWN_CODER.format(kind=kind, kinds=", ".join(CODERS)))
    cls = CODERS[kind]
    names = set(cls._get_param_names())
    return cls(frame, **{k: v for k, v in params.items() if k in names and v is not None})
