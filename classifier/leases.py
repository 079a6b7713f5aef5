"""Answers reserved for the coordinator whose screen shows them (review --split-work).

A lease is a row of the store's `leases` table: this answer, under this code frame, is on
the screen of this session (annotator, machine, process) until `expires`. Reserving is
one BEGIN IMMEDIATE transaction that checks the decisions and the other leases and then
inserts, so two processes can never both get an answer. A lease is moved on while its
coordinator presses keys, released when they decide the answer or quit, and void when it
expires (LEASE_MINUTES without a key) or when its process is found dead on the same
machine: a crash cannot release, so the next coordinator to ask gets the answer.

Most answers take one coder; an answer of a double-coding sample takes two different
ones (`capacity` 2). Nobody gets an answer they decided already, nor one that another of
their own sessions (a second window) holds.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from .store import CODER_ACTIONS, AnnotationStore, now_iso

LEASE_MINUTES = 10.0
RENEW_EVERY = 0.25  # renew when a quarter of the lease time has passed since the last renewal


@dataclass
class Holder:
    """A live lease of another session on an answer."""

    session: str
    annotator: str
    host: str
    pid: int
    expires: float


def this_machine() -> str:
    """The machine a lease's process runs on: its name, and on Linux its boot id, so that two
    machines of the same name (containers) are never taken for one, nor a pid from before a reboot."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        boot = ""
    return f"{socket.gethostname()}:{boot}" if boot else socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (POSIX; elsewhere assumed alive)."""
    if os.name != "posix" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class Leases:
    """The leases of one review session; see the module docstring."""

    def __init__(self, store: AnnotationStore, frame_hash: str, session: str, annotator: str,
                 minutes: float = LEASE_MINUTES, clock=time.time):
        self.store = store
        self.frame_hash = frame_hash
        self.session = session
        self.annotator = annotator
        self.seconds = float(minutes) * 60
        self.clock = clock
        self.host = this_machine()
        self.pid = os.getpid()
        self._renewed = 0.0

    # -- the others ---------------------------------------------------------------------------
    def holders(self, key: str) -> list[Holder]:
        """Live leases of other sessions on `key`; dead ones (expired, or their process gone on
        this machine) are deleted on the way. Call inside a transaction to act on the answer."""
        now = self.clock()
        rows = self.store.conn.execute(
            "SELECT session, annotator, host, pid, expires FROM leases WHERE answer_hash = ? AND frame_hash = ? "
            "AND session != ?", (key, self.frame_hash, self.session)).fetchall()
        live = []
        for r in rows:
            h = Holder(r["session"], r["annotator"], r["host"], int(r["pid"]), float(r["expires"]))
            if h.expires < now or (h.host == self.host and not process_alive(h.pid)):
                self.store.conn.execute("DELETE FROM leases WHERE answer_hash = ? AND frame_hash = ? AND session = ?",
                                        (key, self.frame_hash, h.session))
            else:
                live.append(h)
        return live

    def held_by_others(self) -> set[str]:
        """Answers on other coordinators' screens now (leases not expired; read only)."""
        rows = self.store.conn.execute(
            "SELECT answer_hash FROM leases WHERE frame_hash = ? AND session != ? AND expires >= ?",
            (self.frame_hash, self.session, self.clock()))
        return {r[0] for r in rows}

    # -- this session ---------------------------------------------------------------------------
    def reserve(self, key: str, capacity: int = 1) -> str | None:
        """Reserve `key` for this session, atomically. Returns None when it is ours now, else who
        has it ('you' for this annotator's own decision or other window, or another annotator's name).

        `capacity`: how many different coordinators code the answer (2 in a double-coding sample).
        """
        with self.store.transaction():
            marks = ", ".join("?" * len(CODER_ACTIONS))
            deciders = {r[0] for r in self.store.conn.execute(
                f"SELECT DISTINCT annotator FROM effective WHERE answer_hash = ? AND frame_hash = ? "
                f"AND action IN ({marks})", (key, self.frame_hash, *CODER_ACTIONS))}
            if self.annotator in deciders:
                return "you"
            holders = self.holders(key)
            if any(h.annotator == self.annotator for h in holders):
                return "you"
            others = deciders | {h.annotator for h in holders}
            if len(others) >= capacity:
                return sorted(others)[0]
            now = self.clock()
            self.store.conn.execute(
                "INSERT OR REPLACE INTO leases (answer_hash, frame_hash, session, annotator, host, pid, taken, expires) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, self.frame_hash, self.session, self.annotator, self.host, self.pid, now_iso(), now + self.seconds))
            return None

    def holds(self, key: str) -> bool:
        row = self.store.conn.execute(
            "SELECT expires FROM leases WHERE answer_hash = ? AND frame_hash = ? AND session = ?",
            (key, self.frame_hash, self.session)).fetchone()
        return row is not None

    def renew(self, force: bool = False) -> None:
        """Move this session's leases on (they are in use); writes only now and then, not on every key."""
        now = self.clock()
        if not force and now - self._renewed < RENEW_EVERY * self.seconds:
            return
        with self.store.transaction():
            self.store.conn.execute("UPDATE leases SET expires = ? WHERE session = ?", (now + self.seconds, self.session))
        self._renewed = now

    def release(self, key: str) -> None:
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM leases WHERE answer_hash = ? AND frame_hash = ? AND session = ?",
                                    (key, self.frame_hash, self.session))

    def release_all(self) -> None:
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM leases WHERE session = ?", (self.session,))
