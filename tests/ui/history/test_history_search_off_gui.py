"""A history search runs off the GUI thread: the window answers while it reads every text.

At 55,000 dictations one search took 0.35 s and its count as long again, on the GUI
thread: the window froze after each pause in typing. Here a search is held until the
test lets it go, standing for a slow disk or a very long history.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.output import history_match
from app.core.output.history import HistoryStore
from app.ui.history.history_panel import HistoryPanel

pytestmark = [pytest.mark.gui]

TEXTS = ["Remind me to water the plants", "Buy milk and eggs", "Water the garden"]


@pytest.fixture
def panel(qtbot: QtBot, tmp_path: Path) -> Iterator[HistoryPanel]:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        for seconds, text in enumerate(TEXTS, start=1):
            store.add(text, float(seconds), "tiny.en")
        made = HistoryPanel(store)
        qtbot.addWidget(made)
        yield made


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every search waits at each text until the event is set (or 10 s pass)."""
    release = threading.Event()
    real = history_match.contains

    def slow(text: str | None, folded_query: str) -> bool:
        release.wait(10)
        return real(text, folded_query)

    monkeypatch.setattr(history_match, "contains", slow)
    yield release
    release.set()  # a search still waiting ends with the test


def shown(panel: HistoryPanel) -> list[str]:
    return [entry.text for entry in panel.entries()]


def test_the_list_stays_usable_while_a_search_reads(
    qtbot: QtBot, panel: HistoryPanel, held: threading.Event
) -> None:
    newest_first = TEXTS[::-1]
    panel.set_search_text("milk")
    panel.refresh()  # returns at once: the search reads on its own thread
    assert shown(panel) == newest_first  # what the list showed stays until the answer
    panel.select_entry(panel.entries()[1].id)  # and the user can go on using it
    assert panel.selected_entry() == panel.entries()[1]
    with qtbot.waitSignal(panel.searched):
        held.set()
    assert shown(panel) == ["Buy milk and eggs"]


def test_only_the_newest_search_is_shown(
    qtbot: QtBot, panel: HistoryPanel, held: threading.Event
) -> None:
    answers: list[list[str]] = []
    panel.searched.connect(lambda: answers.append(shown(panel)))
    panel.set_search_text("milk")
    panel.refresh()  # held: still reading when the user types on
    panel.set_search_text("water")
    panel.refresh()
    with qtbot.waitSignal(panel.searched):
        held.set()
    assert answers == [["Water the garden", "Remind me to water the plants"]]
    with qtbot.waitSignal(panel.searched):
        panel.set_search_text("")  # cleared: the newest dictations, all of them
    assert answers[-1] == TEXTS[::-1]
