"""The keys of the review screen (`review`, `label`, `adjudicate`) and where they come from.

One table, KEYS, drives parsing, the help screen, the footer and the check that a code
frame's shortcut does not take a command's key. Keys come one at a time from a terminal
(single-key mode: no Enter needed, POSIX termios), a line at a time from a terminal
without it (--line-mode, or no termios), or from --script FILE / --keys "..." for scripts
and tests. Without a terminal and without scripted keys the commands refuse at once.
"""

from __future__ import annotations

import io
import os
import select
import sys
from pathlib import Path
from typing import NamedTuple

from ..errors import Errors, UserError
from ..i18n import N_, tr

try:  # single-key mode needs POSIX terminal control; elsewhere keys are read a line at a time
    import termios
    import tty
except ImportError:  # pragma: no cover - Windows
    termios = tty = None


class Key(NamedTuple):
    """One row of the key table, which drives parsing (`handle`), the help screen and the footer."""

    key: str | None  # what is typed, in any case ("": Enter, an empty line); a code frame may not use it
    words: tuple[str, ...]  # other ways to type it
    action: str  # a ReviewSession method (accept, skip, undo, back), or toggle, definition, scroll_*, quit, help
    label: str  # its word in the footer ("": not in the footer), in English (shown with tr)
    help: str = ""  # its line on the help screen ("": none), in English (shown with tr)


CODE_KEYS = None  # the code-keys row: its keys are the code frame's shortcuts
KEYS = (
    Key("", ("enter", "⏎", "<enter>"), "accept", N_("accept"), N_("accept the codes as shown (✓), go to the next answer")),
    Key(CODE_KEYS, (), "toggle", N_("toggle code"), N_("switch a code on or off (line mode: several as '2 3' or '23')")),
    Key("s", ("skip",), "skip", N_("skip"), N_("skip: leave it uncoded (not asked again)")),
    Key("u", ("undo",), "undo", N_("undo"), N_("undo your last decision here (also one from an earlier session)")),
    Key("b", ("back",), "back", N_("back"), N_("back to the previous answer (a new decision on it wins)")),
    Key("d", ("def", "definition"), "definition", N_("definitions"),
        N_("definitions below the answer; d+key: that code in full; d: close")),
    Key(">", ("more", "down"), "scroll_down", "", N_("a long answer: show more of it (also ↓, Page Down)")),
    Key("<", ("up",), "scroll_up", "", N_("a long answer: back towards its start (also ↑, Page Up)")),
    Key("q", ("quit",), "quit", N_("quit"), N_("quit (every decision is already saved; run again to resume)")),
    Key("?", ("help",), "help", N_("help")),
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
        return tr("{key}, {key}<key>").format(key=key.key)
    return key.key or tr("Enter")


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


def check_shortcuts(frame) -> dict[str, str]:
    """The frame's shortcuts; one that is also a command's key is an error."""
    shortcuts = frame.shortcuts()
    taken = {k.key.lower(): k.action for k in KEYS if k.key is not CODE_KEYS}
    for key, code in shortcuts.items():
        if key.lower() in taken:
            raise UserError(Errors.SHORTCUT_CLASH.format(code=code, key=key, command=taken[key.lower()]))
    return shortcuts


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


_ESCAPES = {"[A": "<", "[5~": "<", "OA": "<", "[B": ">", "[6~": ">", "OB": ">"}


class SingleKeys:
    """Key presses read one at a time from a terminal, without Enter (termios cbreak mode:
    no echo, no line editing; Ctrl-C still interrupts). Enter is "", arrows and Page
    Up/Down are '<' and '>', Ctrl-D quits. Use as a context manager: the terminal's
    settings come back on the way out, whatever happens."""

    def __init__(self, fd: int):
        self.fd = fd
        self._saved = None

    @staticmethod
    def available(stream, line_mode: bool = False) -> bool:
        """Single keys when keys come from a terminal (not a script), it allows it, and not --line-mode."""
        if stream is not None or line_mode or termios is None:
            return False
        try:
            return sys.stdin.isatty() and bool(termios.tcgetattr(sys.stdin.fileno()))
        except (termios.error, OSError, ValueError):
            return False

    def __enter__(self) -> SingleKeys:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _more(self, timeout: float = 0.05) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return os.read(self.fd, 1) if ready else b""

    def read(self) -> str:
        """The next key press as parse() reads a line: "" for Enter, "esc" for a lone Escape."""
        b = os.read(self.fd, 1)
        if not b or b == b"\x04":
            raise EOFError
        if b in (b"\r", b"\n"):
            return ""
        if b == b"\x1b":
            seq = b""
            while len(seq) < 4:
                c = self._more()
                if not c:
                    break
                seq += c
                if c.isalpha() or c == b"~":
                    break
            return _ESCAPES.get(seq.decode("ascii", "replace"), "esc")
        if b[0] >= 0xC0:  # the first byte of a UTF-8 character such as æ, ø, å
            b += os.read(self.fd, 1 if b[0] < 0xE0 else 2 if b[0] < 0xF0 else 3)
        return b.decode("utf-8", "replace")


def single_keys(args, stream, shortcuts: dict[str, str]) -> SingleKeys | None:
    """Keys one at a time from the terminal when it allows, every code's key is one character,
    and not --line-mode; None: line mode (scripts, --line-mode, no termios)."""
    if not SingleKeys.available(stream, getattr(args, "line_mode", False)):
        return None
    if any(len(k) != 1 for k in shortcuts):  # such as '10' in a frame of many codes
        return None
    return SingleKeys(sys.stdin.fileno())
