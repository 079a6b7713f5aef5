"""`review` and `label`: code answers one by one at the keyboard, every decision kept.

The screen shows the answer (with the words that pushed each suggested code up
highlighted), the code frame with one key per code and the model's probabilities, and a
progress line. Keys are read a line at a time with rich's Prompt; --script FILE or
--keys "..." feed them from a file or the command line instead of a terminal.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import NamedTuple

from rich.console import Console, Group
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from ..codeframe import load_codeframe
from ..coding import check_target
from ..errors import Errors, UserError
from ..paths import default_frame_path
from ..queue import STRATEGIES, Diversify, FileOrder, Shuffled, group_answers, rank
from ..review import ReviewSession, review_order, suggest
from ..store import default_annotator
from ..tables import pick_column, read_table
from ._models import model_version
from ._questions import add_question_option, chosen_question, question_model
from ._store import add_store_option, open_store
from ._util import (
    add_command,
    add_model_options,
    add_sheet_option,
    add_target_option,
    console,
    load_model_arg,
)

PALETTE = ("yellow", "cyan", "magenta", "green", "bright_blue", "red", "bright_yellow", "bright_cyan")


# -- the keys -------------------------------------------------------------------------------------
class Key(NamedTuple):
    """One row of the key table, which drives parsing (`handle`), the help screen and the footer."""

    key: str | None  # what is typed, in any case ("": Enter, an empty line); a code frame may not use it
    words: tuple[str, ...]  # other ways to type it
    action: str  # a ReviewSession method (accept, skip, undo, back), or toggle, definition, quit, help
    label: str  # its word in the footer
    help: str = ""  # its line on the help screen ("": none)


CODE_KEYS = None  # the code-keys row: its keys are the code frame's shortcuts
KEYS = (
    Key("", ("enter", "⏎", "<enter>"), "accept", "accept", "accept the codes as shown (✓), go to the next answer"),
    Key(CODE_KEYS, (), "toggle", "toggle code", "switch a code on or off (several at once: '2 3' or '23')"),
    Key("s", ("skip",), "skip", "skip", "skip: leave it uncoded (not asked again)"),
    Key("u", ("undo",), "undo", "undo", "undo your last decision on this file (also one from an earlier session)"),
    Key("b", ("back",), "back", "back", "back to the previous answer (a new decision on it wins)"),
    Key("d", ("def", "definition"), "definition", "definitions", "definitions of all codes, or one code in full"),
    Key("q", ("quit",), "quit", "quit", "quit (every decision is already saved; run again to resume)"),
    Key("?", ("help",), "help", "help"),
)
ENTER = KEYS[0]
DEFINE = next(k for k in KEYS if k.action == "definition")
FOOTER_CODE_KEYS = 9  # code keys named in the footer
_TYPED = {t.lower(): k for k in KEYS if k.key is not CODE_KEYS for t in (k.key, *k.words)}


def key_name(key: Key, shortcuts: dict[str, str], footer: bool = False) -> str:
    """How the help screen (or the shorter footer) names a key."""
    if key.key is CODE_KEYS:
        return "/".join(list(shortcuts)[:FOOTER_CODE_KEYS] if footer else shortcuts)
    if key is DEFINE and not footer:  # also typed with a code's key after it
        return f"{key.key}, {key.key}<key>"
    return key.key or "Enter"


def parse(line: str, shortcuts: dict[str, str]) -> tuple[str, object]:
    """One line of keys -> (action, what it acts on): codes to toggle, a code to define, or the line."""
    k = line.strip()
    key = _TYPED.get(k.lower())
    if key is ENTER:
        return key.action, None
    if k in shortcuts:  # a code's own key wins over a command word
        return "toggle", [shortcuts[k]]
    if key is not None:
        return key.action, None
    if k[:1].lower() == DEFINE.key and k[1:].strip() in shortcuts:
        return "definition", shortcuts[k[1:].strip()]
    tokens = k.split() if " " in k else list(k)
    if tokens and all(t in shortcuts for t in tokens):
        return "toggle", [shortcuts[t] for t in tokens]
    return "unknown", k


# -- where keys come from ---------------------------------------------------------------------
class KeyStream:
    """Keys for Prompt.ask(stream=...), one line per key press, read as they are needed.

    At the end it raises EOFError, as input() does, so running out of keys quits.
    """

    def __init__(self, source):
        self.source = source  # any object with readline()

    def readline(self) -> str:
        line = self.source.readline()
        if line == "":
            raise EOFError
        return line


def keys_from_args(args) -> KeyStream | None:
    """The scripted keys from --script FILE ('-': standard input) or --keys, or None for a terminal."""
    if getattr(args, "script", None):
        if args.script == "-":
            if hasattr(sys.stdin, "reconfigure"):
                sys.stdin.reconfigure(encoding="utf-8")
            return KeyStream(sys.stdin)
        p = Path(args.script)
        if not p.is_file():
            raise UserError(Errors.FILE_NOT_FOUND.format(path=p))
        return KeyStream(io.StringIO(p.read_text(encoding="utf-8-sig")))
    if getattr(args, "keys", None) is not None:
        tokens = args.keys.replace(",", " ").split()
        return KeyStream(io.StringIO("".join(("" if t.lower() in ENTER.words else t) + "\n" for t in tokens)))
    return None


def check_terminal(command: str, stream) -> None:
    """Without a terminal and without scripted keys, refuse at once instead of hanging."""
    if stream is None and not sys.stdin.isatty():
        raise UserError(Errors.NO_TERMINAL.format(command=command))


def check_shortcuts(frame) -> dict[str, str]:
    """The frame's shortcuts; one that is also a command's key is an error."""
    shortcuts = frame.shortcuts()
    taken = {k.key.lower(): k.action for k in KEYS if k.key is not CODE_KEYS}
    for key, code in shortcuts.items():
        if key.lower() in taken:
            raise UserError(Errors.SHORTCUT_CLASH.format(code=code, key=key, command=taken[key.lower()]))
    return shortcuts


# -- the screen ---------------------------------------------------------------------------------
def highlighted(text: str, spans: dict[str, list[tuple[int, int, float]]], colors: dict[str, str]) -> Text:
    """The answer with each word styled in the colour of the code it pushed up most."""
    out = Text(text, style="bold")
    best: dict[tuple[int, int], tuple[float, str]] = {}
    for code, words in spans.items():
        top = words[0][2] if words else 0
        for start, end, w in words[:6]:
            if end - start >= 3 and w >= 0.15 * top and w > best.get((start, end), (0.0, ""))[0]:
                best[(start, end)] = (w, code)
    for (start, end), (_, code) in best.items():
        out.stylize(f"bold black on {colors[code]}", start, end)
    return out


def render(session: ReviewSession, screen, shortcuts: dict[str, str], message=None, width: int = 100) -> Group:
    """The whole screen for one answer, as one renderable (`width`: the console's)."""
    frame = session.frame
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(frame.keys)}
    item = screen.item
    spans = session.explain(item)
    prog = session.progress()
    title = f"Answer {prog.done + 1} of {prog.total}"
    if item.n_rows > 1:
        title += f" · stands for [bold]{item.n_rows}[/] rows"
    if screen.confidence is not None:
        title += f" · model confidence {screen.confidence:.2f}"
    if screen.previous is not None:
        title += f" · [yellow]already {screen.previous.action}ed[/]" if screen.previous.action != "skip" \
            else " · [yellow]skipped before[/]"
    answer = Panel(highlighted(item.text, spans, colors), title=title, title_align="left",
                   padding=(1, 2), border_style="bright_white")
    wide = width >= 100  # code names only where they fit beside the rest
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("key", justify="right", style="bold", no_wrap=True)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("code", no_wrap=True, min_width=max(len(k) for k in frame.keys))
    if wide:
        table.add_column("name", style="dim", no_wrap=True, overflow="ellipsis", max_width=34)
    if screen.proba:
        table.add_column("p", justify="right", no_wrap=True)
        table.add_column("pushed up by", overflow="fold")
    by_code = {c: k for k, c in shortcuts.items()}
    for code in frame.keys:
        on = code in screen.selected
        suggested = code in screen.suggested
        row = [by_code[code], "[bold green]✓[/]" if on else "·",
               Text(code, style=f"bold {colors[code]}" if suggested else ("bold" if on else ""))]
        if wide:
            row.append(frame.code(code).name)
        if screen.proba:
            p = screen.proba.get(code, 0.0)
            words = ", ".join(list(dict.fromkeys(
                item.text[a:b].lower() for a, b, _ in spans.get(code, []) if b - a >= 3))[:3])
            row += [Text(f"{p:.2f}", style="bold" if suggested else "dim"), Text(words, style=colors[code])]
        table.add_row(*row)
    keys = Text.from_markup(" · ".join(f"[bold]{key_name(k, shortcuts, footer=True)}[/] {k.label}" for k in KEYS))
    undone = f" ({prog.undos} undone)" if prog.undos else ""
    progress = Text.from_markup(
        f"[bold]{prog.done}[/] done · [bold]{prog.remaining}[/] left in the queue · "
        f"[bold]{prog.decisions}[/] decisions this session{undone}")
    parts = [answer, table, keys, progress]
    if message is not None:
        parts.append(message if not isinstance(message, str) else Text(message, style="yellow"))
    return Group(*parts)


def definitions(frame, shortcuts: dict[str, str], only: str | None = None) -> Table:
    """The code frame's definitions: one code in full, or every code in short."""
    by_code = {c: k for k, c in shortcuts.items()}
    table = Table(title="Code definitions", title_justify="left", show_lines=only is not None)
    table.add_column("key", justify="right")
    table.add_column("code")
    table.add_column("definition")
    for code in frame.keys:
        if only and code != only:
            continue
        c = frame.code(code)
        text = f"[bold]{c.name}[/]\n{c.definition}" if c.name else c.definition
        if only:
            if c.includes:
                text += "\n[green]Includes:[/] " + "; ".join(c.includes)
            if c.excludes:
                text += "\n[red]Excludes:[/] " + "; ".join(c.excludes)
            if c.examples:
                text += "\n[dim]Examples:[/] " + ", ".join(c.examples)
        table.add_row(by_code[code], code, text)
    return table


def help_text(shortcuts: dict[str, str]) -> Text:
    lines = [f"{key_name(k, shortcuts):<11}  {k.help}" for k in KEYS if k.help]
    return Text("\n".join(lines), style="cyan")


# -- the loop -------------------------------------------------------------------------------------
def handle(session: ReviewSession, line: str, shortcuts: dict[str, str]):
    """Apply one line of keys; returns (message or None, quit?)."""
    action, arg = parse(line, shortcuts)
    if action == "quit":
        return None, True
    if action == "help":
        return help_text(shortcuts), False
    if action == "definition":
        return definitions(session.frame, shortcuts, arg), False
    if action == "unknown":
        return Errors.REVIEW_UNKNOWN_KEY.format(key=arg), False
    if action == "toggle":
        outs = [session.toggle(code) for code in arg]
        return (outs[0].message or None) if len(outs) == 1 else None, False
    out = getattr(session, action)()  # accept, skip, undo, back
    return (out.message or None), False


def drive(session: ReviewSession, out: Console, stream=None, clear: bool = False, on_render=None):
    """Show answers and apply keys until the queue is done, the keys run out, or q."""
    shortcuts = session.frame.shortcuts()
    if stream is not None and not isinstance(stream, KeyStream):
        stream = KeyStream(stream)  # a plain io.StringIO returns "" at its end: that must quit, not accept
    message = None
    while True:
        screen = session.current()
        if screen is None:
            out.print("[bold green]The queue is done.[/] Every answer in it has a decision.")
            break
        if clear:
            out.clear()
        out.print(render(session, screen, shortcuts, message, out.width))
        if on_render is not None:
            on_render()
        try:
            line = Prompt.ask("[bold]Key[/]", console=out, stream=stream)
        except EOFError:
            out.print()
            break
        if stream is not None:
            out.print(line if line.strip() else "⏎")  # the transcript shows what was pressed
        message, stop = handle(session, line, shortcuts)
        if stop:
            break
    return session.quit()


def summary(session: ReviewSession, store_path: Path) -> None:
    p = session.progress()
    undone = f", {p.undos} undone" if p.undos else ""
    console.print(
        f"Saved [bold]{p.decisions}[/] decisions this session{undone} in [bold]{store_path}[/] "
        f"({p.done} done, {p.remaining} left in this queue; run the same command again to resume)."
    )


# -- commands -------------------------------------------------------------------------------------
def read_answers(args, question=None):
    table = read_table(args.input, sheet=args.sheet, header_row=args.header_row)
    text_col = pick_column(table, question.column if question is not None else args.text_column, "text-column")
    ids = table.frame[pick_column(table, args.id_column, "id-column")].tolist() if args.id_column else None
    if args.text_column is None and question is None:
        console.print(f"Text column: [bold]{text_col}[/] (guessed; use --text-column to choose)")
    items = group_answers(table.frame[text_col].tolist(), ids)
    if not items:
        raise UserError(Errors.NOTHING_TO_REVIEW.format(path=table.path, reason=f"column '{text_col}' has no answers"))
    return table, items


def run(args) -> int:
    """Review the answers the model is least sure of, one at a time, and correct them.

    Takes a survey file (or one already coded by `predict`). Answers that need review
    come first, least confident first, with near-identical answers spread out; --all
    adds the rest after them. Answers that are the same after normalisation are shown
    once and one decision codes every row. Every decision is saved at once in the
    annotation store (training_data/annotations.sqlite), which `train` uses; a rerun
    resumes where you left off. Keys: Enter accept, 1-9 toggle a code, s skip, u undo,
    b back, d definitions, q quit. Without a terminal, give keys with --script/--keys.

    In a project with several questions, --question KEY reviews one of them (its
    column, with its model's suggestions).

    Examples:
      survey-coder review coded.xlsx --question tjenester --annotator kari
      survey-coder review examples/kommuneundersokelsen_2020.csv --text-column svar --annotator kari
    """
    stream = keys_from_args(args)
    check_terminal("review", stream)
    check_target(args.target_precision)
    question = chosen_question(args)  # --question KEY: its column, and its model unless --model
    table, items = read_answers(args, question)
    if question is not None and args.model is None:
        loaded, frame = question_model(question, args.trust_model)
    else:  # a given frame: its names and keys are shown
        loaded, frame = load_model_arg(args, args.codeframe or (question.codeframe if question is not None else None))
    coder = loaded.coder
    check_shortcuts(frame)  # a clash is an error before anything is shown
    suggestions = suggest(coder, items, args.target_precision)
    strategy = STRATEGIES[args.strategy]()
    queue = review_order(items, suggestions, strategy, frame.multi_label, include_all=args.all,
                         diversify=None if args.no_diversity else Diversify())
    if not queue:
        console.print(f"No answer in {table.path} needs review at {args.target_precision:.0%} precision. "
                      "Use --all to go through every answer.")
        return 0
    with open_store(args, create=True) as store:
        session = ReviewSession(
            store, queue, frame, coder, source=table.path.name, annotator=args.annotator or default_annotator(),
            suggestions=suggestions, model_version=model_version(loaded),
            all_items=items, limit=args.limit, others_count=args.split_work,
        )
        drive(session, console, stream, clear=stream is None and console.is_terminal)
        summary(session, store.path)
    return 0


def run_label(args) -> int:
    """Code answers from scratch (no model yet), one at a time, with the same screen as review.

    Goes through the answers in file order, or shuffled with --shuffle (the same --seed
    gives the same order, so a restart resumes). Decisions go to the annotation store
    and `train` learns from them; a rerun shows only the answers not yet coded.

    Example:
      survey-coder label examples/kommuneundersokelsen_2020.csv --text-column svar --shuffle --annotator kari
    """
    stream = keys_from_args(args)
    check_terminal("label", stream)
    frame = load_codeframe(args.codeframe or default_frame_path())
    check_shortcuts(frame)
    table, items = read_answers(args)
    strategy = Shuffled(args.seed) if args.shuffle else FileOrder()
    queue = [items[i] for i in rank(items, strategy)]
    with open_store(args, create=True) as store:
        session = ReviewSession(store, queue, frame, None, source=table.path.name,
                                annotator=args.annotator or default_annotator(), all_items=items,
                                limit=args.limit, others_count=args.split_work)
        drive(session, console, stream, clear=stream is None and console.is_terminal)
        summary(session, store.path)
    return 0


def _common(p) -> None:
    p.add_argument("input", metavar="INPUT", help="survey file: .csv, .xlsx or .sav (or a `predict` output)")
    p.add_argument("--text-column", metavar="COL", help="column with the answers (default: the column with the longest texts)")
    p.add_argument("--id-column", metavar="COL", help="respondent id column, kept with each decision")
    p.add_argument("--annotator", metavar="NAME", help="who is coding (default: $SURVEY_CODER_ANNOTATOR or login name)")
    p.add_argument("--limit", type=int, metavar="N", help="stop after N answers not yet decided")
    add_store_option(p)
    p.add_argument("--split-work", action="store_true",
                   help="also leave out answers other annotators decided (share the work instead of double-coding)")
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
    p = add_command(sub, "label", run_label)
    _common(p)
    p.add_argument("--codeframe", metavar="FILE", help="code frame .toml/.json (default: labels/imdi_kvalifisering.toml)")
    p.add_argument("--shuffle", action="store_true", help="random order instead of file order")
    p.add_argument("--seed", type=int, default=0, help="seed for --shuffle (default 0)")

