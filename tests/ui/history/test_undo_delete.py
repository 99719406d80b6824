"""Undo delete in the history: a mistaken Delete loses nothing until the session ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.core.output.history import HistoryEntry, HistoryStore
from app.core.output.recently_deleted import RecentlyDeleted
from app.ui.history.history_panel import HistoryPanel
from tests.ui.history.test_history_panel import make_panel, shown_texts, tree

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

TEXTS = ["First thing in the morning", "Call the plumber about the sink", "Book the train"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        for number, text in enumerate(TEXTS, start=1):
            audio = tmp_path / f"take-{number}.wav"
            audio.write_bytes(b"RIFF" + bytes(number))
            opened.add(text, float(number), "tiny.en", str(audio), created_at=1000.0 * number)
        opened.mark_delivered(2, "xterm")
        yield opened


def delete_with_the_key(qtbot: QtBot, panel: HistoryPanel, entry_id: int) -> None:
    view = tree(panel)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    panel.select_entry(entry_id)
    left = len(panel.entries()) - 1
    with qtbot.waitSignal(panel.status_message) as said:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(panel.entries()) == left)
    assert said.args[0].startswith("Deleted “")


def test_undo_puts_the_entry_back_whole_and_in_its_place(qtbot: QtBot, store: HistoryStore) -> None:
    before = store.get(2)
    assert before is not None
    assert before.audio_path is not None
    panel = make_panel(qtbot, store, show=True)
    assert not panel.undo_delete_action.isEnabled()

    delete_with_the_key(qtbot, panel, 2)
    assert store.get(2) is None
    assert Path(before.audio_path).exists()  # kept for the undo
    assert panel.undo_delete_action.isEnabled()

    with qtbot.waitSignal(panel.status_message) as said:
        panel.undo_delete_action.trigger()
    qtbot.waitUntil(lambda: store.get(2) is not None)
    assert said.args == ["Put back “Call the plumber about the sink”."]
    assert store.get(2) == before  # id, date, text, audio, where it went
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[2], TEXTS[1], TEXTS[0]])
    assert panel.selected_entry() == before
    assert not panel.undo_delete_action.isEnabled()


def test_undo_goes_back_through_several_deletes(qtbot: QtBot, store: HistoryStore) -> None:
    panel = make_panel(qtbot, store, show=True)
    delete_with_the_key(qtbot, panel, 3)
    delete_with_the_key(qtbot, panel, 1)
    assert shown_texts(panel) == [TEXTS[1]]
    panel.undo_delete_action.trigger()
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[1], TEXTS[0]])
    panel.undo_delete_action.trigger()
    qtbot.waitUntil(lambda: shown_texts(panel) == list(reversed(TEXTS)))


def test_the_recordings_go_when_the_session_ends(qtbot: QtBot, store: HistoryStore) -> None:
    doomed = store.get(1)
    assert doomed is not None
    assert doomed.audio_path is not None
    panel = make_panel(qtbot, store, show=True)
    delete_with_the_key(qtbot, panel, 1)
    panel.forget_deleted()
    assert not Path(doomed.audio_path).exists()
    assert not panel.undo_delete_action.isEnabled()
    kept = store.get(2)
    assert kept is not None
    assert kept.audio_path is not None
    assert Path(kept.audio_path).exists()


def test_a_failed_undo_says_why_and_can_be_tried_again(qtbot: QtBot, store: HistoryStore) -> None:
    panel = make_panel(qtbot, store, show=True)
    delete_with_the_key(qtbot, panel, 3)
    taken = store.add("A new dictation in the way", 1.0, "tiny.en")  # not id 3: ids only grow
    assert taken.id == 4
    store.close()  # the database is gone (the disk went away)
    with qtbot.waitSignal(panel.error_occurred) as failed:
        panel.undo_delete_action.trigger()
    assert "restore the dictation" in failed.args[0]
    assert panel.undo_delete_action.isEnabled()  # still deleted: another try may work


def test_only_the_newest_deletes_keep_their_recording(tmp_path: Path) -> None:
    entries = []
    for number in range(4):
        audio = tmp_path / f"{number}.wav"
        audio.write_bytes(b"RIFF")
        entries.append(HistoryEntry(number, 0.0, "text", 1.0, "tiny.en", str(audio), None))
    deleted = RecentlyDeleted(limit=2)
    for entry in entries:
        deleted.push(entry)
    assert [Path(str(e.audio_path)).exists() for e in entries] == [False, False, True, True]
    assert deleted.pop() == entries[3]
    assert len(deleted) == 1
    deleted.forget()
    assert not Path(str(entries[2].audio_path)).exists()
    assert deleted.pop() is None


def test_ctrl_z_in_the_search_box_undoes_whichever_came_last(
    qtbot: QtBot, store: HistoryStore
) -> None:
    """The delete's message says Ctrl+Z puts it back: so it does with the search box focused,
    unless the search was typed after the delete (then Ctrl+Z is the field's own)."""
    panel = make_panel(qtbot, store, show=True)
    search = panel.findChild(QLineEdit)
    assert search is not None
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "plumb")
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[1]])
    delete_with_the_key(qtbot, panel, 2)
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)

    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: store.get(2) is not None)
    assert search.text() == "plumb"  # the typing before the delete stays
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[1]])

    delete_with_the_key(qtbot, panel, 2)
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "e")
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert search.text() != "plumbe"  # the field's own undo: the newest thing done
    assert store.get(2) is None
    assert panel.undo_delete_action.isEnabled()
