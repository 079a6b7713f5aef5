"""Do a new year's answers still fit the model? Three checks before coding them.

1. Low confidence: the share of new answers below the review cutoff, against the same
   share among the training answers in cross-validation (the coder's `oof_confidence_`).
   More low-confidence answers than in cross-validation means the model is less sure
   of the new answers than it was of answers like its training data.
2. Unseen words: the share of the new answers' words (the model's own terms: lemmas or
   stems) that are not in the fitted vocabulary. Some are always new; how many is
   estimated from the training data alone with Good-Turing: the share of (answer, word)
   pairs whose word occurred in only one training answer. Only a coder that knows its
   vocabulary (`coders.KnowsVocabulary`) can be checked; for others the report says so.
3. Code shares: each code's predicted share among the new answers against its share in
   the training answers (metadata `training_data.code_shares`), with a two-proportion
   z-test (Bonferroni-corrected over the codes).

A check warns only when its difference is both statistically clear (p < `alpha`) and
large enough to matter (at least `min_change`, in percentage points), so a big file
does not warn about trivial shifts and a small one does not warn about noise.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from .coders import KnowsVocabulary
from .coding import CodedTexts, check_target
from .errors import Warnings
from .i18n import percent
from .preprocess import is_non_answer
from .stats import normal_sf, two_proportion_test

MAX_ANSWERS = 2000  # the checks need a sample, not the whole file: bounded cost
ALPHA = 0.01
MIN_CHANGE = 0.10


@dataclass
class Check:
    """A share in the new answers against what the model leads one to expect."""

    name: str
    observed: float
    expected: float
    n: int            # units behind `observed` (answers, or answer-word pairs)
    n_expected: int   # units behind `expected`
    p_value: float
    warn: bool

    @property
    def change(self) -> float:
        return self.observed - self.expected


@dataclass
class DriftReport:
    n_answers: int            # non-empty answers in the file
    n_checked: int            # answers the checks used (a sample of at most MAX_ANSWERS)
    cutoff: float
    low_confidence: Check
    unseen_words: Check | None  # None: the coder cannot say which words it saw
    code_shares: dict[str, Check] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # the answers do not fit the model
    notes: list[str] = field(default_factory=list)     # what could not be checked
    n_review: int | None = None  # answers coding sent to review, when the coded results were given

    @property
    def drifted(self) -> bool:
        return bool(self.warnings)

    @property
    def review_share(self) -> float:
        """Share of answers that need review: as coded when known, else estimated from the
        low-confidence share of a sample."""
        if self.n_review is not None:
            return self.n_review / self.n_answers if self.n_answers else 0.0
        return self.low_confidence.observed

    @property
    def review_estimate(self) -> int:
        return self.n_review if self.n_review is not None else int(round(self.review_share * self.n_answers))


def expected_unseen_share(doc_freq: np.ndarray) -> tuple[float, int]:
    """Good-Turing: P(a new answer's word is unseen) ~ words seen in one answer / all (answer, word) pairs."""
    total = float(doc_freq.sum())
    if total <= 0:
        return 0.0, 0
    return float((doc_freq == 1).sum() / total), int(total)


def unseen_pairs(coder: KnowsVocabulary, texts: list[str], vocab=None) -> tuple[int, int]:
    """(answer-word pairs whose word the model never saw, all answer-word pairs)."""
    vocab = coder.term_document_frequencies() if vocab is None else vocab
    unseen = total = 0
    for terms in coder.answer_terms(texts):
        words = set(terms)
        total += len(words)
        unseen += sum(w not in vocab for w in words)
    return unseen, total


def sample_answers(texts, max_answers: int = MAX_ANSWERS, seed: int = 0) -> tuple[list[str], int]:
    """Non-empty answers (a reproducible random sample of at most `max_answers`), and how many there are."""
    answers = [str(t).strip() for t in texts if not is_non_answer(t)]
    if len(answers) <= max_answers:
        return answers, len(answers)
    return random.Random(seed).sample(answers, max_answers), len(answers)


def check_drift(coder, texts, metadata: dict | None = None, target_precision: float = 0.95,
                alpha: float = ALPHA, min_change: float = MIN_CHANGE, max_answers: int = MAX_ANSWERS,
                coded: CodedTexts | None = None) -> DriftReport:
    """Compare new answers with the model's training data; see the module docstring.

    With `coded` (the results of `code_texts` for `texts`) the confidence and code-share
    checks use every answer and nothing is scored twice; without it they score a sample."""
    check_target(target_precision)
    sample, n_answers = sample_answers(texts, max_answers)
    keys = coder.frame.keys
    cutoff = coder.review_cutoff(target_precision)
    if coded is not None:
        filled = ~coded.empty
        conf = coded.confidence[filled]
        D = coder.decide(coded.proba[filled])  # the same codes, without a per-row loop
    elif sample:
        scores = coder.assess(sample)
        D, conf = scores.codes, scores.confidence
    else:
        D, conf = np.zeros((0, len(keys)), dtype=int), np.zeros(0)
    n = len(conf)

    oof = np.asarray(coder.oof_confidence_, dtype=float)
    k_new, k_old = int((conf < cutoff).sum()), int((oof < cutoff).sum())
    p = two_proportion_test(k_new, n, k_old, len(oof), "greater")
    low = Check("low_confidence", k_new / n if n else 0.0, k_old / len(oof) if len(oof) else 0.0,
                n, len(oof), p, False)
    low.warn = bool(n and p < alpha and low.change >= min_change)

    words = unseen_words_check(coder, sample, alpha, min_change)
    warnings: list[str] = []
    notes: list[str] = []
    if low.warn:
        warnings.append(Warnings.DRIFT_LOW_CONFIDENCE.format(share=_pct(low.observed), expected=_pct(low.expected)))
    if words is None:
        notes.append(Warnings.DRIFT_NO_VOCABULARY)
    elif words.warn:
        warnings.append(Warnings.DRIFT_UNSEEN_WORDS.format(share=_pct(words.observed), expected=_pct(words.expected)))

    shares = {}
    train_info = (metadata or {}).get("training_data", {})
    train_shares, n_train = train_info.get("code_shares"), int(train_info.get("n_answers") or 0)
    if train_shares and n_train:
        for j, key in enumerate(keys):
            if key not in train_shares:
                continue
            k_new = int(D[:, j].sum())
            k_old = int(round(train_shares[key] * n_train))
            p = two_proportion_test(k_new, n, k_old, n_train)
            c = Check(f"share:{key}", k_new / n if n else 0.0, float(train_shares[key]), n, n_train, p, False)
            c.warn = bool(n and p < alpha / len(keys) and abs(c.change) >= min_change)
            shares[key] = c
            if c.warn:
                name = coder.frame.code(key).name or key
                warnings.append(Warnings.DRIFT_CODE_SHARE.format(name=name, new=_pct(c.observed), old=_pct(c.expected)))
    if not (train_shares and n_train):
        notes.append(Warnings.DRIFT_NO_SHARES)
    n_review = int((coded.needs_review & ~coded.empty).sum()) if coded is not None else None
    return DriftReport(n_answers, n, cutoff, low, words, shares, warnings, notes, n_review)


def unseen_words_check(coder, sample: list[str], alpha: float = ALPHA, min_change: float = MIN_CHANGE) -> Check | None:
    """The share of the answers' words the model never saw, against the Good-Turing estimate
    from its training answers (a one-sided binomial z-test); None for a coder that cannot say
    which words it saw."""
    if not isinstance(coder, KnowsVocabulary):
        return None
    vocab = coder.term_document_frequencies()
    unseen, pairs = unseen_pairs(coder, sample, vocab) if sample else (0, 0)
    exp_share, exp_pairs = expected_unseen_share(np.fromiter(vocab.values(), dtype=float, count=len(vocab)))
    se = math.sqrt(exp_share * (1 - exp_share) / pairs) if pairs else 0.0
    obs_share = unseen / pairs if pairs else 0.0
    p = normal_sf((obs_share - exp_share) / se) if se else (0.0 if obs_share > exp_share else 1.0)
    words = Check("unseen_words", obs_share, exp_share, pairs, exp_pairs, p, False)
    words.warn = bool(pairs and p < alpha and words.change >= min_change)
    return words


def _pct(x: float) -> str:
    return percent(x, digits=0)
