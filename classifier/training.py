"""Train a model from coded answers and save it with its metadata.

The code frame is the one given, else the one in labels/ that covers the codes in the
data, else one inferred from them. Every code needs enough examples for honest
cross-validation; a code with too few is named so the user can code more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.model_selection import LeaveOneGroupOut

from .codeframe import CodeFrame
from .coders import DEFAULT_KIND, MIN_EXAMPLES, Coder, make_coder
from .coding import code_texts
from .dataset import CodedAnswers, check_against_frame, read_coded
from .errors import Errors, UserError, Warnings
from .evaluation import auto_coding_of, code_metrics, slices
from .frames import resolve_frame
from .paths import labels_dir
from .preprocess import describe_nlp, resolve_spacy_model
from .registry import check_model_dir, new_model_dir, save_model
from .versions import apply_previous


@dataclass
class TrainResult:
    coder: Coder
    metadata: dict
    path: Path
    frame_origin: str
    warnings: list[str] = field(default_factory=list)
    annotations: AnnotationsUsed | None = None  # review decisions used, when any


def load_training_data(paths, frame_path=None, text_column="text",
                       labels_column="labels") -> tuple[CodedAnswers, CodeFrame, str]:
    """Read coded answers and check them against the code frame (given, matched or inferred)."""
    data = read_coded(paths, text_column, labels_column)
    frame, origin = resolve_frame(frame_path or None, codes=data.labels, folder=labels_dir())
    data = apply_previous(data, frame)  # codes of the frame's previous version -> this one
    return check_against_frame(data, frame), frame, origin


def check_enough(data: CodedAnswers, frame: CodeFrame, minimum: int = MIN_EXAMPLES) -> None:
    counts = Counter(k for labels in data.labels for k in labels)
    for k in frame.keys:
        if counts[k] < minimum:
            raise UserError(Errors.TOO_FEW_EXAMPLES.format(code=k, n=counts[k], min=minimum))


def fit_coder(data: CodedAnswers, frame: CodeFrame, spacy_model: str | None = None, C: float | str = "auto",
              cv: int = 5, progress=None, kind: str = DEFAULT_KIND, **params) -> Coder:
    """A fresh coder of `kind` (with `params` beside the usual ones) fitted on `data` (no files written)."""
    check_enough(data, frame)
    coder = make_coder(kind, frame, spacy_model=resolve_spacy_model(spacy_model), C=C, cv=cv, **params)
    return coder.fit(data.texts, data.indicator(frame), progress=progress)


def build_metadata(coder: Coder, data: CodedAnswers, paths, name: str) -> dict:
    frame = coder.frame
    counts = Counter(k for labels in data.labels for k in labels)
    years = Counter(y for y in data.years if y)
    spacy_model = coder.get_params().get("spacy_model")
    return {
        "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "spacy": describe_nlp(spacy_model) if spacy_model else None,
        "codeframe": {"name": frame.name, "version": frame.version, "hash": frame.hash,
                      "source": frame.source, "frame": frame.to_dict()},
        "training_data": {
            "sha256": data.hash(),
            "n_answers": len(data),
            "n_skipped": data.skipped,
            "files": [str(p) for p in paths],
            "code_counts": {k: counts[k] for k in frame.keys},
            "code_shares": {k: counts[k] / len(data) for k in frame.keys},
            "years": dict(sorted(years.items())),
        },
        "coder": {**coder.describe(), **_chosen(coder)},
        "thresholds": {k: float(t) for k, t in zip(frame.keys, coder.thresholds_)},
        "review_cutoff_095": coder.review_cutoff(0.95),
        "cv_scores": coder.cv_scores_,
    }


def _chosen(coder: Coder) -> dict:
    """What the coder chose for itself in training: C and each grid C's macro F1, and the
    familiarity below which an answer counts as 'unknown words'."""
    out = {}
    if getattr(coder, "C_", None) is not None:
        out["C_chosen"] = coder.C_
    if getattr(coder, "C_scores_", None):
        out["C_scores"] = {f"{c:g}": f1 for c, f1 in coder.C_scores_.items()}
    floor = getattr(coder.decisions_, "novelty_floor_", None)
    if floor is not None:
        out["unknown_words_below"] = floor
    return out


def train(paths, frame_path=None, text_column="text", labels_column="labels", out_dir=None,
          name: str | None = None, spacy_model: str | None = None, C: float | str = "auto", cv: int = 5,
          progress=None, annotations=None,
          disagreement: str | None = None, kind: str = DEFAULT_KIND) -> TrainResult:
    """Read, check, fit, and save a model; returns it with its metadata and folder."""
    if out_dir:  # refuse a folder of other files before the fit, not after
        check_model_dir(out_dir)
    data, frame, origin = load_training_data(paths, frame_path, text_column, labels_column)
    used = None
    if annotations is not None:  # review decisions win over file rows with the same text
        data, used = apply_annotations(data, frame, annotations, disagreement)
    coder = fit_coder(data, frame, spacy_model, C=C, cv=cv, progress=progress, kind=kind)
    by_source = source_cv(data, frame, coder, progress) if data.has_groups() else None
    name = name or frame.name
    target = Path(out_dir) if out_dir else new_model_dir(name)
    meta = build_metadata(coder, data, paths, name)
    meta["codeframe"]["origin"] = origin
    if by_source is not None:
        meta["source_cv_scores"] = by_source
    if used is not None:
        meta["annotations"] = used.metadata()
    save_model(coder, meta, target)
    warnings = [Warnings.SKIPPED_UNCODED.format(n=data.skipped)] if data.skipped else []
    warnings += data.notes
    if used is not None:
        warnings += used.warnings
    return TrainResult(coder, meta, target, origin, warnings, annotations=used)


SOURCE_CV_INNER = 3  # inner folds of the models in source_cv (fewer than train's: a report, not the model)


def source_cv(data: CodedAnswers, frame: CodeFrame, coder: Coder, progress=None) -> dict:
    """Cross-validation with each source (writer, municipality ...) held out whole: a model
    fitted on the other sources codes its answers as `predict` would. Answers by one writer
    resemble each other, so ordinary folds flatter a model; this is the figure to expect on
    answers from people it never saw. The model's own settings (its chosen C) are kept."""
    groups = np.asarray(data.groups, dtype=object)
    Y = data.indicator(frame)
    D, auto = np.zeros_like(Y), np.zeros(len(Y), dtype=bool)
    params = {k: v for k, v in coder.get_params().items() if k not in ("frame", "cv")}
    if "C" in params:
        params["C"] = getattr(coder, "C_", params["C"])
    splits = list(LeaveOneGroupOut().split(np.zeros(len(Y)), groups=groups))
    for i, (train, test) in enumerate(splits):
        if progress:
            progress(f"each source held out ({i + 1} of {len(splits)})", i, len(splits))
        fold = make_coder(coder.kind, frame, **params, cv=SOURCE_CV_INNER)
        fold.fit([data.texts[j] for j in train], Y[train])
        coded = code_texts(fold, [data.texts[j] for j in test])
        D[test] = [[int(k in labels) for k in frame.keys] for labels in coded.labels]
        auto[test] = ~coded.needs_review
    correct = (D == Y).all(axis=1)
    scores = code_metrics(Y, D, frame.keys)
    scores["auto_coding_095"] = auto_coding_of(auto, correct)
    scores["slices_095"] = slices(data.texts, Y, auto, correct, data.groups)
    scores["n_sources"] = len(splits)
    return scores


# -- review decisions (the annotation store) ---------------------------------------------------
@dataclass
class AnnotationsUsed:
    """What the annotation store added to training: counts and the disagreements found."""

    path: Path
    rule: str  # how disagreements were settled (adjudicated, latest, majority, skip)
    n_used: int  # answers coded from decisions
    n_replaced: int  # training-file rows replaced by a decision on the same (normalised) text
    n_other_frame: int  # decisions made with another code frame, not used
    disagreements: list = field(default_factory=list)  # store.Disagreement
    warnings: list[str] = field(default_factory=list)
    n_adjudicated: int = 0  # of n_used: answers whose codes are an adjudication's

    def metadata(self) -> dict:
        return {"path": str(self.path), "rule": self.rule, "n_used": self.n_used, "n_replaced": self.n_replaced,
                "n_other_frame": self.n_other_frame, "n_disagreements": len(self.disagreements),
                "n_adjudicated": self.n_adjudicated}


def annotations_as_coded(store_path, frame: CodeFrame, rule: str | None = None) -> tuple[CodedAnswers, AnnotationsUsed]:
    """The store's coding per answer for `frame` (skips and undone decisions left out); `rule`
    settles disagreements (None: 'adjudicated' when there are adjudications, else 'latest')."""
    from .resolution import default_rule
    from .store import AnnotationStore

    with AnnotationStore(store_path, create=False) as store:
        rule = rule or default_rule(store, frame.hash)
        resolved, disagreements = store.resolve(frame.hash, rule)
        other = store.count_other_frames(frame.hash)
    name = Path(store_path).name
    data = CodedAnswers(
        texts=[r.text for r in resolved], labels=[list(r.labels) for r in resolved],
        where=[f"{name} decision {r.decision_id}" for r in resolved],
        ids=[f"decision:{r.decision_id}" for r in resolved], years=["" for _ in resolved],
        groups=["" for _ in resolved],
    )
    warnings = [Warnings.ANNOTATIONS_OTHER_FRAME.format(n=other, path=store_path)] if other else []
    return data, AnnotationsUsed(Path(store_path), rule, len(resolved), 0, other, disagreements, warnings,
                                 n_adjudicated=sum(r.adjudicated for r in resolved))


def apply_annotations(data: CodedAnswers, frame: CodeFrame, store_path, rule: str | None = None
                      ) -> tuple[CodedAnswers, AnnotationsUsed]:
    """`data` with the store's decisions: a decision replaces file rows with the same normalised text."""
    from .preprocess import answer_hash

    decided, used = annotations_as_coded(store_path, frame, rule)
    if not len(decided):
        return data, used
    keys = {answer_hash(t) for t in decided.texts}
    keep = [answer_hash(t) not in keys for t in data.texts]
    used.n_replaced = keep.count(False)
    merged = data.subset(keep).extend(decided)
    merged.skipped = data.skipped
    if hasattr(data, "notes"):  # what the file rows told the user is kept
        merged.notes = data.notes
    return check_against_frame(merged, frame), used
