"""Learning curve: will coding more answers help?

For each cross-validation fold and each fraction of that fold's training answers
(10 %, 20 %, ... 100 %), a fresh coder (`coders.make_coder`) is fitted on that many answers and scored
on the fold's held-out answers. Per fraction the held-out predictions of all folds are
pooled: macro F1, and the share of answers the model auto-codes with its own review
cutoff (chosen inside the training part, so it is what a user would get) together
with the exact-match accuracy reached on them. A curve still rising at 100 % says that
coding more answers will help.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from .codeframe import CodeFrame
from .coders import DEFAULT_KIND, MIN_EXAMPLES, cv_splits, make_coder
from .coding import review_reasons
from .dataset import CodedAnswers
from .evaluation import code_metrics
from .preprocess import resolve_spacy_model
from .tables import atomic_path

FRACTIONS = tuple(round(0.1 * i, 1) for i in range(1, 11))


@dataclass
class CurvePoint:
    fraction: float
    n_train: int                 # mean training answers per fold at this fraction
    macro_f1: float | None       # pooled over the held-out folds
    macro_f1_std: float | None   # spread of the per-fold macro F1
    auto_share: float | None     # share auto-coded at the target precision (model's own cutoff)
    auto_accuracy: float | None  # exact-match accuracy reached on the auto-coded answers
    n_folds: int                 # folds that could be fitted at this fraction
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class LearningCurve:
    points: list[CurvePoint]
    target_precision: float
    cv: int
    inner_cv: int
    n_answers: int
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict]:
        return [p.as_dict() for p in self.points]


def _too_few(Y: np.ndarray, frame: CodeFrame, minimum: int) -> str | None:
    """The first code with fewer than `minimum` answers, as a short note, or None."""
    counts = Y.sum(axis=0)
    for j, k in enumerate(frame.keys):
        if counts[j] < minimum:
            return f"code '{k}' has only {int(counts[j])} answers"
    return None


def learning_curve(data: CodedAnswers, frame: CodeFrame, fractions=FRACTIONS, cv: int = 5, inner_cv: int = 3,
                   target_precision: float = 0.95, spacy_model: str | None = None, C: float | str = "auto",
                   random_state: int = 0, progress=None, kind: str = DEFAULT_KIND) -> LearningCurve:
    """Cross-validated macro F1 and auto-coded share for each fraction of the training answers.

    `inner_cv` folds (inside each training part) fit the confidence model and the review
    cutoff; fewer than `train`'s default keeps the curve affordable. The subsets for the
    fractions are nested (the first 10 % are inside the first 20 %, ...), in one fixed
    shuffled order per fold. With `C="auto"` the regularisation is chosen once, by the
    coder's grid on all the answers, and kept for every fit (the grid in each of the fits
    would quadruple the curve's cost). `progress(done, total)` is told after each fit.
    """
    fractions = sorted({float(f) for f in fractions})
    if not fractions or fractions[0] <= 0 or fractions[-1] > 1:
        raise ValueError("fractions must lie in (0, 1]")
    texts = np.array(data.texts, dtype=object)
    Y = data.indicator(frame)
    n = len(texts)
    model = resolve_spacy_model(spacy_model)
    if C == "auto" and "C" in make_coder(kind, frame).get_params():
        C = make_coder(kind, frame, spacy_model=model, cv=inner_cv, random_state=random_state).fit(data.texts, Y).C_
    rng = np.random.default_rng(random_state)
    # The model's own folds: copies of an answer stay together.
    splits = cv_splits(data.texts, Y, frame.multi_label, cv, random_state)
    orders = [rng.permutation(train) for train, _ in splits]
    # Per fraction: pooled held-out decisions, confidences, auto flags; and per-fold F1s.
    D = {f: np.zeros_like(Y) for f in fractions}
    auto = {f: np.zeros(n, dtype=bool) for f in fractions}
    scored = {f: np.zeros(n, dtype=bool) for f in fractions}
    fold_f1 = {f: [] for f in fractions}
    sizes = {f: [] for f in fractions}
    notes: dict[float, Counter] = {f: Counter() for f in fractions}
    total, done = len(fractions) * len(splits), 0
    for (_train, test), order in zip(splits, orders):
        for f in fractions:
            idx = order[: max(1, int(round(f * len(order))))]
            sizes[f].append(len(idx))
            reason = _too_few(Y[idx], frame, max(MIN_EXAMPLES, inner_cv))
            coder = None
            if reason is None:
                coder = make_coder(kind, frame, spacy_model=model, C=C, cv=inner_cv, random_state=random_state)
                try:
                    coder.fit(list(texts[idx]), Y[idx])
                except ValueError:  # e.g. a code absent from an inner fold at a small fraction
                    coder, reason = None, "a code too rare to split into folds"
            if coder is not None:
                s = coder.assess(list(texts[test]))
                d = s.codes
                D[f][test] = d
                why = review_reasons(s, list(texts[test]), frame.question, coder.review_cutoff(target_precision))
                auto[f][test] = [r == "" for r in why]
                scored[f][test] = True
                fold_f1[f].append(code_metrics(Y[test], d, frame.keys)["macro_f1"])
            else:
                notes[f][reason] += 1
            done += 1
            if progress:
                progress(done, total)
    points = []
    for f in fractions:
        m = scored[f]
        if m.any():
            correct = (D[f][m] == Y[m]).all(axis=1)
            a = auto[f][m]
            points.append(CurvePoint(
                fraction=f, n_train=int(round(np.mean(sizes[f]))),
                macro_f1=code_metrics(Y[m], D[f][m], frame.keys)["macro_f1"],
                macro_f1_std=float(np.std(fold_f1[f])) if len(fold_f1[f]) > 1 else None,
                auto_share=float(a.mean()), auto_accuracy=float(correct[a].mean()) if a.any() else None,
                n_folds=len(fold_f1[f]),
                note="; ".join(f"{r} in {c} fold(s): skipped there" for r, c in notes[f].items()),
            ))
        else:
            points.append(CurvePoint(f, int(round(np.mean(sizes[f]))), None, None, None, None, 0,
                                     note="; ".join(notes[f]) + ": too few answers to fit"))
    return LearningCurve(points, target_precision, cv, inner_cv, n)


def curve_table(curve: LearningCurve):
    """The curve as a pandas DataFrame (one row per fraction), for CSV and markdown."""
    import pandas as pd

    return pd.DataFrame(curve.rows())


def curve_markdown(curve: LearningCurve) -> str:
    """A markdown table of the curve, for a README or a report."""
    head = ("| share of training answers | answers | macro F1 | ± (folds) | auto-coded at "
            f"{100 * curve.target_precision:.0f} % | accuracy on them |\n|---|---:|---:|---:|---:|---:|\n")
    fmt = lambda x, pct=False: "–" if x is None else (f"{100 * x:.1f} %" if pct else f"{x:.3f}")  # noqa: E731
    lines = [
        f"| {100 * p.fraction:.0f} % | {p.n_train} | {fmt(p.macro_f1)} | {fmt(p.macro_f1_std)} | "
        f"{fmt(p.auto_share, True)} | {fmt(p.auto_accuracy, True)} |"
        for p in curve.points
    ]
    return head + "\n".join(lines) + "\n"


def plot_curve(curve: LearningCurve, path, title: str = "") -> None:
    """A PNG chart: macro F1 and auto-coded share against training answers (matplotlib Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = [p for p in curve.points if p.macro_f1 is not None]
    x = [p.n_train for p in pts]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    ax.errorbar(x, [p.macro_f1 for p in pts], yerr=[p.macro_f1_std or 0 for p in pts], marker="o",
                capsize=3, label="macro F1 (cross-validated)")
    ax.plot(x, [p.auto_share for p in pts], marker="s",
            label=f"share auto-coded at {curve.target_precision:.0%} precision")
    ax.set_xlabel("training answers")
    ax.set_ylabel("score / share")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(title or f"Learning curve ({curve.cv}-fold cross-validation, {curve.n_answers} answers)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def final_gain(curve: LearningCurve, span: float = 0.3) -> dict | None:
    """What the last `span` of the answers added: macro F1 and auto-coded share at the
    last point minus those at the point about `span` earlier (None with fewer than two
    fitted points). Still gaining at 100 % means more coded answers will probably help."""
    pts = [p for p in curve.points if p.macro_f1 is not None]
    if len(pts) < 2:
        return None
    last = pts[-1]
    earlier = [p for p in pts[:-1] if p.fraction <= last.fraction - span + 1e-9] or pts[:1]
    start = earlier[-1]
    return {"from_fraction": start.fraction, "macro_f1": last.macro_f1 - start.macro_f1,
            "auto_share": last.auto_share - start.auto_share}
