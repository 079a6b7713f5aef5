"""The review screen (`review`, `label`, `adjudicate`): drawing it and the loop that runs it.

Top to bottom: the answer in a panel (the words that pushed each suggested code up
highlighted), the definitions when asked for (a compact panel), the codes with their keys
(the model's probabilities, or each coder's codes when adjudicating), a message, the keys
and the progress. On a terminal the screen is fitted to its height so that the answer's
first lines always show: an answer taller than its room scrolls inside its panel ('>' and
'<'), and the definitions and messages are cut before the answer is.
"""

from __future__ import annotations

import io
import signal
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.prompt import Prompt
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ..errors import Errors, Notes
from ..i18n import N_, NC_, decimal, integer, pgettext, tr
from ..review import ReviewSession
from ._keys import KEYS, KeyStream, key_name, parse
from ._util import console

PALETTE = ("yellow", "cyan", "magenta", "green", "bright_blue", "red", "bright_yellow", "bright_cyan")
DONE = {"accept": N_("already accepted"), "correct": N_("already corrected"), "skip": N_("skipped before"),
        "adjudicate": N_("already adjudicated")}
ANSWER, DECISIONS = N_("Answer"), N_("decisions")  # what the screen shows and what a session saves
KEY = NC_("prompt", "Key")  # the prompt (the report's "Key" is a code's key)
MIN_ANSWER_LINES = 3  # the answer's lines that always show, however full the screen


@dataclass
class View:
    """What the screen shows besides the session's state: panels, scrolling, a pending 'd'."""

    definitions: bool = False  # the definitions panel is open
    full: str | None = None  # the code whose definition is shown in full
    scroll: int = 0  # the answer's first line shown
    key: str | None = None  # the answer `scroll` belongs to
    armed: bool = False  # single-key mode: 'd' was pressed; a code's key now shows its definition
    page: int = 3  # the answer's lines on screen: '>' moves on by one page less a line
    single: bool = False  # keys come one at a time (no Enter)


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


class _Lines:
    """Lines already rendered, drawn as they are (a renderable cut to a height)."""

    def __init__(self, lines):
        self.lines = lines

    def __rich_console__(self, console, options):
        for line in self.lines:
            yield from line
            yield Segment.line()


def _crop(measure: Console, renderable, width: int, height: int):
    lines = measure.render_lines(renderable, measure.options.update(width=width), pad=False)
    return _Lines(lines[: max(0, height)]), min(len(lines), max(0, height))


def _height(measure: Console, renderable, width: int) -> int:
    return len(measure.render_lines(renderable, measure.options.update(width=width), pad=False))


def code_table(session: ReviewSession, screen, shortcuts: dict[str, str], width: int, colors, spans) -> Table:
    """One row per code: key, tick, code, (name), then the model's p and words, or each coder's codes."""
    frame = session.frame
    item = screen.item
    wide = width >= 100  # code names only where they fit beside the rest
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column(tr("key"), justify="right", style="bold", no_wrap=True)
    table.add_column("", width=1, no_wrap=True)
    table.add_column(tr("code"), no_wrap=True, min_width=max(len(k) for k in frame.keys))
    if wide or screen.codings:
        table.add_column(tr("name"), style="dim", no_wrap=True, overflow="ellipsis", max_width=34 if wide else 12)
    for who in screen.codings:
        table.add_column(who, justify="center", no_wrap=True, overflow="ellipsis", max_width=12)
    words_column = width >= 70  # the words are highlighted in the answer anyway
    if screen.proba:
        table.add_column("p", justify="right", no_wrap=True)
        if words_column:
            table.add_column(tr("pushed up by"), overflow="fold")
    by_code = {c: k for k, c in shortcuts.items()}
    for code in frame.keys:
        on = code in screen.selected
        suggested = code in screen.suggested
        row = [by_code[code], "[bold green]✓[/]" if on else "·",
               Text(code, style=f"bold {colors[code]}" if suggested else ("bold" if on else ""))]
        if wide or screen.codings:
            row.append(frame.code(code).name)
        row += ["[bold]✓[/]" if code in labels else "[dim]·[/]" for labels in screen.codings.values()]
        if screen.proba:
            p = screen.proba.get(code, 0.0)
            words = ", ".join(list(dict.fromkeys(
                item.text[a:b].lower() for a, b, _ in spans.get(code, []) if b - a >= 3))[:3])
            row.append(Text(decimal(p, 2), style="bold" if suggested else "dim"))
            if words_column:
                row.append(Text(words, style=colors[code]))
        table.add_row(*row)
    return table


def definitions(frame, shortcuts: dict[str, str], only: str | None = None, height: int | None = None) -> Panel:
    """The definitions panel: every code in one line each, or one code in full (cut to `height` lines)."""
    by_code = {c: k for k, c in shortcuts.items()}
    if only:  # the whole width for one code's text
        c = frame.code(only)
        body = Text(f"{by_code[only]}  {only}", style="bold")
        if c.name:
            body.append("\n" + c.name, style="bold")
        for label, style, values, sep in (("", "", [c.definition], ""), (tr("Includes: "), "green", c.includes, "; "),
                                          (tr("Excludes: "), "red", c.excludes, "; "),
                                          (tr("Examples: "), "dim", c.examples, ", ")):
            if values and any(values):
                body.append("\n" + label, style=style)
                body.append(sep.join(values))
    else:
        body = Table(box=None, padding=(0, 1), show_header=False, show_edge=False, expand=True)
        body.add_column("key", justify="right", style="bold", no_wrap=True)
        body.add_column("code", no_wrap=True, min_width=max(len(k) for k in frame.keys))
        body.add_column("definition", no_wrap=True, overflow="ellipsis", ratio=1)
        for code in frame.keys:
            c = frame.code(code)
            body.add_row(by_code[code], code, f"[bold]{c.name}[/]: {c.definition}" if c.name else c.definition)
    return Panel(body, title=tr("Code definitions"), title_align="left", subtitle=tr(DEFINE_HINT),
                 subtitle_align="right", border_style="blue", padding=(0, 1), height=height)


DEFINE_HINT = N_("d+key: one in full · d: close")


def help_text(shortcuts: dict[str, str], overrides: dict[str, str] | None = None) -> Text:
    lines = [f"{key_name(k, shortcuts):<11}  {tr((overrides or {}).get(k.action, k.help))}" for k in KEYS if k.help]
    return Text("\n".join(lines), style="cyan")


def render(session: ReviewSession, screen, shortcuts: dict[str, str], message=None, width: int = 100,
           height: int | None = None, view: View | None = None, noun: str = ANSWER) -> Group:
    """The whole screen for one answer, as one renderable `width` wide; with `height`, fitted
    to that many lines (one left for the prompt) with the answer's start always in sight."""
    view = view or View()
    frame = session.frame
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(frame.keys)}
    item = screen.item
    spans = session.explain(item)
    prog = session.progress()
    title = tr("{noun} {number} of {total}").format(noun=tr(noun), number=screen.number, total=integer(prog.total))
    if item.n_rows > 1:
        title += " · " + tr("stands for [bold]{n}[/] rows").format(n=integer(item.n_rows))
    if screen.confidence is not None:
        title += " · " + tr("model confidence {confidence}").format(confidence=decimal(screen.confidence, 2))
    if screen.blind:
        title += " · [magenta]" + tr("double coding: blind") + "[/]"
    if screen.codings:
        title += " · " + tr("coded by {coders}").format(coders=", ".join(screen.codings))
    if screen.previous is not None:
        title += f" · [yellow]{tr(DONE.get(screen.previous.action, screen.previous.action))}[/]"
    table = code_table(session, screen, shortcuts, width, colors, spans)
    keys = Text.from_markup(" · ".join(f"[bold]{key_name(k, shortcuts, footer=True)}[/] {tr(k.label)}"
                                       for k in KEYS if k.label))
    undone = tr(" ({n} undone)").format(n=integer(prog.undos)) if prog.undos else ""
    held = tr(" ({n} on other coordinators' screens)").format(n=integer(prog.held_by_others)) if prog.held_by_others else ""
    progress = Text.from_markup(
        tr("[bold]{done}[/] done · [bold]{remaining}[/] left in the queue{held} · "
           "[bold]{decisions}[/] decisions this session{undone}").format(
            done=integer(prog.done), remaining=integer(prog.remaining), held=held, decisions=integer(prog.decisions),
            undone=undone))
    if message is None:
        message = why_here(session, screen)
    if session.status:  # which suggester is in use (cold start)
        progress.append(f"\n{session.status}", style="cyan")
    if view.armed:
        message = Text(Errors.REVIEW_DEFINE_ARMED, style="cyan")
    elif isinstance(message, str):
        message = Text(message, style="yellow")
    defs = definitions(frame, shortcuts, view.full) if view.definitions else None
    answer_text = highlighted(item.text, spans, colors)
    if height is None:  # a transcript (scripts, tests): everything, nothing cut
        answer = Panel(answer_text, title=title, title_align="left", padding=(1, 2), border_style="bright_white")
        parts = [answer, defs, table, keys, progress, message]
        return Group(*[p for p in parts if p is not None])

    measure = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None)
    table, keys, progress = (_crop(measure, r, width, height)[0] for r in (table, keys, progress))  # drawn once
    room = height - 1 - sum(len(r.lines) for r in (table, keys, progress))  # 1: the prompt
    compact = answer_text.wrap(measure, max(10, width - 4))  # padding (0, 1)
    least = 2 + min(len(compact), MIN_ANSWER_LINES)  # the answer's first lines come before all else
    if defs is not None:
        h = min(_height(measure, defs, width), room - least)
        defs = definitions(frame, shortcuts, view.full, height=h) if h >= 3 else None
        room -= h if defs is not None else 0
    if message is not None:
        message, used = _crop(measure, message, width, room - least)
        room -= used
    roomy = answer_text.wrap(measure, max(10, width - 6))  # padding (1, 2), when it fits whole
    pad, lines = ((1, 2), roomy) if room >= len(roomy) + 4 else ((0, 1), compact)
    chrome = 2 + 2 * pad[0]
    shown = max(min(len(lines), MIN_ANSWER_LINES), min(len(lines), room - chrome))
    view.scroll = max(0, min(view.scroll, len(lines) - shown))
    view.page = shown
    visible = lines[view.scroll: view.scroll + shown]
    subtitle = None
    if shown < len(lines):
        more = " · " + tr("> more") if view.scroll + shown < len(lines) else ""
        back = " · " + tr("< back") if view.scroll else ""
        subtitle = tr("lines {first}–{last} of {n}").format(first=view.scroll + 1, last=view.scroll + len(visible),
                                                            n=len(lines)) + more + back
    answer = Panel(Text("\n").join(visible), title=title, title_align="left", subtitle=subtitle,
                   subtitle_align="right", padding=pad, border_style="bright_white")
    parts = [answer, defs, table, message, keys, progress]
    return Group(*[p for p in parts if p is not None])


def why_here(session: ReviewSession, screen) -> Text | None:
    """Why the model sent this answer to review, and, when a suggested code disagrees with
    p >= 0.5 (only the fallback rule does that), why in a few words."""
    reason = session.suggestions.reason(screen.item.key) if session.suggestions is not None else ""
    if not reason or not screen.proba:
        return None
    lines = [Notes.WHY_REVIEW.format(reason=tr(reason))]
    fb, p = session.frame.fallback, screen.proba
    others = {k: v for k, v in p.items() if k != fb}
    if fb is not None and others:
        best = max(others, key=others.get)
        if fb in screen.suggested and p[fb] < 0.5:
            lines.append(Notes.FALLBACK_BELOW_HALF.format(code=fb, p=decimal(p[fb], 2)))
        elif fb not in screen.suggested and p[fb] >= 0.5:
            lines.append(Notes.FALLBACK_BESIDE.format(code=fb, p=decimal(p[fb], 2), other=best, q=decimal(others[best], 2)))
        for code in (k for k, v in others.items() if v >= 0.5 and k not in screen.suggested):
            lines.append(Notes.FALLBACK_WINS.format(code=code, p=decimal(p[code], 2), fallback=fb, q=decimal(p[fb], 2)))
    return Text("\n".join(lines), style="dim")


# -- the loop -------------------------------------------------------------------------------------
def handle(session: ReviewSession, line: str, shortcuts: dict[str, str], view: View | None = None,
           help_overrides: dict[str, str] | None = None):
    """Apply one key (or line of keys); returns (message or None, quit?)."""
    view = view or View()
    session.touch()
    action, arg = parse(line, shortcuts)
    if view.armed:  # single-key mode: 'd' then a code's key
        view.armed = False
        if action == "toggle" and len(arg) == 1:
            action, arg = "definition", arg[0]
    if action == "quit":
        return None, True
    if action == "help":
        return help_text(shortcuts, help_overrides), False
    if action == "definition":
        if arg is not None:
            view.definitions, view.full = True, arg
        else:
            view.definitions, view.full = not view.definitions, None
            view.armed = view.single and view.definitions
        return None, False
    if action in ("scroll_down", "scroll_up"):
        step = max(1, view.page - 1)
        view.scroll = max(0, view.scroll + (step if action == "scroll_down" else -step))
        return None, False
    if action == "unknown":
        return (None if line == "esc" else Errors.REVIEW_UNKNOWN_KEY.format(key=arg)), False
    if action == "toggle":
        outs = [session.toggle(code) for code in arg]
        return (outs[0].message or None) if len(outs) == 1 else None, False
    out = getattr(session, action)()  # accept, skip, undo, back
    return (out.message or None), False


def drive(session: ReviewSession, out: Console, stream=None, clear: bool = False, on_render=None, *,
          single=None, fit: bool = False, message=None, noun: str = ANSWER, help_overrides=None,
          done_text: str | None = None):
    """Show answers and apply keys until the queue is done, the keys run out, or q.

    `stream`: scripted keys (one line each); `single`: a SingleKeys reader (one key press
    each, no Enter); neither: a line at a time from the terminal. `fit`: fit each screen to
    the console's height. `message`: shown on the first screen.
    """
    shortcuts = session.frame.shortcuts()
    if stream is not None and not isinstance(stream, KeyStream):
        stream = KeyStream(stream)  # a plain io.StringIO returns "" at its end: that must quit, not accept
    view = View(single=single is not None)
    first = True
    while True:
        screen = session.current()
        if screen is None:
            if message is not None and first:  # nothing to ask at all: still say why
                out.print(message if not isinstance(message, str) else Text(message, style="yellow"))
            out.print(Text(done_text or Errors.REVIEW_QUEUE_DONE, style="bold green"))
            if session.waiting:
                out.print(Errors.REVIEW_OTHERS_HAVE.format(n=len(session.waiting)))
            break
        if view.key != screen.item.key:
            view.key, view.scroll = screen.item.key, 0
        if clear:
            out.clear()
        out.print(render(session, screen, shortcuts, message, out.width, out.height if fit else None, view, noun))
        if on_render is not None:
            on_render()
        prompt = "[bold]" + escape(pgettext("prompt", KEY)) + "[/]"
        try:
            if single is not None:
                out.print(prompt + ": ", end="")
                line = single.read()
                out.print()
            else:
                line = Prompt.ask(prompt, console=out, stream=stream)
        except EOFError:
            out.print()
            break
        if stream is not None:
            out.print(line if line.strip() else "⏎")  # the transcript shows what was pressed
        message, stop = handle(session, line, shortcuts, view, help_overrides)
        first = False
        if stop:
            break
    return session.quit()


def summary(session: ReviewSession, store_path, what: str = DECISIONS) -> None:
    p = session.progress()
    undone = tr(", {n} undone").format(n=integer(p.undos)) if p.undos else ""
    console.print(tr(
        "Saved [bold]{n}[/] {what} this session{undone} in [bold]{path}[/] "
        "({done} done, {remaining} left in this queue; run the same command again to resume)."
    ).format(n=integer(p.decisions), what=tr(what), undone=undone, path=store_path, done=integer(p.done),
             remaining=integer(p.remaining)))


@contextmanager
def _signals_exit():
    """SIGTERM and SIGHUP (the terminal closed) end the session as an exit, not a kill, so the
    terminal's settings come back and the reserved answers are released."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                saved[sig] = signal.signal(sig, stop)
            except ValueError:  # not the main thread (tests)
                pass
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def run_session(session: ReviewSession, stream, single, store_path, *, message=None, noun: str = ANSWER,
                help_overrides=None, what: str = DECISIONS, done_text: str | None = None) -> None:
    """Drive a session from scripted keys (`stream`), single keys or lines, then say what was saved.
    Whatever ends it (q, the end of the keys, Ctrl-C, an error), its reserved answers are released."""
    interactive = stream is None and console.is_terminal
    try:
        with single if single is not None else nullcontext(), _signals_exit():
            drive(session, console, stream, clear=interactive, single=single, fit=interactive, message=message,
                  noun=noun, help_overrides=help_overrides, done_text=done_text)
    finally:
        session.quit()
    summary(session, store_path, what)
