"""Audit: which coded answers are probably mis-coded?

A fresh coder is fitted on the coded answers; its out-of-fold probabilities
(`oof_proba_`, each from a model that never saw the answer) are compared with the
codes the answer was given. The score is the summed log-loss of the given codes,
-sum_j [y_j log p_j + (1 - y_j) log(1 - p_j)]: large when the model is confident and
disagrees. The highest-scoring answers are the ones worth a second look; the model's
own decision for each is offered as the suggested codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codeframe import CodeFrame, join_labels
from .dataset import CodedAnswers
from .training import fit_coder

EPS = 1e-6


@dataclass
class AuditRow:
    rank: int
    index: int           # position in the data
    id: str
    source: str          # "file row n"
    text: str
    given: list[str]
    suggested: list[str]
    score: float         # summed log-loss of the given codes
    proba: dict          # out-of-fold probability of each code

    @property
    def agrees(self) -> bool:
        return self.given == self.suggested


@dataclass
class AuditResult:
    rows: list[AuditRow]       # every answer, most suspicious first
    n_answers: int
    n_disagree: int            # answers whose suggested codes differ from the given ones
    cv: int

    def top(self, n: int) -> list[AuditRow]:
        return self.rows[:n]


def given_code_loss(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Per answer, the summed log-loss of its given codes under probabilities P."""
    P = np.clip(np.asarray(P, dtype=float), EPS, 1 - EPS)
    Y = np.asarray(Y, dtype=float)
    return -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1)


def audit(data: CodedAnswers, frame: CodeFrame, spacy_model: str | None = None, cv: int = 5,
          C: float | str = "auto", progress=None) -> AuditResult:
    """Rank `data`'s answers by how strongly out-of-fold predictions disagree with their codes."""
    coder = fit_coder(data, frame, spacy_model, C=C, cv=cv, progress=progress, cv_max=0)  # every answer out of fold
    Y = data.indicator(frame)
    P = coder.oof_proba_
    D = coder.decide(P)
    score = given_code_loss(P, Y)
    order = np.argsort(-score, kind="stable")
    keys = frame.keys
    rows = []
    for rank, i in enumerate(order, start=1):
        rows.append(AuditRow(
            rank=rank, index=int(i), id=data.ids[i] if data.ids else str(i), source=data.where[i] if data.where else "",
            text=data.texts[i], given=[k for k, y in zip(keys, Y[i]) if y], suggested=[k for k, d in zip(keys, D[i]) if d],
            score=float(score[i]), proba={k: float(P[i, j]) for j, k in enumerate(keys)},
        ))
    n_disagree = int((D != Y).any(axis=1).sum())
    return AuditResult(rows, len(data), n_disagree, cv)


def review_frame(rows: list[AuditRow]) -> pd.DataFrame:
    """The rows as the `review` command's input: id, text, labels (given), suggested."""
    return pd.DataFrame({
        "id": [r.id for r in rows],
        "text": [r.text for r in rows],
        "labels": [join_labels(r.given) for r in rows],
        "suggested": [join_labels(r.suggested) for r in rows],
    })
