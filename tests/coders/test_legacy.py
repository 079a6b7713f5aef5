"""Model files saved by survey-coder 0.1 (before the coder contract) still load and code as they did.

tests/data/legacy_model_0_1 was saved by commit 4dce730 (`classifier.model.SurveyCoder`, trained
on the first 240 training answers, 3 folds); legacy_model_0_1_expected.json holds what that
code gave for six answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.coders import TfidfCoder
from classifier.errors import UserError
from classifier.registry import load_model

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_0_1_model_is_refused_unless_trusted_then_codes_exactly_as_before():
    """Its file is a pickle (opening it can run code): it loads only with --trust-model."""
    expected = json.loads((DATA / "legacy_model_0_1_expected.json").read_text(encoding="utf-8"))
    with pytest.raises(UserError, match="old pickle format"):
        load_model(DATA / "legacy_model_0_1")
    loaded = load_model(DATA / "legacy_model_0_1", trust=True)
    coder = loaded.coder
    assert isinstance(coder, TfidfCoder)
    s = coder.assess(expected["texts"])
    assert np.array_equal(s.proba, np.array(expected["proba"]))
    assert np.array_equal(s.codes, np.array(expected["codes"]))
    assert np.array_equal(s.confidence, np.array(expected["confidence"]))
    assert coder.review_cutoff(0.95) == expected["review_cutoff_095"]
    # Its word weights still explain it.
    assert coder.feature_weights().shape == (len(coder.frame.keys), len(coder.feature_names()))
