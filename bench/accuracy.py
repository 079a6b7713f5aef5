"""Accuracy: the tool's SurveyCoder against two plain baselines, on the same folds.

Folds: the model's own 5 folds (SurveyCoder.cv_splits: shuffled, fixed seed, copies of an
answer in one fold) over training_data/. Every method is fitted on
the training part of each fold (the keyword list needs no fitting) and predicts the
held-out part; predictions are pooled over the 5 held-out parts and scored once.

- keyword: the code frame's example phrases, folded (lower case, æøå folded), matched
  as substrings; an answer that matches none gets the fallback code.
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

from classifier.codeframe import CodeFrame, load_codeframe
from classifier.dataset import check_against_frame, read_coded
from classifier.evaluation import auto_coding, code_metrics, review_cutoff
from classifier.model import SurveyCoder
from classifier.preprocess import fold
from classifier.training import fit_coder

from ._common import FRAME, SEED, TRAINING

TARGET = 0.95
FOLDS = 5


class KeywordBaseline:
    """Folded substring match of the code frame's example phrases; fallback when none match."""

    def __init__(self, frame: CodeFrame):
        self.frame = frame
        self.phrases = {k: [fold(e) for e in frame.code(k).examples if e.strip()] for k in frame.substantive}

    def predict(self, texts: list[str]) -> np.ndarray:
        keys = self.frame.keys
        D = np.zeros((len(texts), len(keys)), dtype=int)
        for i, t in enumerate(texts):
            ft = fold(t)
            for k, phrases in self.phrases.items():
                if any(p in ft for p in phrases):
                    D[i, keys.index(k)] = 1
            if not D[i].any() and self.frame.fallback:
                D[i, keys.index(self.frame.fallback)] = 1
        return D


def tfidf_lr():
    return make_pipeline(TfidfVectorizer(), OneVsRestClassifier(LogisticRegression(max_iter=1000)))


def _scores(Y, D, conf, keys) -> dict:
    m = code_metrics(Y, D, keys)
    out = {"macro_f1": m["macro_f1"], "micro_f1": m["micro_f1"], "exact_match": m["exact_match"],
           "per_code_f1": {k: v["f1"] for k, v in m["per_code"].items()}}
    if conf is None:
        out["auto_095"] = None
        out["auto_095_note"] = ("n/a: keyword matching gives no confidence, so there is no way to pick "
                                "the answers it gets right")
    else:
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
    conf = {m: np.zeros(n) for m in ("tfidf_lr", "survey_coder")}
    own_auto = np.zeros(n, dtype=bool)
    texts = np.array(data.texts, dtype=object)
    keyword = KeywordBaseline(frame)
    splits = SurveyCoder(frame, cv=folds, random_state=SEED).cv_splits(data.texts, Y)  # copies stay together
    for i, (tr, te) in enumerate(splits, start=1):
        progress(f"fold {i}/{folds}: {len(tr)} training, {len(te)} held-out answers")
        D["keyword"][te] = keyword.predict(list(texts[te]))

        lr = tfidf_lr().fit(list(texts[tr]), Y[tr])
        P = lr.predict_proba(list(texts[te]))
        D["tfidf_lr"][te] = (P >= 0.5).astype(int)
        conf["tfidf_lr"][te] = np.maximum(P, 1 - P).prod(axis=1)

        mask = np.zeros(n, dtype=bool)
        mask[tr] = True
        coder = fit_coder(data.subset(mask), frame)
        s = coder.score(list(texts[te]))
        D["survey_coder"][te] = s.codes
        c = s.confidence
        conf["survey_coder"][te] = c
        own_auto[te] = c >= coder.review_cutoff(TARGET)

    results = {m: _scores(Y, D[m], conf.get(m), keys) for m in D}
    correct = (D["survey_coder"] == Y).all(axis=1)
    results["survey_coder"]["auto_095_own_cutoff"] = {
        "auto_share": float(own_auto.mean()),
        "auto_accuracy": float(correct[own_auto].mean()) if own_auto.any() else None,
        "n_auto": int(own_auto.sum()),
    }
    tool = results["survey_coder"]
    beats = {
        b: {"macro_f1": tool["macro_f1"] > results[b]["macro_f1"],
            "auto_095": results[b]["auto_095"] is None
            or tool["auto_095"]["auto_share"] > results[b]["auto_095"]["auto_share"]}
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
