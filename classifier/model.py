"""Where survey-coder 0.1 pickled its model class: kept so those model files still load
(`classifier.coders.legacy` turns them into a TfidfCoder). New code uses `classifier.coders`."""

from .coders.legacy import SurveyCoder

__all__ = ["SurveyCoder"]
