"""The review screen fitted to a terminal: the answer's first lines always in sight (with the
definitions open, at 80x24 and at 50 columns), long answers scroll in their panel, and each
answer keeps its number when going back."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from classifier.cli._keys import KeyStream
from classifier.cli._screen import View, drive, handle, render
from classifier.queue import group_answers
from classifier.review import ReviewSession
from classifier.store import AnnotationStore

LONG = " ".join(f"Setning {i}: vi trenger flere praksisplasser og tettere samarbeid med arbeidsgivere i regionen."
                for i in range(1, 14))
ANSWERS = [LONG, "Bolig", "Tolk og norskopplæring", "Jobbsjansen"]


@pytest.fixture
def session(tmp_path, frame):
    items = group_answers(ANSWERS)
    with AnnotationStore(tmp_path / "a.sqlite") as store:
        yield ReviewSession(store, items, frame, None, source="s.csv", annotator="kari", all_items=items)


def draw(session, width, height, view=None, message=None) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, height=height, color_system=None, force_terminal=False)
    console.print(render(session, session.current(), session.frame.shortcuts(), message, width, height, view))
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", [80, 50])
def test_the_answer_starts_on_screen_with_the_definitions_open(session, width):
    for view in (View(), View(definitions=True), View(definitions=True, full="education_guidance")):
        lines = draw(session, width, 24, view)
        assert len(lines) <= 23 and all(len(line) <= width for line in lines)  # one line left for the prompt
        assert "Setning 1: vi trenger" in lines[1]  # the answer's first line, right under its title
        assert "lines 1–" in "\n".join(lines) and "> more" in "\n".join(lines)  # the rest is a key away
        assert sum("education_guidance" in line for line in lines) >= 1  # and every code's row is there
        assert any("other" in line for line in lines)
        if view.definitions:
            screen = "\n".join(lines)
            assert "Code definitions" in screen
            if view.full:
                assert "Veiledning på utdanningsområdet" in screen


def test_a_long_answer_scrolls_inside_its_panel(session):
    view = View()
    first = draw(session, 50, 24, view)
    shortcuts = session.frame.shortcuts()
    handle(session, ">", shortcuts, view)
    second = draw(session, 50, 24, view)
    assert "Setning 1:" in first[1] and "Setning 1:" not in "\n".join(second)
    assert "< back" in "\n".join(second) and len(second) <= 23
    for _ in range(20):  # to the end, and no further
        handle(session, ">", shortcuts, view)
    end = "\n".join(draw(session, 50, 24, view))
    assert "Setning 13:" in end and "> more" not in end
    for _ in range(20):
        handle(session, "<", shortcuts, view)
    assert draw(session, 50, 24, view) == first


def test_the_help_and_a_message_never_push_the_answer_off(session):
    shortcuts = session.frame.shortcuts()
    help_screen, _ = handle(session, "?", shortcuts, View())
    for width in (80, 50):
        lines = draw(session, width, 24, View(definitions=True), message=help_screen)
        assert len(lines) <= 23 and "Setning 1: vi trenger" in lines[1]


def test_going_back_shows_the_same_number_for_the_same_answer(session):
    out = io.StringIO()
    console = Console(file=out, width=80, height=24, color_system=None, force_terminal=False)
    keys = KeyStream(io.StringIO("s\ns\nb\nb\nq\n"))
    drive(session, console, keys, fit=True)
    titles = [line for line in out.getvalue().splitlines() if "Answer" in line and "of 4" in line]
    numbers = [t.split("Answer ")[1].split(" of")[0] for t in titles]
    assert numbers == ["1", "2", "3", "2", "1"]
    assert "Bolig" in out.getvalue().split("Answer 2 of 4")[-1].split("Answer")[0]


def test_the_whole_help_fits_beside_a_short_answer_at_80x24(session):
    shortcuts = session.frame.shortcuts()
    session.skip()  # on to "Bolig"
    help_screen, _ = handle(session, "?", shortcuts, View())
    screen = "\n".join(draw(session, 80, 24, View(), message=help_screen))
    assert "Bolig" in screen
    for line in help_screen.plain.splitlines():
        assert line.strip() in screen
