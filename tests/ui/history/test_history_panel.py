"""The history panel over a real HistoryStore: newest first, search, copy, re-type, delete."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QTreeWidget
from pytestqt.qtbot import QtBot

from app.core.output.history import CANCELLED, NOT_DELIVERED, SHOWN_AT_ONCE, HistoryStore
from app.ui.history.history_item import time_text
from app.ui.history.history_panel import EMPTY_TEXT, HistoryPanel
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    # Qt's offscreen platform warns whenever a top-level widget is shown; harmless.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

TEXTS = [
    "Remind me to water the plants",
    "Meeting moved to Thursday\nSecond line with details",
    "Buy milk, 100% organic",
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


@pytest.fixture
def filled(store: HistoryStore) -> HistoryStore:
    for seconds, text in enumerate(TEXTS, start=1):
        store.add(text, float(seconds), "tiny.en")
    return store


def make_panel(qtbot: QtBot, store: HistoryStore, *, show: bool = False) -> HistoryPanel:
    panel = HistoryPanel(store)
    qtbot.addWidget(panel)
    if show:
        panel.show()
        qtbot.waitExposed(panel)
        panel.activateWindow()
        qtbot.waitUntil(panel.isActiveWindow)
    return panel


def tree(panel: HistoryPanel) -> QTreeWidget:
    found = panel.findChild(QTreeWidget)
    assert found is not None
    return found


def shown_texts(panel: HistoryPanel) -> list[str]:
    return [entry.text for entry in panel.entries()]


def push(panel: HistoryPanel, name: str) -> None:
    buttons = [b for b in panel.findChildren(QAbstractButton) if b.accessibleName() == name]
    assert len(buttons) == 1
    buttons[0].click()


def test_empty_history_says_so(qtbot: QtBot, store: HistoryStore) -> None:
    panel = make_panel(qtbot, store)
    assert panel.entries() == []
    assert panel.empty_text() == EMPTY_TEXT == "No dictations yet"
    assert not panel.copy_action.isEnabled()


def test_entries_are_shown_newest_first(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    assert shown_texts(panel) == TEXTS[::-1]
    assert panel.empty_text() is None
    view = tree(panel)
    middle = view.topLevelItem(1)
    assert middle is not None
    assert middle.text(1) == "2.0 s"
    # On one row; the line break shows, so a letter does not look like its greeting alone.
    assert middle.text(2) == "Meeting moved to Thursday ↵ Second line with details"
    assert middle.toolTip(2) == TEXTS[1]  # full text


def test_selection_shows_the_full_text(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    panel.select_entry(2)
    detail = panel.findChild(QPlainTextEdit)
    assert detail is not None
    assert detail.toPlainText() == TEXTS[1]
    assert panel.copy_action.isEnabled()


def test_search_filters_as_you_type(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    search = panel.findChild(QLineEdit)
    assert search is not None
    qtbot.keyClicks(search, "THURS")
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[1]])
    search.clear()
    qtbot.waitUntil(lambda: len(panel.entries()) == 3)
    qtbot.keyClicks(search, "100%")
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[2]])
    qtbot.keyClicks(search, " zebra")
    qtbot.waitUntil(lambda: panel.empty_text() == "No dictations contain “100% zebra”")


def _searched_for_thursday(qtbot: QtBot, store: HistoryStore) -> tuple[HistoryPanel, QLineEdit]:
    """The panel shown, "THURS" typed into its search box, which keeps the focus."""
    panel = make_panel(qtbot, store, show=True)
    search = panel.findChild(QLineEdit)
    assert search is not None
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "THURS")
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[1]])
    return panel, search


def test_esc_clears_the_search_and_then_belongs_to_the_window(
    qtbot: QtBot, filled: HistoryStore
) -> None:
    panel, search = _searched_for_thursday(qtbot, filled)
    window_esc: list[bool] = []
    QShortcut(QKeySequence("Esc"), panel, lambda: window_esc.append(True))  # cancel, say
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    qtbot.waitUntil(lambda: len(panel.entries()) == 3)
    assert window_esc == []
    qtbot.keyClick(search, Qt.Key.Key_Escape)  # nothing left to clear: the window's key
    assert window_esc == [True]


def test_down_in_the_search_box_goes_to_the_dictations_found(
    qtbot: QtBot, filled: HistoryStore
) -> None:
    # A keyboard user searched, pressed Down as in a browser's search, and stayed in the box.
    panel, search = _searched_for_thursday(qtbot, filled)
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.waitUntil(panel.focus_home.hasFocus)


def test_search_is_debounced(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    panel.set_search_text("milk")
    assert len(panel.entries()) == 3, "the list waits for typing to pause"
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[2]])


def test_copy_puts_the_text_on_the_clipboard(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    QGuiApplication.clipboard().setText("something else")
    panel.select_entry(1)
    with qtbot.waitSignal(panel.copy_requested) as copied:
        push(panel, "Copy")
    assert copied.args == [TEXTS[0]]
    assert QGuiApplication.clipboard().text() == TEXTS[0]


def test_ctrl_c_in_the_list_copies_the_selected_entry(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled, show=True)
    view = tree(panel)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    panel.select_entry(3)
    with qtbot.waitSignal(panel.copy_requested) as copied:
        qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert copied.args == [TEXTS[2]]
    assert QGuiApplication.clipboard().text() == TEXTS[2]


def test_retype_signal_carries_the_text(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    panel.select_entry(2)
    with qtbot.waitSignal(panel.retype_requested) as retyped:
        push(panel, "Re-type")
    assert retyped.args == [TEXTS[1]]


def test_retry_needs_kept_audio_and_carries_its_path(
    qtbot: QtBot, store: HistoryStore, tmp_path: Path
) -> None:
    audio = tmp_path / "kept.wav"
    audio.write_bytes(b"RIFF")
    store.add("without audio", 1.0, "tiny.en")
    kept = store.add("with audio", 1.0, "tiny.en", str(audio))
    panel = make_panel(qtbot, store)
    panel.select_entry(1)
    assert not panel.retry_action.isEnabled()
    panel.select_entry(kept.id)
    assert panel.retry_action.isEnabled()
    with qtbot.waitSignal(panel.retry_requested) as retried:
        push(panel, "Retry")
    assert retried.args == [kept]


def test_delete_button_removes_from_store_and_view(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    panel.select_entry(2)
    push(panel, "Delete")
    qtbot.waitUntil(lambda: shown_texts(panel) == [TEXTS[2], TEXTS[0]])  # once it is deleted
    push(panel, "Delete")  # the second click of a double click: nothing is selected now
    assert filled.get(2) is None
    assert filled.count() == len(TEXTS) - 1
    assert panel.selected_entry() is None
    assert not panel.delete_action.isEnabled()


def test_delete_key_removes_the_selected_entry(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled, show=True)
    view = tree(panel)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    panel.select_entry(3)
    for left in reversed(range(len(TEXTS))):
        qtbot.keyClick(view, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda left=left: len(panel.entries()) == left)  # type: ignore[misc]
    assert filled.count() == 0
    assert panel.entries() == []
    assert panel.empty_text() == EMPTY_TEXT
    assert not panel.delete_action.isEnabled()


def test_add_entry_prepends_without_reload(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    entry = filled.add("Fresh dictation", 0.5, "tiny.en")
    panel.add_entry(entry)
    panel.add_entry(entry)  # twice is harmless
    assert shown_texts(panel) == ["Fresh dictation", *TEXTS[::-1]]


def test_add_entry_respects_the_search(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    with qtbot.waitSignal(panel.searched):
        panel.set_search_text("milk")
    panel.add_entry(filled.add("Unrelated", 1, "tiny.en"))
    panel.add_entry(filled.add("More MILK", 1, "tiny.en"))
    panel.add_entry(filled.add("Milk, then eggs", 1, "tiny.en"))
    assert shown_texts(panel) == ["Milk, then eggs", "More MILK", TEXTS[2]]
    with qtbot.waitSignal(panel.searched):
        panel.set_search_text("eggs milk")  # words in any order, as a search finds them
    panel.add_entry(filled.add("milk and two eggs", 1, "tiny.en"))
    assert shown_texts(panel)[:2] == ["milk and two eggs", "Milk, then eggs"]


def test_refresh_picks_up_new_entries_and_keeps_selection(
    qtbot: QtBot, filled: HistoryStore
) -> None:
    panel = make_panel(qtbot, filled)
    panel.select_entry(1)
    filled.add("Added elsewhere", 1, "tiny.en")
    panel.refresh()
    assert shown_texts(panel)[0] == "Added elsewhere"
    selected = panel.selected_entry()
    assert selected is not None
    assert selected.id == 1


def test_panel_into_an_empty_store_then_first_entry(qtbot: QtBot, store: HistoryStore) -> None:
    panel = make_panel(qtbot, store)
    panel.add_entry(store.add("First ever", 1, "tiny.en"))
    assert panel.empty_text() is None
    assert shown_texts(panel) == ["First ever"]


def test_store_error_is_reported_not_raised(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    panel.select_entry(1)
    filled.close()
    with qtbot.waitSignal(panel.error_occurred) as failed:
        push(panel, "Delete")
    assert "history" in failed.args[0]
    assert len(panel.entries()) == 3


def test_controls_have_accessible_names(qtbot: QtBot, filled: HistoryStore) -> None:
    panel = make_panel(qtbot, filled)
    assert panel.accessibleName()
    for widget in [
        *panel.findChildren(QLineEdit),
        *panel.findChildren(QTreeWidget),
        *panel.findChildren(QPlainTextEdit),
        *panel.findChildren(QAbstractButton),
    ]:
        if isinstance(widget.parent(), (QLineEdit, QTreeWidget)):
            continue  # the clear button inside the search box, the header buttons
        assert widget.accessibleName(), type(widget).__name__


def test_the_newest_entry_is_selected_and_the_selection_follows_new_ones(
    qtbot: QtBot, filled: HistoryStore
) -> None:
    panel = make_panel(qtbot, filled)
    newest = panel.selected_entry()
    assert newest is not None
    assert newest.text == TEXTS[-1]  # Copy and Re-type work without a click first
    assert panel.retype_action.isEnabled()
    entry = filled.add("A brand new dictation.", 1.0, "tiny.en")
    panel.add_entry(entry)
    assert panel.selected_entry() == entry


def test_an_entry_names_the_profile_that_shaped_it(qtbot: QtBot, store: HistoryStore) -> None:
    store.add("git status", 1.0, "tiny.en", profile="Terminal")
    store.add("Dear Anna, thanks.", 1.0, "tiny.en", profile="Default")
    panel = make_panel(qtbot, store)
    newest, oldest = (tree(panel).topLevelItem(row) for row in range(2))
    assert newest is not None
    assert oldest is not None
    assert newest.toolTip(2) == "Dear Anna, thanks."  # the Default profile goes unsaid
    assert oldest.toolTip(2) == "git status\n\nProfile: Terminal"


def test_an_entry_heard_by_a_server_says_which(qtbot: QtBot, store: HistoryStore) -> None:
    store.add("Minutes of the meeting.", 1.0, "whisper-1 on Office (server)")
    panel = make_panel(qtbot, store)
    item = tree(panel).topLevelItem(0)
    assert item is not None
    assert item.toolTip(2) == "Minutes of the meeting.\n\nHeard by whisper-1 on Office (server)"


def test_a_full_list_says_how_many_older_entries_a_search_reaches(
    qtbot: QtBot, store: HistoryStore
) -> None:
    for number in range(SHOWN_AT_ONCE + 5):
        kind = "invoice" if number % 2 else "reminder"
        store.add(f"{kind} number {number}", 1.0, "tiny.en", created_at=1000.0 + number)
    panel = make_panel(qtbot, store)
    more = next(
        label
        for label in panel.findChildren(QLabel)
        if label.accessibleName() == "Older dictations"
    )
    assert len(panel.entries()) == SHOWN_AT_ONCE
    assert panel.entries()[-1].text == "invoice number 5"
    assert not more.isHidden()
    assert more.text() == (
        f"Showing the newest {SHOWN_AT_ONCE} of {SHOWN_AT_ONCE + 5} dictations; search for "
        "words in an older one to find it."
    )
    newest = store.add("reminder dictated just now", 1.0, "tiny.en", created_at=5000.0)
    panel.add_entry(newest)  # the footer counted 500 of 505 until the next search
    assert more.text().startswith(
        f"Showing the newest {SHOWN_AT_ONCE} of {SHOWN_AT_ONCE + 6} dictations;"
    )  # the oldest shown went, as on a reload (it said "newest 501")
    assert len(panel.entries()) == SHOWN_AT_ONCE
    panel.select_entry(newest.id)
    push(panel, "Delete")  # the count stayed at "of 506" after deletes
    qtbot.waitUntil(lambda: len(panel.entries()) == SHOWN_AT_ONCE - 1)
    assert more.text().startswith(
        f"Showing the newest {SHOWN_AT_ONCE - 1} of {SHOWN_AT_ONCE + 5} dictations;"
    )
    with qtbot.waitSignal(panel.searched):
        panel.set_search_text("number 3")  # the oldest ones are reached by what they say
    assert [entry.text for entry in panel.entries()][-1] == "invoice number 3"
    assert more.isHidden()
    assert store.count("invoice") == (SHOWN_AT_ONCE + 5) // 2


def test_a_text_that_never_reached_its_app_is_marked(
    qtbot: QtBot, store: HistoryStore, tmp_path: Path
) -> None:
    # A failed delivery's text went on the clipboard with a notice; once the notice was
    # gone, nothing in History told which dictation still needed pasting.
    store.add("Meet me at noon.", 1.0, "tiny.en")
    failed = store.add("rm -rf build", 1.0, "tiny.en")
    store.mark_delivered(failed.id, NOT_DELIVERED)
    newer = store.add("Thanks, see you.", 1.0, "tiny.en")
    panel = make_panel(qtbot, store, show=True)
    rows = [tree(panel).topLevelItem(row) for row in range(3)]
    assert [row is not None and not row.icon(2).isNull() for row in rows] == [False, True, False]
    marked = rows[1]
    assert marked is not None
    assert marked.toolTip(2).startswith("Not (all) typed into the app when it was dictated")
    assert marked.data(2, Qt.ItemDataRole.AccessibleTextRole) == "Not delivered: rm -rf build"
    save_screenshot(panel, "history-not-delivered.png", tmp_path)

    panel.update_entry(replace(newer, delivered_to=NOT_DELIVERED))  # the newest one fails too
    assert rows[0] is not None
    assert not rows[0].icon(2).isNull()
    panel.update_entry(replace(newer, delivered_to=CANCELLED))  # an Esc kept what was heard
    assert not rows[0].icon(2).isNull()
    assert rows[0].toolTip(2).startswith("Cancelled (Esc) before any of it was typed")
    assert rows[0].data(2, Qt.ItemDataRole.AccessibleTextRole) == "Cancelled: Thanks, see you."


@pytest.mark.parametrize(
    ("locale", "shown"),
    [("C", "2026-11-05 21:09"), ("en_GB", "05/11/2026 21:09"), ("de_DE", "05.11.26 21:09")],
)
def test_an_older_entry_shows_a_date_that_reads_one_way(locale: str, shown: str) -> None:
    # Under LANG=C.UTF-8 Qt's short format gave "5 12 2026 21:09": day or month?
    moment = QDateTime(QDate(2026, 11, 5), QTime(21, 9))
    QLocale.setDefault(QLocale(locale))
    try:
        assert time_text(moment.toSecsSinceEpoch()) == shown
    finally:
        QLocale.setDefault(QLocale.system())
