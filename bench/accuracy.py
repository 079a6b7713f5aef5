"""Accuracy: the tool's default coder against the keyword coder and a strong plain baseline.

Every method is fitted on the training part of each fold and predicts the held-out part;
held-out predictions are pooled and scored once. Three ways to hold answers out:

- cv: the coder's own 5 folds (coders.cv_splits: shuffled, copies of an answer in one
  fold), repeated with 3 seeds and pooled: which answers share a fold moves the auto-coded
  share by several points, so one split is not enough to judge it;
- by source: each source (the data's `source` column: who wrote the answers) held out in
  turn, so every answer is judged by a model that never saw its writer's wording — the
  figure to expect on next year's answers from new people;
- held out: trained on all of the data, scored on a separate coded file (eval_data/ for
  the shipped data), written independently of it.

Methods:
- keyword: the keyword coder (the code frame's example phrases), fitted like any coder;
- baseline: the strong plain script — word 1-2-gram and char_wb 2-5-gram TF-IDF on the raw
  text, one-vs-rest LinearSVC(C=0.5, class_weight="balanced"), then the fallback rule
  (`other` when no other code, never beside one); for a single-choice frame one LinearSVC,
  its top class. It has no confidence, so no auto-coded share;
- survey_coder: the tool's coder as `train` fits it, and what `predict` would code
  automatically: confidence at or above its own cutoff (chosen inside the training part)
  and no review reason, with the accuracy reached on those answers, overall and for long
  answers and answers with several codes.

Any coded corpus can be measured the same way (`python -m bench accuracy --data FILE
[--codeframe FILE] [--heldout FILE]`), a single-choice one too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

from classifier.codeframe import CodeFrame, load_codeframe
from classifier.coders import cv_splits
from classifier.coding import code_texts
from classifier.dataset import CodedAnswers, check_against_frame, read_coded
from classifier.evaluation import auto_coding_of, code_metrics, slices
from classifier.frames import resolve_frame
from classifier.preprocess import transliterate
from classifier.training import fit_coder

from ._common import FRAME, HELDOUT, SEED, TRAINING

TARGET = 0.95
FOLDS = 5
CV_SEEDS = (0, 1, 2)
METHODS = ("keyword", "baseline", "survey_coder")


class Baseline:
    """The strong plain script of issue 9 (see the module docstring)."""

    def __init__(self, frame: CodeFrame):
        self.frame = frame

    def fit(self, texts, Y):
        features = make_union(TfidfVectorizer(ngram_range=(1, 2)),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)))
        svc = LinearSVC(C=0.5, class_weight="balanced")
        if self.frame.multi_label:
            self.model_ = make_pipeline(features, OneVsRestClassifier(svc)).fit(texts, Y)
        else:
            self.model_ = make_pipeline(features, svc).fit(texts, Y.argmax(axis=1))
        return self

    def predict(self, texts) -> np.ndarray:
        keys = self.frame.keys
        if not self.frame.multi_label:
            D = np.zeros((len(texts), len(keys)), dtype=int)
            D[np.arange(len(texts)), self.model_.predict(texts)] = 1
            return D
        D = np.asarray(self.model_.predict(texts), dtype=int)
        if self.frame.fallback is not None:
            j = keys.index(self.frame.fallback)
            D[:, j] = (np.delete(D, j, axis=1).sum(axis=1) == 0).astype(int)
        return D


def _folds(data: CodedAnswers, Y: np.ndarray, frame: CodeFrame, protocol: str, seed: int = SEED):
    if protocol == "cv":
        return cv_splits(data.texts, Y, frame.multi_label, FOLDS, seed)
    groups = np.asarray(data.groups, dtype=object)
    return list(LeaveOneGroupOut().split(np.zeros(len(Y)), groups=groups))


def _run(train: CodedAnswers, test: CodedAnswers, frame: CodeFrame) -> dict:
    """Each method fitted on `train`, its codes (and the tool's auto-coding) on `test`."""
    Y = train.indicator(frame)
    out = {"baseline": {"codes": Baseline(frame).fit(train.texts, Y).predict(test.texts)}}
    for method, kind in (("keyword", "keyword"), ("survey_coder", "tfidf")):
        coder = fit_coder(train, frame, kind=kind)
        coded = code_texts(coder, test.texts, TARGET)
        codes = np.array([[int(k in labels) for k in frame.keys] for labels in coded.labels], dtype=int)
        out[method] = {"codes": codes, "auto": ~coded.needs_review & ~coded.empty,
                       "C": getattr(coder, "C_", None)}
    return out


def _score(Y, texts, runs, groups=None) -> dict:
    """Pooled scores of each method: code metrics, and for coders with a confidence the
    auto-coded share and accuracy, overall and per slice."""
    result = {}
    for method in METHODS:
        D = runs[method]["codes"]
        m = code_metrics(Y, D, [str(i) for i in range(Y.shape[1])])
        entry = {"macro_f1": m["macro_f1"], "micro_f1": m["micro_f1"], "exact_match": m["exact_match"]}
        if "auto" in runs[method]:
            correct = (D == Y).all(axis=1)
            entry["auto"] = auto_coding_of(runs[method]["auto"], correct)
            entry["slices"] = slices(texts, Y, runs[method]["auto"], correct, groups)
        result[method] = entry
    return result


def run_protocol(data: CodedAnswers, frame: CodeFrame, protocol: str, progress=print) -> dict:
    """Pooled held-out predictions of every method over the protocol's folds (for "cv",
    over every repetition: each answer is predicted once per seed)."""
    Y = data.indicator(frame)
    seeds = CV_SEEDS if protocol == "cv" else (None,)
    pooled = {m: {"codes": [], "auto": []} for m in METHODS}
    chosen = []
    for seed in seeds:
        splits = _folds(data, Y, frame, protocol, seed)
        rep = {m: {"codes": np.zeros_like(Y), "auto": np.zeros(len(Y), dtype=bool)} for m in METHODS}
        for i, (tr, te) in enumerate(splits, start=1):
            progress(f"{protocol}{'' if seed is None else f' (seed {seed})'}: fold {i}/{len(splits)}: "
                     f"{len(tr)} training, {len(te)} held-out answers")
            runs = _run(data.subset(_mask(len(Y), tr)), data.subset(_mask(len(Y), te)), frame)
            for m in METHODS:
                for key in ("codes", "auto"):
                    if key in runs[m]:
                        rep[m][key][te] = runs[m][key]
            chosen.append(runs["survey_coder"]["C"])
        for m in METHODS:
            pooled[m]["codes"].append(rep[m]["codes"])
            if m != "baseline":
                pooled[m]["auto"].append(rep[m]["auto"])
    runs = {m: {"codes": np.vstack(v["codes"]), **({"auto": np.concatenate(v["auto"])} if v["auto"] else {})}
            for m, v in pooled.items()}
    groups = data.groups if protocol == "by_source" else None
    return {"folds": len(chosen), "repetitions": len(seeds), "n": len(Y), "C_chosen": chosen,
            "methods": _score(np.vstack([Y] * len(seeds)), list(data.texts) * len(seeds), runs, groups)}


def run_heldout(data: CodedAnswers, heldout: CodedAnswers, frame: CodeFrame, progress=print) -> dict:
    progress(f"held out: trained on {len(data)} answers, scored on {len(heldout)}")
    runs = _run(data, heldout, frame)
    result = {"n": len(heldout), "C_chosen": [runs["survey_coder"]["C"]],
              "methods": _score(heldout.indicator(frame), heldout.texts, runs)}
    return result


def _mask(n: int, idx) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def without_norwegian_letters(data: CodedAnswers, heldout: CodedAnswers, frame: CodeFrame) -> dict:
    """Share of the held-out answers that keep exactly their codes when æøå are typed as
    ae/oe/aa (and as ae/o/a), with the tool's coder trained on all the data."""
    coder = fit_coder(data, frame)
    written = coder.predict(heldout.texts)
    out = {}
    for o, a in (("oe", "aa"), ("o", "a")):
        typed = coder.predict([transliterate(t, o, a) for t in heldout.texts])
        out[f"ae/{o}/{a}"] = float((written == typed).all(axis=1).mean())
    return out


def load(data_path=None, frame_path=None, heldout_path=None):
    """The corpus, its code frame and an optional held-out file (default: the shipped ones)."""
    paths = [Path(data_path)] if data_path else [TRAINING]
    raw = read_coded(paths)
    if frame_path or not data_path:
        frame = load_codeframe(frame_path or FRAME)
    else:
        frame, _ = resolve_frame(None, codes=raw.labels)
    data = check_against_frame(raw, frame)
    held = heldout_path or (HELDOUT if not data_path else None)
    heldout = check_against_frame(read_coded([held]), frame) if held else None
    return data, frame, heldout


def run_accuracy(progress=print, data_path=None, frame_path=None, heldout_path=None) -> dict:
    data, frame, heldout = load(data_path, frame_path, heldout_path)
    protocols = {"cv": run_protocol(data, frame, "cv", progress)}
    if data.has_groups():
        protocols["by_source"] = run_protocol(data, frame, "by_source", progress)
    if heldout is not None:
        protocols["heldout"] = run_heldout(data, heldout, frame, progress)
    result = {"corpus": str(data_path or TRAINING), "n_answers": len(data), "codeframe": frame.name,
              "multi_label": frame.multi_label, "target_precision": TARGET, "fold_seed": SEED,
              "protocols": protocols}
    if heldout is not None and not data_path:
        progress("held out answers typed without æøå")
        result["keeps_codes_without_aeoeaa"] = without_norwegian_letters(data, heldout, frame)
    return result
