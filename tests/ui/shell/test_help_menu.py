"""Help → About Saytype and Keyboard shortcuts, one Alt+letter per thing in the window, and
every control whole in a narrow window.

Offscreen, with the real controller, history panel and file queue panel (and
the crash-recovery banner, when it is offered); the model is the scripted
pipeline (no dictation is run here).
"""

from __future__ import annotations

import contextlib
import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QMessageBox, QTabBar
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from app._version import __version__
from app.core.audio.journal_recovery import UnfinishedJournal
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.engine.pause_gate import PauseGate
from app.core.log_file import log_dir
from app.core.paths import config_dir, data_dir, models_dir
from app.core.settings import Settings
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from app.ui.history.history_panel import HistoryPanel
from app.ui.history.recovery_offer import RecoveryOffer
from app.ui.shell.help_dialogs import LICENCES, SPOKEN_COMMANDS
from app.ui.shell.main_window import MainWindow
from tests.support.controller_rig import Rig, build_rig
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

_PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


@dataclass
class Ui:
    window: MainWindow
    rig: Rig
    files: FileJobRunner


@pytest.fixture
def ui(qtbot: QtBot, tmp_path: Path) -> Iterator[Ui]:
    rig = build_rig(tmp_path, ["hello"])
    files = FileJobRunner(ModelHost(resolve_model("tiny.en")), PauseGate())
    window = MainWindow(
        rig.controller, rig.mic, HistoryPanel(rig.history), "Ctrl+Shift+Space", QueuePanel(files)
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield Ui(window, rig, files)
    rig.close()
    assert files.shutdown()


def _help_menu(window: MainWindow) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"]
    assert len(menus) == 1
    menu = menus[0]
    assert isinstance(menu, QMenu)
    return menu


def _trigger(qtbot: QtBot, window: MainWindow, text: str) -> QMessageBox:
    action = next(a for a in _help_menu(window).actions() if a.text().replace("&", "") == text)
    action.trigger()
    box = next(
        (w for w in window.findChildren(QMessageBox) if w.isVisible()), None
    )  # it opens window-modal and returns at once
    assert box is not None
    qtbot.addWidget(box)
    return box


def test_about_names_version_model_licences_and_folders(qtbot: QtBot, ui: Ui) -> None:
    box = _trigger(qtbot, ui.window, "About Saytype")
    text = box.text()
    assert f"Saytype {__version__}" in text
    assert "Model in use: <b>tiny.en</b>" in text
    for name, licence in LICENCES:
        assert f"{name}: {licence}" in text
    for folder in (config_dir(), data_dir(), models_dir(), log_dir()):
        assert str(folder) in text
    box.accept()


def test_saytypes_own_licence_is_the_one_in_pyproject() -> None:
    declared = re.search(r'^license = "([^"]+)"', _PYPROJECT.read_text(), re.MULTILINE)
    assert declared is not None
    assert LICENCES[0] == ("Saytype", declared.group(1))


def test_keyboard_shortcuts_list_the_hotkey_and_every_menu_shortcut(qtbot: QtBot, ui: Ui) -> None:
    box = _trigger(qtbot, ui.window, "Keyboard shortcuts")
    text = box.text()
    assert "Ctrl+Shift+Space" in text
    assert "Esc" in text
    for entry in ("Open files…", "Copy last text", "Clear live text", "Start or stop"):
        assert entry in text
    for menu_action in ui.window.menuBar().actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu)
        for action in menu.actions():
            if not action.shortcut().isEmpty():
                assert action.shortcut().toString() in text, action.text()
    box.accept()


def test_the_spoken_commands_are_the_readmes_and_the_hotkey_says_how_to_use_it(
    qtbot: QtBot, ui: Ui, tmp_path: Path
) -> None:
    # A keyboard-only user found no list of spoken commands in the app, nor hold versus tap.
    readme = (_PYPROJECT.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("| Say | You get |", 1)[1].split("\n\n", 1)[0]
    said = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert said == [what for what, _ in SPOKEN_COMMANDS]
    box = _trigger(qtbot, ui.window, "Keyboard shortcuts")
    text = box.text()
    for what, _ in SPOKEN_COMMANDS:
        assert html.escape(what) in text
    assert "hold while you speak, or tap, speak, tap again" in text  # the default mode
    box.show()
    qtbot.waitExposed(box)
    save_screenshot(box, "help-keyboard-shortcuts.png", tmp_path)
    box.accept()
    ui.window.set_hotkey_text("Ctrl+Shift+Space", "toggle")
    box = _trigger(qtbot, ui.window, "Keyboard shortcuts")
    assert "Start or stop dictation, from any application" in box.text()
    box.accept()


def test_f1_opens_the_keyboard_shortcuts(qtbot: QtBot, ui: Ui) -> None:
    # A new user pressed F1 for help, and nothing happened.
    ui.window.show()
    qtbot.waitExposed(ui.window)
    qtbot.keyClick(ui.window, Qt.Key.Key_F1)

    def shown() -> list[QMessageBox]:
        boxes = ui.window.findChildren(QMessageBox)
        return [box for box in boxes if box.isVisible() and "F1" in box.text()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    (box,) = shown()
    assert "Ctrl+Shift+Space" in box.text()  # the shortcuts, F1 among them
    box.accept()


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: no raise, no grab
def test_f10_opens_the_menus_from_the_keyboard(qtbot: QtBot, ui: Ui) -> None:
    # A keyboard-only user pressed F10, as in GNOME's and KDE's apps, and nothing happened.
    ui.window.show()
    qtbot.waitExposed(ui.window)
    qtbot.keyClick(ui.window, Qt.Key.Key_F10)
    bar = ui.window.menuBar()
    qtbot.waitUntil(lambda: bar.activeAction() is not None, timeout=5000)
    assert bar.activeAction() is bar.actions()[0]  # File, its menu open
    qtbot.keyClick(bar.actions()[0].menu(), Qt.Key.Key_Escape)


def _mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand), lower case."""
    found = re.search(r"(?<!&)&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _window_mnemonics(window: MainWindow) -> list[tuple[str, str]]:
    """(letter, text) of everything Alt+letter reaches now: menus, visible buttons, tabs."""
    found = [(a.text(), a.isVisible()) for a in window.menuBar().actions()]
    found += [(b.text(), b.isVisible()) for b in window.findChildren(QAbstractButton)]
    found += [(lb.text(), lb.isVisible()) for lb in window.findChildren(QLabel) if lb.buddy()]
    for bar in window.findChildren(QTabBar):
        found += [(bar.tabText(i), bar.isVisible()) for i in range(bar.count())]
    return [(m, text) for text, visible in found if visible and (m := _mnemonic(text))]


def _assert_unique(pairs: list[tuple[str, str]], where: str) -> None:
    counts = Counter(letter for letter, _text in pairs)
    clashes = sorted(text for letter, text in pairs if counts[letter] > 1)
    assert not clashes, f"{where}: the same Alt+letter for {clashes}"


@pytest.mark.parametrize("state", ["idle", "listening"])
def test_no_two_things_in_the_window_share_a_mnemonic(ui: Ui, state: str) -> None:
    ui.window.show_state(state)  # Record becomes &Stop while listening
    tabs = ui.window.side_tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)  # each tab's own buttons join the window's letters
        pairs = _window_mnemonics(ui.window)
        assert len(pairs) >= 10
        _assert_unique(pairs, f"{state}, tab {tabs.tabText(index)!r}")
    ui.window.show_state("idle")


def test_the_recovery_banner_takes_letters_the_window_leaves_free(
    qtbot: QtBot, ui: Ui, tmp_path: Path
) -> None:
    journal = UnfinishedJournal(tmp_path / "crashed.wav", 3.0, 0.0, "tiny.en", "mic")
    offer = RecoveryOffer([journal], ui.files, None, Settings, "tiny.en")
    ui.window.show_banner(offer)
    for step in ("offer", "confirm"):  # Throw away… swaps the buttons for Delete / Keep
        if step == "confirm":
            offer.discard_button.click()
            assert offer.delete_button.isVisible()
        banner = {letter for letter, text in _window_mnemonics(ui.window) if text in _texts(offer)}
        assert len(banner) == (3 if step == "offer" else 2)
        for state in ("idle", "listening"):
            ui.window.show_state(state)
            for index in range(ui.window.side_tabs.count()):
                ui.window.side_tabs.setCurrentIndex(index)
                where = f"{step}, {state}, tab {ui.window.side_tabs.tabText(index)!r}"
                _assert_unique(_window_mnemonics(ui.window), where)
    ui.window.show_state("idle")


def _texts(offer: RecoveryOffer) -> set[str]:
    return {button.text() for button in offer.findChildren(QAbstractButton)}


def test_every_menu_has_distinct_mnemonics_inside(ui: Ui) -> None:
    for menu_action in ui.window.menuBar().actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu)
        pairs = [
            (letter, a.text())
            for a in menu.actions()
            if not a.isSeparator() and (letter := _mnemonic(a.text()))
        ]
        assert len(pairs) == len([a for a in menu.actions() if not a.isSeparator()])
        _assert_unique(pairs, menu.title())


def test_mnemonic_reads_the_letter_after_a_single_ampersand() -> None:
    assert _mnemonic("Cop&y last") == "y"
    assert _mnemonic("Save && &quit") == "q"
    assert _mnemonic("Clear") is None


# A narrow tile: a tiling desktop (sway, i3) sizes the window, not Saytype. A new user on
# sway, with Saytype in a third of the screen, saw "Model: ti" and "Re-typ", and after a
# crash the recovery banner's buttons were off the window's edge.
_NOTICE = (
    "The microphone 'USB Headset' went away, and the sound server moved Saytype to another "
    "input. About 1.4 s of sound was lost from this dictation. Reconnect it, or choose an "
    "input in Settings."
)


@pytest.mark.parametrize("width", [426, 640, 860])
def test_every_control_is_whole_inside_a_window_of_any_tile_width(
    qtbot: QtBot, ui: Ui, tmp_path: Path, width: int
) -> None:
    journal = UnfinishedJournal(tmp_path / "crashed.wav", 6.0, 0.0, "tiny.en", "mic")
    ui.window.show_banner(RecoveryOffer([journal], ui.files, None, Settings, "tiny.en"))
    ui.window.controller.notice.emit("warning", _NOTICE)
    ui.window.resize(width, 760)
    qtbot.waitUntil(lambda: ui.window.width() == width)
    shown = [
        button
        for button in ui.window.centralWidget().findChildren(QAbstractButton)
        if button.isVisibleTo(ui.window) and button.text()
    ]
    assert len(shown) >= 10  # the banner's, the live pane's, the History tab's

    def cut_off() -> list[str]:
        """The buttons not wholly inside the window, or squeezed below their size."""
        whole = ui.window.rect()
        return [
            f"{button.text()!r} at {QRect(button.mapTo(ui.window, QPoint(0, 0)), button.size())}"
            for button in shown
            if not whole.contains(QRect(button.mapTo(ui.window, QPoint(0, 0)), button.size()))
            or button.width() < button.minimumSizeHint().width()
        ]

    with contextlib.suppress(TimeoutError):  # the layout settles after the resize
        qtbot.waitUntil(lambda: not cut_off(), timeout=2_000)
    assert cut_off() == [], f"cut off at {width} px"
    if width == 426:
        save_screenshot(ui.window, "main-window-narrow.png", tmp_path)
