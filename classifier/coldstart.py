"""Cold start for a new question: codes suggested from the code frame, then from a model
that is trained on the decisions as they come in.

`label` with no trained model starts with the keyword coder (the code frame's `examples`,
no coded answers needed) and shows the answers in file order. Once every code has
MIN_EXAMPLES coded answers (the minimum `train` asks for: the first model is then as
trustworthy as one `train` would make from the same answers), a TF-IDF coder is fitted on
the decisions in the store under this code frame (3-fold cross-validation for its
thresholds and confidence); then again after every RETRAIN_EVERY new answers. From the
first model on, its codes are suggested and the answers not yet shown come least
confident first, near-identical ones spread apart (queue.LeastConfidence, Diversify).

The fit never holds up a key press: it runs in a child process (`Fitter`, mode
'process'), which gets the answers and codes so far and sends back the fitted coder, its
suggestions for every answer and the new order. spaCy and the vectorizers hold the GIL,
so a thread would share the interpreter with the screen (bench/review_latency.py
--coldstart measures both). Decisions are committed before the fit is asked for, and the
child never touches the store, so killing either process loses no decision. A fit that
fails keeps the suggester in use and is tried again after another RETRAIN_EVERY answers.
A result is only swapped in when a new answer comes on screen, never under the
coordinator's fingers. Mode 'wait' fits in this process at once, for scripts and tests
(the same keys give the same screens).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .codeframe import CodeFrame
from .coders import MIN_EXAMPLES, Coder, KeywordCoder
from .dataset import CodedAnswers
from .errors import Errors, Notes, UserError
from .explain import can_explain
from .i18n import current, integer, use_language
from .preprocess import load_nlp
from .queue import Diversify, Item, LeastConfidence, rank
from .review import Outcome, ReviewSession
from .suggestions import Suggestions, suggest

RETRAIN_EVERY = 25  # new coded answers between two fits
FIT_CV = 3  # folds for the model's thresholds and confidence: a fit in seconds
FIT_MODES = ("process", "thread", "wait")
CHILD_NICENESS = 15  # the fit's process yields the processor to the screen's


@dataclass
class Suggester:
    """What suggests codes: the code frame's examples ('keywords'), nothing ('none': a frame
    without examples), or a model trained on `n_answers` coded answers ('model')."""

    kind: str
    coder: Coder | None = None
    suggestions: Suggestions | None = None
    order: tuple[str, ...] = ()  # a model's order for the answers not yet decided (item keys)
    n_answers: int = 0

    @property
    def version(self) -> str:
        """What the store records as the decision's model."""
        return {"keywords": "keywords", "model": f"coldstart-{self.n_answers}"}.get(self.kind, "")


def keyword_suggester(frame: CodeFrame, items: list[Item]) -> Suggester:
    """The keyword coder's codes for every item; none where an answer holds no example phrase
    (every code then has the same probability: no evidence for any)."""
    if not any(frame.code(k).examples for k in frame.keys):
        return Suggester("none")
    coder = KeywordCoder(frame).fit([], np.zeros((0, len(frame.keys))))
    s = suggest(coder, items)
    s.reasons = None  # label shows every answer: none is there 'because it needs review'
    flat = np.ptp(s.proba, axis=1) == 0 if len(items) else np.zeros(0, dtype=bool)
    s.decided[flat] = 0
    return Suggester("keywords", coder, s)


def fit_suggester(frame: CodeFrame, texts: list[str], labels: list[list[str]], items: list[Item],
                  open_keys: list[str], cv: int = FIT_CV) -> Suggester:
    """Fit a model on the coded answers (a UserError when a code has too few), suggest codes
    for every item, and order the `open_keys` least confident first, spread apart."""
    from .training import fit_coder

    with warnings.catch_warnings():  # a code no fold lacks, or all have: nothing for the screen
        warnings.simplefilter("ignore")
        coder = fit_coder(CodedAnswers(list(texts), [list(x) for x in labels]), frame, cv=cv)
    s = suggest(coder, items)
    s.reasons = None
    rows = [s.get(k) for k in open_keys]
    # Least sure by the code probabilities themselves, not by the confidence model: fitted on a
    # few dozen answers that is a coarse step function, and ordering by it was no better than
    # file order in the simulation (bench/coldstart.py).
    order = rank([items[i] for i in rows], LeastConfidence(), s.proba[rows], None, frame.multi_label, Diversify())
    return Suggester("model", coder, s, tuple(open_keys[i] for i in order), len(texts))


def _run(job: dict) -> tuple[str, object]:
    """('ok', Suggester) or ('error', the reason in a few words, in the session's language)."""
    job = dict(job)
    if "language" in job:  # a spawned child starts in English
        use_language(job.pop("language"))
    try:
        return "ok", fit_suggester(**job)
    except UserError as e:
        return "error", str(e)
    except Exception as e:  # noqa: BLE001 - any failure keeps the old suggester
        return "error", f"{type(e).__name__}: {e}"


def _child(conn) -> None:
    """The child process: takes the job, sends back the result, and is gone at once (no
    interpreter teardown to wait for). It runs at a low priority, so the screen wins when the
    two compete for a processor, and nothing it prints may reach the coordinator's screen."""
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    try:
        job = conn.recv()
        parent = multiprocessing.parent_process()
        if parent is None or parent.is_alive():  # an orphan (its session was killed) fits nothing
            conn.send(_run(job))
    except (EOFError, OSError):  # the session is gone: nobody wants the result
        pass
    finally:
        conn.close()
        os._exit(0)


class Fitter:
    """Runs one fit at a time: in a child process (spawned: no threads, locks or store
    connection inherited), a thread, or at once ('wait'); `poll` returns the result once."""

    def __init__(self, mode: str = "process"):
        if mode not in FIT_MODES:
            raise ValueError(f"fit mode {mode!r}")
        self.mode = mode
        self._result: tuple[str, object] | None = None
        self._proc = self._conn = self._thread = self._sender = None
        self.busy = False

    def start(self, job: dict) -> None:
        self.busy, self._result = True, None
        if self.mode == "wait":
            self._result = _run(job)
        elif self.mode == "thread":
            self._thread = threading.Thread(target=self._in_thread, args=(job,), daemon=True)
            self._thread.start()
        else:
            # The job goes through the pipe from a thread: the child takes it only after its
            # imports (seconds), and a key press must not wait for that.
            ctx = multiprocessing.get_context("spawn")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_child, args=(child,), daemon=True, name="survey-coder fit")
            self._proc.start()
            child.close()
            self._sender = threading.Thread(target=self._send, args=(self._conn, job), daemon=True)
            self._sender.start()

    def _in_thread(self, job: dict) -> None:
        self._result = _run(job)

    @staticmethod
    def _send(conn, job: dict) -> None:
        try:
            conn.send(job)
        except (OSError, TypeError):  # the child is gone (poll says so), or the pipe was closed
            pass

    @property
    def pid(self) -> int | None:
        """The child process's id while a fit runs in one."""
        return self._proc.pid if self._proc is not None and self.busy else None

    def poll(self) -> tuple[str, object] | None:
        """The finished fit's result (once), or None while it runs or when none was started."""
        if not self.busy:
            return None
        if self.mode == "process":
            if not self._conn.poll():  # readable: its answer, or the end of the pipe when it died
                return None
            try:
                self._result = self._conn.recv()
            except Exception:  # noqa: BLE001 - it died (killed, out of memory) before answering
                self._proc.join(timeout=1)
                self._result = ("error", Errors.FIT_PROCESS_DIED.format(code=self._proc.exitcode))
            self._finish()
        elif self.mode == "thread" and self._thread.is_alive():
            return None
        self.busy = False
        result, self._result = self._result, None
        return result

    def wait(self, timeout: float | None = None) -> None:
        """Block until the fit in progress is done (scripts and benchmarks)."""
        if self.mode == "process" and self.busy:
            self._conn.poll(timeout)
        elif self.mode == "thread" and self.busy:
            self._thread.join(timeout)

    def _finish(self) -> None:
        """Let go of the child; it exits by itself (multiprocessing reaps it later). The pipe is
        closed only once the thread that sent the job is done with it (it fails at once when
        the child is gone), so its number is never written to after being reused."""
        self._sender.join(timeout=2)
        if not self._sender.is_alive():
            self._conn.close()
        self._proc = self._conn = self._sender = None

    def close(self) -> None:
        """Stop a fit in progress (its result is not wanted any more)."""
        if self._proc is not None:
            proc = self._proc
            proc.terminate()
            proc.join(timeout=2)
            self._finish()
        self.busy = False


class ColdStartSession(ReviewSession):
    """A `label` session that suggests codes from the code frame, then from models trained in
    the background as decisions come in (see the module docstring). `fit_mode`: 'process'
    (the default), 'thread', or 'wait' (fit at once, for scripts and tests)."""

    def __init__(self, store, queue: list[Item], frame: CodeFrame, model=None, *, fit_mode: str = "process",
                 retrain_every: int = RETRAIN_EVERY, min_examples: int = MIN_EXAMPLES, **kwargs):
        kwargs.pop("suggestions", None)
        kwargs.pop("model_version", None)
        self.fitter = Fitter(fit_mode)
        self.retrain_every = retrain_every
        self.min_examples = min_examples
        self.suggester = keyword_suggester(frame, list({it.key: it for it in
                                                        (kwargs.get("all_items") or []) + queue}.values()))
        self.short: dict[str, int] = {}  # codes with fewer than min_examples answers, and their counts
        self.training_on = 0  # answers of the fit in progress
        self._tried = None  # answers of the last fit that failed
        self._next_check = 0  # the session's decisions before which no fit can be due
        self._note: str | None = None  # said once, with the next answer (a fit that failed)
        load_nlp()  # now, not on the key press that first shows a model's words
        super().__init__(store, queue, frame, self.suggester.coder, suggestions=self.suggester.suggestions,
                         model_version=self.suggester.version, **kwargs)
        self._after_decision()  # a restart with enough answers: train at once

    # -- what the screen says --------------------------------------------------------------------
    @property
    def status(self) -> str:
        s = self.suggester
        if s.kind == "model":
            text = Notes.COLDSTART_MODEL.format(n=integer(s.n_answers))
        else:
            text = Notes.COLDSTART_KEYWORDS if s.kind == "keywords" else Notes.COLDSTART_NONE
            if self.short and not self.fitter.busy:
                code, n = min(self.short.items(), key=lambda kv: (kv[1], self.frame.keys.index(kv[0])))
                text += Notes.COLDSTART_WAITING.format(min=integer(self.min_examples), code=code, n=integer(n))
        if self.fitter.busy:
            text += Notes.COLDSTART_TRAINING.format(n=integer(self.training_on))
        return text

    def _suggestion(self, key: str):
        codes, proba, conf = super()._suggestion(key)
        if self.suggester.kind != "model":  # a keyword's prior is no probability worth showing
            return codes, {}, None
        return codes, proba, conf

    # -- the hooks ----------------------------------------------------------------------------------
    def _arrive(self) -> None:
        self._poll()  # a model that finished meanwhile is used from this answer on
        super()._arrive()

    def _record(self, screen, labels, action) -> Outcome:
        out = super()._record(screen, labels, action)
        if out.ok:
            self._after_decision()
        if self._note:
            out = Outcome(out.ok, " ".join(m for m in (out.message, self._note) if m), out.decision_id)
            self._note = None
        return out

    def quit(self):
        self.fitter.close()
        return super().quit()

    # -- fitting ------------------------------------------------------------------------------------
    def training_answers(self) -> tuple[list[str], list[list[str]]]:
        """The coded answers under this code frame, one coding each (as `train` resolves them)."""
        resolved, _ = self.store.resolve(self.frame.hash)
        return [r.text for r in resolved], [list(r.labels) for r in resolved]

    def _after_decision(self) -> None:
        """Start a fit when every code has enough answers and the model is RETRAIN_EVERY behind;
        with mode 'wait' its model is used from the answer now coming on screen. Between two
        fits the store is not asked until RETRAIN_EVERY more decisions could have made one due."""
        if self.fitter.busy or self.n_decisions < self._next_check:
            return
        coded = self.store.latest_codes(self.frame.hash)
        counts = Counter(k for codes in coded.values() for k in codes)
        self.short = {k: counts[k] for k in self.frame.keys if counts[k] < self.min_examples}
        if self.short:
            return
        last = self.suggester.n_answers if self.suggester.kind == "model" else None
        if self._tried is not None:
            last = self._tried if last is None else max(last, self._tried)
        if last is not None and len(coded) - last < self.retrain_every:
            self._next_check = self.n_decisions + self.retrain_every - (len(coded) - last)
            return
        texts, labels = self.training_answers()
        items = list(self.by_key.values())
        open_keys = [it.key for it in items if it.key not in self.decided]
        self.training_on = len(texts)
        self.fitter.start({"frame": self.frame, "texts": texts, "labels": labels, "items": items,
                           "open_keys": open_keys, "language": current()})
        if self._poll():  # 'wait': the answer about to be shown gets the model's codes
            self._restart_current()

    def wait_for_fit(self, timeout: float | None = None) -> bool:
        """Block until a fit in progress is done and use it, also for the answer on screen
        (scripts and benchmarks, between keys); True if a new model is in use."""
        self.fitter.wait(timeout)
        if self._poll():
            self._restart_current()
            return True
        return False

    def _restart_current(self) -> None:
        if not self.finished and self.idx < len(self.seen):
            self.selection = [k for k in self.frame.keys if k in self._start(self.seen[self.idx])]

    def _poll(self) -> bool:
        """Use a finished fit: its suggestions, and its order for the answers not yet shown."""
        result = self.fitter.poll()
        if result is None:
            return False
        kind, value = result
        if kind == "error":
            self._tried = self.training_on
            self._note = Notes.COLDSTART_FIT_FAILED.format(n=integer(self.training_on), reason=value)
            return False
        self._use(value)
        return True

    def _use(self, sug: Suggester) -> None:
        self.suggester = sug
        self.model, self.suggestions, self.model_version = sug.coder, sug.suggestions, sug.version
        self.explain_words = can_explain(sug.coder)
        self._explained = {}
        left = [it for it in self._pending if it.key not in self.decided and it.key not in self.seen]
        place = {k: i for i, k in enumerate(sug.order)}
        # The double-coding sample stays first; answers the model did not order keep theirs (stable).
        left.sort(key=lambda it: (it.key not in self.double, place.get(it.key, len(place))))
        free = sorted(self.number[it.key] for it in left if it.key in self.number)
        self.number.update({it.key: n for it, n in zip(left, free)})
        self._pending = iter(left)
