"""`adjudicate`: settle the answers coders disagree on, one at a time, at the keyboard."""

from __future__ import annotations

from ..adjudication import AdjudicationSession
from ..errors import Errors, UserError
from ..frames import resolve_store_frame
from ..i18n import N_
from ..store import default_annotator
from ._keys import check_shortcuts, check_terminal, keys_from_args, single_keys
from ._screen import run_session
from ._store import add_store_option, open_store
from ._util import add_command, console

HELP = {
    "accept": N_("record the ticked codes as the final codes, go to the next"),
    "skip": N_("leave it for later (nothing recorded; asked again next time)"),
    "undo": N_("take back your last adjudication (also an earlier session's)"),
}


def run(args) -> int:
    """Settle the answers coders disagree on: each coder's codes side by side, you record the final codes.

    Goes through every answer whose coders' latest codings differ (see `agreement`) and
    that has no adjudication yet. The codes every coder chose are ticked to start with;
    toggle codes with their keys and press Enter to record the final codes. They are a
    decision of their own ('adjudicate'): `train` prefers them over any coder, and the
    coders' own decisions stay as they were for `agreement`. Done by a third person, or by
    the coders together. Keys as in review; s leaves an answer for later.

    Example:
      survey-coder adjudicate --annotator lise
    """
    stream = keys_from_args(args)
    check_terminal("adjudicate", stream)
    with open_store(args) as store:
        frame_hash, frame, _ = resolve_store_frame(store, args.codeframe or None)
        if frame.hash != frame_hash:  # decisions imported without their code frame
            raise UserError(Errors.ADJUDICATE_NEEDS_FRAME.format(path=store.path))
        shortcuts = check_shortcuts(frame)
        session = AdjudicationSession(store, frame, annotator=args.annotator or default_annotator(),
                                      limit=args.limit, include_settled=args.again)
        if not session.disagreements:
            console.print(Errors.NOTHING_TO_ADJUDICATE.format(path=store.path, frame=frame.name))
            return 0
        settled = len(session.decided)
        message = Errors.ADJUDICATE_START.format(n=len(session.disagreements), settled=settled) if settled else None
        run_session(session, stream, single_keys(args, stream, shortcuts), store.path, message=message,
                    noun=N_("Disagreement"), help_overrides=HELP, what=N_("adjudications"),
                    done_text=Errors.ADJUDICATE_DONE)
    return 0


def register(sub) -> None:
    p = add_command(sub, "adjudicate", run)
    add_store_option(p)
    p.add_argument("--codeframe", metavar="FILE", help="code frame (default: the one with the most decisions)")
    p.add_argument("--annotator", metavar="NAME", help="who adjudicates (default: $SURVEY_CODER_ANNOTATOR or login name)")
    p.add_argument("--limit", type=int, metavar="N", help="stop after N answers not yet adjudicated")
    p.add_argument("--again", action="store_true", help="also show answers already adjudicated (a new decision wins)")
    p.add_argument("--line-mode", action="store_true", help="type each key and Enter, even where single keys work")
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--script", metavar="FILE", help="read keys from FILE ('-': standard input), one line per key press")
    keys.add_argument("--keys", metavar="KEYS", help="keys separated by spaces or commas, 'enter' for Enter")
