"""The composition root in-process: builds, shows, obeys commands, and shuts down cleanly.

Offscreen and without an X display, so the global hotkey and X11 delivery are
unavailable: the app must say so and still work through the window and the
control commands. The microphone is a fake device; the model is the real tiny.en.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.control_channel import ControlReply, PendingReply
from app.core.settings import Settings
from app.core.settings_file import save_settings, settings_path
from app.main import DesktopApp
from app.ui.dictation.retype import RetypeBanner
from app.ui.shell.control_commands import refusal
from app.ui.shell.main_window import MainWindow
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.speech import SpeechMaker

pytestmark = [
    pytest.mark.gui,
    pytest.mark.model,
    # Offscreen limits; raise() is Qt raising the listening indicator (a tool window) on show.
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
]


@pytest.fixture
def desktop(qtbot: QtBot, offscreen: None) -> Iterator[DesktopApp]:
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(16_000, np.float32)))
    window = app.parts.window
    assert isinstance(window, MainWindow)
    qtbot.waitUntil(lambda: window.model_status == "ready", timeout=30_000)
    yield app
    app.shutdown()


def test_window_shows_and_says_why_the_hotkey_is_unavailable(desktop: DesktopApp) -> None:
    window = desktop.parts.window
    assert isinstance(window, MainWindow)
    assert window.isVisible()
    assert window.notice.isVisible()
    assert '"saytype keys" prints the lines for yours' in window.notice.label.text()
    assert "tiny.en (ready)" in window.device_label.text()
    (retype_banner,) = window.findChildren(RetypeBanner)
    assert not retype_banner.isVisible()  # only while a re-type counts down


def test_control_commands_drive_the_dictation(qtbot: QtBot, desktop: DesktopApp) -> None:
    assert desktop.handle_command("status", []).message == "model: ready"
    assert desktop.handle_command("stop", []).ok is False  # nothing to stop while idle
    assert desktop.handle_command("toggle", []).state == "listening"
    assert desktop.handle_command("start", []).ok is False  # already listening
    cancelled = desktop.handle_command("cancel", [])
    assert (cancelled.ok, cancelled.state) == (True, "idle")
    refused = desktop.handle_command("cancel", [])  # nothing left to drop
    assert (refused.ok, refused.message) == (
        False,
        "nothing to cancel: no dictation is under way (Saytype is idle)",
    )


def answer(qtbot: QtBot, reply: ControlReply | PendingReply) -> ControlReply:
    """The reply, once a press that started a dictation has its microphone."""
    if isinstance(reply, PendingReply):
        qtbot.waitUntil(lambda: reply.reply is not None)
        assert reply.reply is not None
        return reply.reply
    return reply


def test_a_tap_whose_release_came_first_leaves_a_dictation_to_finish_with_the_next_press(
    qtbot: QtBot, desktop: DesktopApp
) -> None:
    """sway runs `saytype press` and `saytype release` as two processes; a quick tap's
    release often reached the app first, and the press then left the microphone open with
    nothing to stop it. The key moments put them back in order: a tap, in the default mode,
    starts a dictation the next press finishes."""
    key = time.monotonic()
    early = desktop.handle_command("release", [f"{key + 0.05:.6f}"])
    assert (early.ok, early.state) == (True, "idle")  # waits for its press
    started = answer(qtbot, desktop.handle_command("press", [f"{key:.6f}"]))
    assert (started.ok, started.state) == (True, "listening")  # a tap: it goes on listening
    finished = answer(qtbot, desktop.handle_command("press", [f"{key + 1:.6f}"]))
    assert finished.state in {"finishing", "delivering", "idle"}
    after = answer(qtbot, desktop.handle_command("release", [f"{key + 1.05:.6f}"]))
    assert after.ok
    qtbot.waitUntil(lambda: not desktop.parts.controller.session.active, timeout=30_000)

    # A hold: press, then a release half a second later, finishes at the release.
    held = answer(qtbot, desktop.handle_command("press", [f"{key + 5:.6f}"]))
    assert held.state == "listening"
    released = answer(qtbot, desktop.handle_command("release", [f"{key + 5.5:.6f}"]))
    assert released.state in {"finishing", "delivering", "idle"}
    qtbot.waitUntil(lambda: not desktop.parts.controller.session.active, timeout=30_000)

    # "Hold to talk" in Settings: the same tap starts and finishes at once.
    desktop.parts.controller.settings = replace(
        desktop.parts.controller.settings, hotkey_mode="hold"
    )
    desktop.handle_command("release", [f"{key + 9.05:.6f}"])
    tapped = answer(qtbot, desktop.handle_command("press", [f"{key + 9:.6f}"]))
    assert tapped.state != "listening"


def test_a_refusal_after_a_failed_dictation_reads_as_a_sentence() -> None:
    assert refusal("stop", "error") == (
        "nothing to stop: no dictation is listening (Saytype is idle after a failed dictation)"
    )
    assert refusal("start", "delivering") == "a dictation cannot start now (Saytype is delivering)"


def test_shutdown_stops_every_thread(qtbot: QtBot, tmp_path: Path) -> None:
    before = set(threading.enumerate())
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    app.shutdown()
    app.shutdown()  # twice is harmless
    leftover = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leftover == []


def test_a_corrupt_settings_file_is_backed_up_and_the_user_told(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    save_settings(Settings())
    settings_path().write_text("{not json", encoding="utf-8")
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        window = app.parts.window
        assert isinstance(window, MainWindow)
        assert settings_path().with_name("settings.json.bak").exists()
        assert "settings.json.bak" in window.notice.label.text()
        app.parts.settings_store.update(Settings(sound_cues=False))  # OK in Settings: saved
        assert "settings.json.bak" not in window.notice.label.text()  # no longer true
    finally:
        app.shutdown()


def test_queue_command_adds_files_to_the_file_queue(
    qtbot: QtBot, desktop: DesktopApp, tmp_path: Path
) -> None:
    from app.ui.files.queue_panel import QueuePanel

    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF????WAVEjunk")
    assert desktop.handle_command("queue", [str(bad)]).ok
    panel = desktop.parts.queue_panel
    assert isinstance(panel, QueuePanel)
    qtbot.waitUntil(lambda: any(r.error for r in panel.rows.values()), timeout=20_000)
    assert [r.path for r in panel.rows.values()] == [bad]


def test_a_file_job_that_reloads_the_model_says_it_is_ready_again(
    qtbot: QtBot, desktop: DesktopApp, speech: SpeechMaker, tmp_path: Path
) -> None:
    """After an idle unload the window said "unloaded; reloads on the next dictation" under
    "Model loaded", and `saytype status` "model: unloaded", while a file was transcribed."""
    window = desktop.parts.window
    desktop.parts.worker.unload_model()
    qtbot.waitUntil(lambda: window.model_status.startswith("unloaded"), timeout=20_000)
    spoken = speech.wav("The files tab loads the model again.", tmp_path / "spoken.wav")
    assert desktop.handle_command("queue", [str(spoken)]).ok
    qtbot.waitUntil(lambda: window.model_status == "ready", timeout=60_000)
    assert desktop.handle_command("status", []).message.startswith("model: ready")


def test_esc_cancels_a_re_type_countdown(qtbot: QtBot, desktop: DesktopApp) -> None:
    # A new user pressed Esc to stop a Re-type: the countdown went on and typed.
    window = desktop.parts.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert desktop.parts.retype.request("hello there")
    with qtbot.waitSignal(desktop.parts.retype.finished, timeout=2000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert finished.args == ["cancelled"]
    # With the banner gone, Esc is the dictation's Cancel again.
    assert desktop.handle_command("toggle", []).state == "listening"
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: desktop.handle_command("status", []).state == "idle", timeout=5000)


def test_enter_during_and_after_a_re_type_never_starts_another(
    qtbot: QtBot, desktop: DesktopApp
) -> None:
    # The focus stayed on Re-type after a click: back in Saytype, a stray Enter re-typed.
    window = desktop.parts.window
    panel = desktop.parts.history_panel
    assert panel is not None
    assert desktop.parts.history is not None
    panel.add_entry(desktop.parts.history.add("hello there", 1.0, "tiny.en"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert desktop.parts.retype.request("hello there")
    (banner,) = window.findChildren(RetypeBanner)
    assert QApplication.focusWidget() is banner.cancel_button  # Enter now cancels
    with qtbot.waitSignal(desktop.parts.retype.finished, timeout=2000) as finished:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # as Enter does in the app
    assert finished.args == ["cancelled"]
    assert QApplication.focusWidget() is panel._list  # the list, where Enter types nothing


def test_a_dictation_started_during_a_re_type_countdown_says_it_cancelled_it(
    qtbot: QtBot, desktop: DesktopApp
) -> None:
    # A new user started dictating while Re-type counted down: it stopped without a word.
    window = desktop.parts.window
    assert isinstance(window, MainWindow)
    assert desktop.parts.retype.request("hello there")
    with qtbot.waitSignal(desktop.parts.retype.finished, timeout=2000) as finished:
        assert desktop.handle_command("toggle", []).state == "listening"
    assert finished.args == ["cancelled"]
    assert window.statusBar().currentMessage() == "Re-type cancelled: a dictation started."
    desktop.handle_command("cancel", [])


def test_quit_command_refuses_while_files_would_be_lost(
    qtbot: QtBot, desktop: DesktopApp, tmp_path: Path
) -> None:
    # `saytype quit` threw away queued files without a word (the window asks first).
    from app.core.audio.wav_file import write_wav

    long_silence = tmp_path / "meeting.wav"
    write_wav(long_silence, np.zeros(16_000 * 120, np.float32), 16_000)
    assert desktop.handle_command("queue", [str(long_silence)]).ok
    refused = desktop.handle_command("quit", [])
    assert not refused.ok
    assert refused.message.startswith("not quitting: 1 file still to transcribe would stop")
    assert "saytype quit --force" in refused.message
    desktop.parts.files.cancel_all()
    qtbot.waitUntil(lambda: desktop.parts.files.jobs_left == 0, timeout=20_000)
    # A dictation under way: the window asks before it stops; a script is refused.
    assert desktop.handle_command("toggle", []).state == "listening"
    refused = desktop.handle_command("quit", [])
    assert not refused.ok
    assert refused.message.startswith("not quitting: the dictation under way would stop")
    desktop.handle_command("cancel", [])


def test_a_dictation_recovered_from_the_command_line_shows_in_the_open_history(
    qtbot: QtBot, desktop: DesktopApp
) -> None:
    # `saytype recover` saved a dictation while the window was open; History showed it
    # only to a search (its list had been read at start).
    from app.core.output.history import HistoryStore

    panel = desktop.parts.history_panel
    assert panel is not None
    with HistoryStore() as other_process:  # what `saytype recover` opens
        other_process.add("my cat is called Biscuit", 3.0, "tiny.en")
    assert "my cat is called Biscuit" not in [entry.text for entry in panel.entries()]
    assert desktop.handle_command("history", []).ok  # recover's word to the running app
    assert [entry.text for entry in panel.entries()] == ["my cat is called Biscuit"]
