"""Settings → Engine, and the desktop app dictating through a saved Wyoming endpoint.

The app runs in-process and offscreen with a fake sound device that plays real
speech at real-time pace into the real ring buffer, the real worker thread and
tiny.en for the partials; the server is a real wyoming-faster-whisper, whose
log shows that it decoded the dictation. Output goes to the window only (no
typing), so the test is about where the audio goes and the words that come back.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook
from app.core.engine.remote.endpoint_file import load_endpoints, save_endpoints
from app.core.paths import data_dir
from app.core.settings import Settings
from app.core.settings_file import save_settings
from app.main import DesktopApp
from app.ui.settings.engine_page import LOCAL_LABEL, EnginePage
from app.ui.settings.settings_applier import open_settings, use_engine
from saytype_bench.accuracy import word_error_rate
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.ci import fail_missing
from tests.support.screenshots import save_screenshot
from tests.support.speech import SpeechMaker
from tests.support.wyoming_server import (
    WyomingServer,
    running_wyoming_server,
    server_missing,
    stop,
)

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
]

SENTENCES = ["Please book a table for four people at seven tonight."]
BOX = Endpoint("gpu-box", "https://asr.example.org/v1", "openai", model="large-v3")
REPO = Path(__file__).resolve().parents[3]


def test_the_engine_page_offers_local_and_says_where_audio_goes(
    qtbot: QtBot, tmp_path: Path
) -> None:
    home = Endpoint("home", "wyoming://127.0.0.1:10300", "wyoming")
    page = EnginePage(EndpointBook((BOX, home), active="home"))
    qtbot.addWidget(page)
    labels = [page.choice.itemText(i) for i in range(page.choice.count())]
    assert labels == [
        LOCAL_LABEL,
        "gpu-box: https://asr.example.org/v1 (OpenAI-compatible)",
        "home: wyoming://127.0.0.1:10300 (Wyoming)",
    ]
    assert page.chosen() == "home"
    assert "sent to home (wyoming://127.0.0.1:10300)" in page.privacy.text()
    page.choice.setCurrentIndex(0)
    assert page.chosen() == ""
    assert page.privacy.text() == "Your audio stays on this computer."


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WyomingServer]:
    missing = server_missing()
    if missing is not None:
        fail_missing(missing)
    with running_wyoming_server(tmp_path / "wyoming") as running:
        yield running


@pytest.fixture
def desktop(
    qtbot: QtBot, offscreen: None, server: WyomingServer, speech: SpeechMaker
) -> Iterator[DesktopApp]:
    # The microphone opens at the press, so the fake device plays the speech from its start.
    save_settings(Settings(output="window", keep_mic_open=False))
    home = Endpoint("home", server.url, "wyoming", language="en")
    save_endpoints(EndpointBook((home, BOX), active="home"))
    spoken = np.concatenate([np.zeros(8000, np.float32), speech.samples(SENTENCES[0])])
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(spoken, realtime=True))
    qtbot.waitUntil(lambda: app.parts.window.model_status == "ready", timeout=60_000)
    yield app
    app.shutdown()


def dictate(qtbot: QtBot, app: DesktopApp) -> str:
    controller = app.parts.controller
    heard: list[str] = []
    controller.live_text.connect(lambda done, guess: heard.append(f"{done} {guess}".lower()))
    finals: list[str] = []
    controller.final_text.connect(finals.append)
    with qtbot.waitSignal(controller.completed, timeout=120_000):
        assert controller.start(source="window")
        qtbot.waitUntil(lambda: any("tonight" in text for text in heard), timeout=60_000)
        controller.stop()
    assert len(finals) == 1
    return finals[0]


@pytest.mark.model
def test_dictation_goes_to_the_active_endpoint_and_the_app_says_so(
    qtbot: QtBot, desktop: DesktopApp, server: WyomingServer, tmp_path: Path
) -> None:
    parts = desktop.parts
    assert parts.window.engine_label.isVisibleTo(parts.window)
    assert parts.window.engine_label.text() == (
        f"Remote engine: your dictations' audio is sent to home ({server.url})."
    )
    assert f"audio goes to home ({server.url})" in parts.tray.tooltip
    assert parts.files.where == f"home ({server.url})"  # dropped files follow the engine
    save_screenshot(parts.window, "main-window-remote-engine.png", tmp_path)

    final = dictate(qtbot, desktop)
    assert word_error_rate(SENTENCES, [final]) <= 0.1, final
    assert server.log.read_text(errors="replace").count("Processing audio with duration") == 1

    use_engine(parts, "")  # Settings → Engine → Local, then OK
    assert load_endpoints().book.active == ""
    assert not parts.window.engine_label.isVisibleTo(parts.window)
    assert "audio goes to" not in parts.tray.tooltip
    assert parts.files.where == ""


@pytest.mark.model
def test_a_server_that_died_falls_back_with_a_notice(
    qtbot: QtBot, desktop: DesktopApp, server: WyomingServer
) -> None:
    stop(server)
    final = dictate(qtbot, desktop)
    assert word_error_rate(SENTENCES, [final]) <= 0.1, final  # nothing lost
    notice = desktop.parts.window.notice
    qtbot.waitUntil(lambda: "finished by the local model" in notice.label.text(), timeout=10_000)
    assert f"Cannot connect to {server.url}: connection refused" in notice.label.text()


@pytest.mark.model
def test_without_fallback_a_failed_server_fails_the_dictation_and_keeps_it(
    qtbot: QtBot, desktop: DesktopApp, server: WyomingServer
) -> None:
    parts = desktop.parts
    use_engine(parts, "home", fallback=False)  # Settings → Engine, the box unticked, then OK
    assert load_endpoints().book.fallback is False
    stop(server)
    controller = parts.controller
    heard: list[str] = []
    controller.live_text.connect(lambda done, guess: heard.append(f"{done} {guess}".lower()))
    notices: list[tuple[str, str]] = []
    controller.notice.connect(lambda level, text: notices.append((level, text)))
    finals: list[str] = []
    controller.final_text.connect(finals.append)
    assert controller.start(source="window")
    qtbot.waitUntil(lambda: any("tonight" in text for text in heard), timeout=60_000)
    controller.stop()
    qtbot.waitUntil(lambda: any(level == "error" for level, _ in notices), timeout=60_000)
    [error] = [text for level, text in notices if level == "error"]
    assert error.startswith(f"Dictation failed: Cannot connect to {server.url}: connection refused")
    assert error.endswith(
        "Its recording is kept: `saytype recover` transcribes it now, and "
        "Saytype offers it at its next start."
    )
    assert finals == []  # nothing typed or shown as final
    journals = data_dir() / "journals"
    qtbot.waitUntil(lambda: any(journals.glob("*.wav")), timeout=10_000)  # kept for recovery
    recover = subprocess.Popen(  # as the notice says, while the app still runs
        [sys.executable, "-m", "app", "recover"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    qtbot.waitUntil(lambda: recover.poll() is not None, timeout=120_000)
    out, err = recover.communicate()
    assert recover.returncode == 0, err
    assert "tonight" in out.lower(), out


@pytest.mark.model
def test_removing_the_active_server_in_settings_makes_dictation_and_files_local_at_once(
    qtbot: QtBot, desktop: DesktopApp
) -> None:
    parts = desktop.parts
    open_settings(parts)  # as the window's Settings button does
    qtbot.waitUntil(lambda: parts.settings_dialog is not None, timeout=30_000)
    dialog = parts.settings_dialog
    assert dialog is not None
    page = dialog.engine_page
    assert isinstance(page, EnginePage)
    page.servers.setCurrentRow(0)
    assert page.selected() == load_endpoints().book.get("home")
    page.remove_button.click()
    assert page.confirm is not None
    with qtbot.waitSignal(page.endpoints_changed, timeout=10_000):
        page.confirm.button(page.confirm.StandardButton.Yes).click()
    assert load_endpoints().book == EndpointBook((BOX,))  # before OK: removing acts at once
    assert parts.engine.where == ""
    assert parts.files.where == ""
    assert not parts.window.engine_label.isVisibleTo(parts.window)
    dialog.reject()


def test_engines_use_in_a_terminal_reaches_the_running_app_at_once(
    qtbot: QtBot, offscreen: None
) -> None:
    # A user who runs `saytype engines use local` to keep audio on this computer: the app
    # that was already running went on sending it to the server until it was restarted.
    down = Endpoint("down", "wyoming://127.0.0.1:9", "wyoming")
    save_settings(Settings(output="window", keep_mic_open=False))
    save_endpoints(EndpointBook((down,), active="down"))
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        parts = app.parts
        assert parts.engine.where == "down (wyoming://127.0.0.1:9)"
        terminal = subprocess.Popen(
            [sys.executable, "-m", "app", "engines", "use", "local"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        qtbot.waitUntil(lambda: terminal.poll() is not None, timeout=60_000)  # the app answers
        out, err = terminal.communicate()
        assert terminal.returncode == 0, err
        assert "The running Saytype follows it" in out, out
        assert parts.engine.where == ""
        assert not parts.window.engine_label.isVisibleTo(parts.window)
        assert parts.files.where == ""

        # Settings → OK with the choice the file already holds, written behind the app's
        # back: the app follows the file (it used to compare with the file and do nothing).
        save_endpoints(EndpointBook((down,), active="down"))
        use_engine(parts, "down")
        assert parts.engine.where == "down (wyoming://127.0.0.1:9)"
        assert parts.window.engine_label.isVisibleTo(parts.window)
    finally:
        app.shutdown()
