"""Reserved answers (review --split-work): one coordinator per answer (two in a double-coding
sample), atomic between connections, renewed while in use, void when expired or when the
process that held them is dead."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time

import pytest

from classifier.leases import Leases
from classifier.preprocess import answer_hash
from classifier.store import AnnotationStore


class Clock:
    def __init__(self, t=1_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def path(tmp_path):
    return tmp_path / "annotations.sqlite"


def leases(path, frame, who, session=None, clock=None, minutes=10):
    store = AnnotationStore(path)
    return Leases(store, frame.hash, session or f"s-{who}", who, minutes=minutes, clock=clock or Clock())


K = answer_hash("Praksisplasser")


def test_an_answer_goes_to_one_coordinator_until_released(path, frame):
    anna, per = leases(path, frame, "anna"), leases(path, frame, "per")
    assert anna.reserve(K) is None and anna.holds(K)
    assert per.reserve(K) == "anna"
    assert per.held_by_others() == {K} and anna.held_by_others() == set()
    anna.release(K)
    assert per.reserve(K) is None
    # A decision closes it for everyone else, lease or not.
    per.store.add(text="Praksisplasser", labels=["practice_placements"], action="correct", frame_hash=frame.hash,
                  annotator="per")
    per.release_all()
    assert anna.reserve(K) == "per"
    # Nor does the same person get it in a second window while the first holds it.
    other = answer_hash("Bolig")
    assert anna.reserve(other) is None
    assert leases(path, frame, "anna", session="second window").reserve(other) == "you"


def test_a_double_coding_answer_goes_to_two_different_coordinators(path, frame):
    anna, per, kari = (leases(path, frame, w) for w in ("anna", "per", "kari"))
    assert anna.reserve(K, capacity=2) is None and per.reserve(K, capacity=2) is None
    assert kari.reserve(K, capacity=2) is not None
    anna.store.add(text="Praksisplasser", labels=["other"], action="correct", frame_hash=frame.hash, annotator="anna")
    anna.release(K)
    assert kari.reserve(K, capacity=2) is not None  # anna's coding and per's screen: two already
    assert anna.reserve(K, capacity=2) == "you"  # anna coded it: not again


def test_a_lease_expires_without_keys_and_is_renewed_by_them(path, frame):
    clock = Clock()
    anna = leases(path, frame, "anna", clock=clock, minutes=1)
    per = leases(path, frame, "per", clock=clock, minutes=1)
    assert anna.reserve(K) is None
    clock.t += 50
    anna.renew()  # a key press 50 s in: the lease runs another minute from now
    clock.t += 50
    assert per.reserve(K) == "anna"
    clock.t += 61  # a minute with no key
    assert per.reserve(K) is None
    assert anna.reserve(K) == "per"


def test_a_lease_of_a_dead_process_on_this_machine_is_void_at_once(path, frame):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    anna = leases(path, frame, "anna")
    assert anna.reserve(K) is None
    anna.store.conn.execute("UPDATE leases SET pid = ?", (int(dead.stdout),))  # as if anna's process had crashed
    assert leases(path, frame, "per").reserve(K) is None


def test_reserving_is_atomic_between_connections(path, frame):
    """Four coordinators (each its own connection, in threads) race for the same 150 answers,
    each in its own order: every answer goes to exactly one of them."""
    keys = [answer_hash(f"svar {i}") for i in range(150)]
    AnnotationStore(path).close()
    won: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def work(who):
        mine = leases(path, frame, who)
        start.wait()
        won[who] = []
        for k in random.Random(who).sample(keys, len(keys)):
            if mine.reserve(k) is None:
                won[who].append(k)
            time.sleep(0.002)  # drawing the screen: the others get the lock meanwhile
        mine.store.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in ("anna", "per", "kari", "ola")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    got = [k for ks in won.values() for k in ks]
    assert sorted(got) == sorted(keys)  # every answer reserved, none twice
    assert sum(bool(ks) for ks in won.values()) >= 2  # and they really raced
    with AnnotationStore(path) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 150
