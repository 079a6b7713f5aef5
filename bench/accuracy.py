"""Accuracy: the tool's default coder against two plain baselines, on the same folds.

Folds: the model's own 5 folds (coders.cv_splits: shuffled, fixed seed, copies of an
answer in one fold) over training_data/. Every method is fitted on
the training part of each fold (the keyword list needs no fitting) and predicts the
held-out part; predictions are pooled over the 5 held-out parts and scored once.

- keyword: the keyword coder (coders.KeywordCoder): the code frame's example phrases,
  folded (lower case, æøå folded), matched as substrings; an answer that matches none
  gets the fallback code. Fitted like any coder, so it has a confidence too.
- tfidf_lr: TfidfVectorizer on the raw text + one-vs-rest LogisticRegression, 0.5
  threshold, no fallback rule; confidence = product over codes of max(p, 1 - p).
- survey_coder: the tool's classifier, as `train` fits it (inner 5-fold CV for its
  thresholds and confidence model).

Auto-coded share at 95 % precision: the largest share of answers, taken from the most
confident down, whose codes are exactly right at least 95 % of the time (the same rule
for every method, on the pooled held-out predictions). For survey_coder the share it
actually auto-codes with its own cutoff (chosen inside each training part) is given too.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from classifier.codeframe import load_codeframe
from classifier.coders import cv_splits
from classifier.dataset import check_against_frame, read_coded
from classifier.evaluation import auto_coding, code_metrics, review_cutoff
from classifier.training import fit_coder

from ._common import FRAME, SEED, TRAINING

TARGET = 0.95
FOLDS = 5


def tfidf_lr():
    return make_pipeline(TfidfVectorizer(), OneVsRestClassifier(LogisticRegression(max_iter=1000)))


def _scores(Y, D, conf, keys) -> dict:
    m = code_metrics(Y, D, keys)
    out = {"macro_f1": m["macro_f1"], "micro_f1": m["micro_f1"], "exact_match": m["exact_match"],
           "per_code_f1": {k: v["f1"] for k, v in m["per_code"].items()}}
    correct = (D == Y).all(axis=1)
    out["auto_095"] = auto_coding(conf, correct, review_cutoff(conf, correct, TARGET))
    return out


def run_accuracy(folds: int = FOLDS, progress=print) -> dict:
    frame = load_codeframe(FRAME)
    data = check_against_frame(read_coded([TRAINING]), frame)
    Y = data.indicator(frame)
    keys = frame.keys
    n = len(data)
    D = {m: np.zeros_like(Y) for m in ("keyword", "tfidf_lr", "survey_coder")}
    conf = {m: np.zeros(n) for m in D}
    own_auto = np.zeros(n, dtype=bool)
    texts = np.array(data.texts, dtype=object)
    splits = cv_splits(data.texts, Y, frame.multi_label, folds, SEED)  # copies stay together
    for i, (tr, te) in enumerate(splits, start=1):
        progress(f"fold {i}/{folds}: {len(tr)} training, {len(te)} held-out answers")
        mask = np.zeros(n, dtype=bool)
        mask[tr] = True
        keyword = fit_coder(data.subset(mask), frame, kind="keyword").assess(list(texts[te]))
        D["keyword"][te], conf["keyword"][te] = keyword.codes, keyword.confidence

        lr = tfidf_lr().fit(list(texts[tr]), Y[tr])
        P = lr.predict_proba(list(texts[te]))
        D["tfidf_lr"][te] = (P >= 0.5).astype(int)
        conf["tfidf_lr"][te] = np.maximum(P, 1 - P).prod(axis=1)

        coder = fit_coder(data.subset(mask), frame)
        s = coder.assess(list(texts[te]))
        D["survey_coder"][te] = s.codes
        c = s.confidence
        conf["survey_coder"][te] = c
        own_auto[te] = c >= coder.review_cutoff(TARGET)

    results = {m: _scores(Y, D[m], conf[m], keys) for m in D}
    correct = (D["survey_coder"] == Y).all(axis=1)
    results["survey_coder"]["auto_095_own_cutoff"] = {
        "auto_share": float(own_auto.mean()),
        "auto_accuracy": float(correct[own_auto].mean()) if own_auto.any() else None,
        "n_auto": int(own_auto.sum()),
    }
    tool = results["survey_coder"]
    beats = {
        b: {"macro_f1": tool["macro_f1"] > results[b]["macro_f1"],
            "auto_095": tool["auto_095"]["auto_share"] > results[b]["auto_095"]["auto_share"]}
        for b in ("keyword", "tfidf_lr")
    }
    return {
        "n_answers": n,
        "folds": folds,
        "fold_seed": SEED,
        "target_precision": TARGET,
        "codeframe": frame.name,
        "methods": results,
        "survey_coder_beats": beats,
    }
