"""`review` and `label`: code answers one by one at the keyboard, every decision kept.

The screen (classifier/cli/_screen.py) shows the answer with the words that pushed each
suggested code up highlighted, the code frame with one key per code and the model's
probabilities, and a progress line. On a terminal each key acts at once (no Enter);
--script FILE or --keys "..." feed keys from a file or the command line instead. The
keys are one table, KEYS in classifier/cli/_keys.py.
"""

from __future__ import annotations

import os

from ..codeframe import load_codeframe
from ..coding import check_target
from ..coldstart import FIT_MODES, ColdStartSession
from ..double import plan
from ..errors import Errors, Notes, UserError
from ..i18n import tr
from ..paths import default_frame_path
from ..queue import STRATEGIES, Diversify, FileOrder, Shuffled, group_answers, rank
from ..review import ReviewSession
from ..store import default_annotator
from ..suggestions import review_order, suggest
from ..tables import pick_column, read_table
from ._keys import check_shortcuts, check_terminal, keys_from_args, single_keys
from ._models import model_version
from ._questions import add_question_option, chosen_question, question_model
from ._screen import run_session
from ._store import add_store_option, open_store
from ._util import (
    add_command,
    add_model_options,
    add_sheet_option,
    add_target_option,
    console,
    load_model_arg,
)


# -- commands -------------------------------------------------------------------------------------
def read_answers(args, question=None):
    table = read_table(args.input, sheet=args.sheet, header_row=args.header_row)
    text_col = pick_column(table, question.column if question is not None else args.text_column, "text-column")
    ids = table.frame[pick_column(table, args.id_column, "id-column")].tolist() if args.id_column else None
    if args.text_column is None and question is None:
        console.print(tr("Text column: [bold]{column}[/] (guessed; use --text-column to choose)").format(column=text_col))
    items = group_answers(table.frame[text_col].tolist(), ids)
    if not items:
        raise UserError(Errors.NOTHING_TO_REVIEW.format(
            path=table.path, reason=tr("column '{column}' has no answers").format(column=text_col)))
    return table, items


def check_double(args, riskiest: bool = False) -> None:
    if args.double is not None and args.double < 1:
        raise UserError(Errors.BAD_DOUBLE.format(value=args.double))
    if riskiest and args.double is None:
        raise UserError(Errors.RISKIEST_NEEDS_DOUBLE)


def first_notes(session: ReviewSession, sample) -> str | None:
    """What the first screen says: answers decided in other files, the double-coding sample."""
    notes = []
    if session.elsewhere:
        notes.append(Notes.DECIDED_ELSEWHERE.format(n=session.elsewhere))
    if sample is not None and sample.planned_now:
        notes.append(Notes.DOUBLE_PLANNED.format(n=len(sample.keys), asked=sample.requested, method=sample.method))
    elif sample is not None:
        notes.append(Notes.DOUBLE_KEPT.format(n=len(sample.keys), who=sample.planned_by, method=sample.method))
    open_blind = len(session.double - session.decided)
    if open_blind:
        notes.append(Notes.DOUBLE_BLIND.format(n=open_blind))
    return "\n".join(notes) or None


def start(args, store, queue, items, frame, table, *, coder=None, suggestions=None, version="",
          session_class=ReviewSession, **options):
    """Plan the double-coding sample if asked, then open the session over `queue`."""
    annotator = args.annotator or default_annotator()
    sample = None
    if args.double is not None:
        conf = None
        if suggestions is not None:
            conf = {k: float(c) for k, c in zip(suggestions.keys, suggestions.confidence)}
        sample = plan(store, frame.hash, queue or items, args.double,
                      method="riskiest" if getattr(args, "riskiest", False) else "random",
                      seed=args.seed, confidence=conf, source=table.path.name, annotator=annotator)
    session = session_class(store, queue, frame, coder, source=table.path.name, annotator=annotator,
                            suggestions=suggestions, model_version=version, all_items=items, limit=args.limit,
                            others_count=args.split_work, **options)
    return session, first_notes(session, sample)


def run(args) -> int:
    """Review the answers the model is least sure of, one at a time, and correct them.

    Takes a survey file (or one already coded by `predict`). Answers that need review
    come first, least confident first, with near-identical answers spread out; --all
    adds the rest after them. Answers that are the same after normalisation are shown
    once and one decision codes every row. Every decision is saved at once in the
    annotation store (training_data/annotations.sqlite), which `train` uses. A rerun
    resumes where you left off, by answer: what you decided under this code frame, in
    this file or any other, is not asked again. --split-work shares one queue between
    coordinators (each answer on screen is reserved for one of them); --double N plans
    N answers that two coordinators code blind, for `agreement` and `adjudicate`.
    Keys (no Enter needed on a terminal): Enter accept, 1-9 toggle a code, s skip,
    u undo, b back, d definitions, q quit. Without a terminal, give keys with --script/--keys.

    In a project with several questions, --question KEY reviews one of them (its
    column, with its model's suggestions).

    Examples:
      survey-coder review coded.xlsx --question tjenester --annotator kari
      survey-coder review examples/kommuneundersokelsen_2020.csv --text-column svar --annotator kari
      survey-coder review survey.csv --text-column svar --split-work --double 40 --annotator kari
    """
    stream = keys_from_args(args)
    check_terminal("review", stream)
    check_target(args.target_precision)
    check_double(args, args.riskiest)
    question = chosen_question(args)  # --question KEY: its column, and its model unless --model
    table, items = read_answers(args, question)
    if question is not None and args.model is None:
        loaded, frame = question_model(question, args.trust_model)
    else:  # a given frame: its names and keys are shown
        loaded, frame = load_model_arg(args, args.codeframe or (question.codeframe if question is not None else None))
    coder = loaded.coder
    shortcuts = check_shortcuts(frame)  # a clash is an error before anything is shown
    suggestions = suggest(coder, items, args.target_precision)
    strategy = STRATEGIES[args.strategy]()
    queue = review_order(items, suggestions, strategy, frame.multi_label, include_all=args.all,
                         diversify=None if args.no_diversity else Diversify())
    if not queue and args.double is None:
        console.print(tr("No answer in {path} needs review at {target:.0%} precision. "
                         "Use --all to go through every answer.").format(path=table.path, target=args.target_precision))
        return 0
    with open_store(args, create=True) as store:
        session, notes = start(args, store, queue, items, frame, table, coder=coder, suggestions=suggestions,
                               version=model_version(loaded))
        run_session(session, stream, single_keys(args, stream, shortcuts), store.path, message=notes)
    return 0


def fit_mode(stream) -> str:
    """Where `label` trains its model: $SURVEY_CODER_FIT, else in a child process on a terminal
    and at once with scripted keys (the same keys then give the same screens)."""
    value = os.environ.get("SURVEY_CODER_FIT", "").strip().lower()
    if value and value not in FIT_MODES:
        raise UserError(Errors.BAD_FIT_MODE.format(value=value, modes=", ".join(FIT_MODES)))
    return value or ("wait" if stream is not None else "process")


def run_label(args) -> int:
    """Code answers of a new question from scratch, one at a time, with the same screen as review.

    Codes are suggested from the start: from the code frame's examples, then, once every
    code has 10 coded answers, from a model trained on them in the background (again
    after every 25 more), which also puts the answers it is least sure of first. The
    screen says which suggests. --no-suggestions shows none (blind coding, such as a
    verify sample). Goes through the answers in file order until the model takes over,
    or shuffled with --shuffle (the same --seed gives the same order). Decisions go to
    the annotation store and `train` learns from them; a rerun shows only the answers
    not yet coded (in any file). --split-work and --double N work as in `review`.

    Example:
      survey-coder label new_question.csv --text-column svar --codeframe labels/new_question.toml --annotator kari
    """
    stream = keys_from_args(args)
    check_terminal("label", stream)
    check_double(args)
    mode = None if args.no_suggestions else fit_mode(stream)
    frame = load_codeframe(args.codeframe or default_frame_path())
    shortcuts = check_shortcuts(frame)
    table, items = read_answers(args)
    strategy = Shuffled(args.seed) if args.shuffle else FileOrder()
    queue = [items[i] for i in rank(items, strategy)]
    options = {} if mode is None else {"session_class": ColdStartSession, "fit_mode": mode}
    with open_store(args, create=True) as store:
        session, notes = start(args, store, queue, items, frame, table, **options)
        run_session(session, stream, single_keys(args, stream, shortcuts), store.path, message=notes)
    return 0


def _common(p) -> None:
    p.add_argument("input", metavar="INPUT", help="survey file: .csv, .xlsx or .sav (or a `predict` output)")
    p.add_argument("--text-column", metavar="COL", help="column with the answers (default: the column with the longest texts)")
    p.add_argument("--id-column", metavar="COL", help="respondent id column, kept with each decision")
    p.add_argument("--annotator", metavar="NAME", help="who is coding (default: $SURVEY_CODER_ANNOTATOR or login name)")
    p.add_argument("--limit", type=int, metavar="N", help="stop after N answers not yet decided")
    add_store_option(p)
    p.add_argument("--split-work", action="store_true",
                   help="share one queue with other coordinators: each answer goes to one of them (reserved while "
                        "on screen), and answers anyone decided are left out")
    p.add_argument("--double", type=int, metavar="N",
                   help="plan a double-coding sample of N answers of this file (once; later runs keep it): two "
                        "coordinators code them blind, for 'agreement' and 'adjudicate'")
    p.add_argument("--seed", type=int, default=0, help="seed for the --double sample (and label's --shuffle); default 0")
    p.add_argument("--line-mode", action="store_true", help="type each key and Enter, even where single keys work")
    add_sheet_option(p)
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--script", metavar="FILE", help="read keys from FILE ('-': standard input), one line per key press (empty line = Enter)")
    keys.add_argument("--keys", metavar="KEYS", help="keys separated by spaces or commas, 'enter' for Enter: \"2 enter s q\"")


def register(sub) -> None:
    p = add_command(sub, "review", run)
    _common(p)
    add_question_option(p, "review")
    add_model_options(p)
    add_target_option(p)
    p.add_argument("--codeframe", metavar="FILE", help="the model's code frame with your shortcuts and definitions")
    p.add_argument("--strategy", choices=sorted(STRATEGIES), default="least-confidence",
                   help="order of the answers that need review (default: least-confidence)")
    p.add_argument("--all", action="store_true", help="after the answers that need review, show the rest")
    p.add_argument("--no-diversity", action="store_true", help="do not spread near-identical answers apart")
    p.add_argument("--riskiest", action="store_true",
                   help="with --double: the N answers the model is least sure of, instead of a random draw")
    p = add_command(sub, "label", run_label)
    _common(p)
    p.add_argument("--codeframe", metavar="FILE", help="code frame .toml/.json (default: labels/imdi_kvalifisering.toml)")
    p.add_argument("--shuffle", action="store_true", help="random order instead of file order")
    p.add_argument("--no-suggestions", action="store_true",
                   help="suggest no codes (blind coding, such as a verify sample): no keywords, no model")
