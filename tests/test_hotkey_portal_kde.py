"""Hold-to-talk and toggle through the XDG GlobalShortcuts portal, in a headless Plasma 5.27.

``saytype`` runs in a Wayland session whose portal offers GlobalShortcuts
(tests/support/kde_session.py: KWin with kglobalaccel, xdg-desktop-portal-kde,
xdg-desktop-portal on a private bus), so it takes the ``portal`` hotkey route
and binds its chord there, with no compositor binding and no ``saytype start``.
Keys go into KWin as a keyboard's would (its fake-input protocol); KWin's
kglobalaccel matches Ctrl+Shift+Space, the KDE backend turns the press and
release into the portal's ``Activated`` and ``Deactivated``, and Saytype's
hotkey gesture decides: held past the threshold while speaking, the words land
in history and are pasted into the focused Qt window on that KWin (through the
RemoteDesktop portal, as tests/test_delivery_portal_kde.py checks in detail);
tapped, it keeps listening until the next tap. Saytype's window lives on a
separate Xvfb, as an XWayland window would. Cancel is a second
portal shortcut with no preferred key: the test gives it Esc the way System
Settings would (kglobalaccel), then Esc drops a dictation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from saytype_bench.accuracy import word_error_rate
from tests.support.desktop_app import RunningSaytype, file_log
from tests.support.kde_session import KdeDesktop, running_kde_desktop, saytype_in_kde
from tests.support.kwin_fake_input import (
    KEY_ESC,
    KEY_LEFTCTRL,
    KEY_LEFTSHIFT,
    KEY_SPACE,
    FakeKeyboard,
)
from tests.support.speech import SpeechMaker

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please send the quarterly report to the finance team before Friday."
WER_BOUND = 0.10
CHORD = (KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_SPACE)  # Saytype's default, Ctrl+Shift+Space
QT_KEY_ESCAPE = 0x01000000
HOLD_THRESHOLD_S = 0.3  # the default: a shorter press is a tap (toggle)
DEBOUNCE_S = 0.15  # the gesture ignores a chord press this soon after the last release
Desktop = KdeDesktop
READY = ("idle",)  # a new dictation may start
_chord_released_at = [float("-inf")]  # when a test last let go of the chord (monotonic)


def _ready_for_a_press(saytype: RunningSaytype) -> None:
    """Idle, and past the gesture's debounce since the last test let go of the chord."""
    saytype.wait(lambda: saytype.send("status").state in READY, "the last dictation to end", 30)
    saytype.wait(
        lambda: time.monotonic() - _chord_released_at[0] >= DEBOUNCE_S,
        "the debounce after the last release (a press sooner is ignored by design)",
        5,
    )


def _release_chord(keys: FakeKeyboard) -> None:
    keys.release(*reversed(CHORD))
    _chord_released_at[0] = time.monotonic()


@pytest.fixture(scope="module")
def desktop() -> Iterator[Desktop]:
    with running_kde_desktop() as running:
        yield running


@pytest.fixture(scope="module")
def saytype(desktop: Desktop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSaytype]:
    home = tmp_path_factory.mktemp("home")
    with saytype_in_kde(desktop, home, "GlobalShortcuts portal bound") as app:
        yield app


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCE, tmp_path_factory.mktemp("speech") / "sentence.wav")


def test_doctor_and_the_log_name_the_portal_route(saytype: RunningSaytype) -> None:
    assert "hotkey route portal:" in saytype.log_text()
    doctor = json.loads(saytype.command("doctor", "--json").stdout)
    checks = {check["topic"]: check for check in doctor["checks"]}
    assert (checks["hotkey"]["route"], checks["hotkey"]["status"]) == ("portal", "ok")
    assert (checks["delivery"]["route"], checks["delivery"]["status"]) == ("wayland-portal", "ok")


def test_holding_the_chord_in_kwin_while_speaking_dictates(
    desktop: Desktop, saytype: RunningSaytype, spoken: Path
) -> None:
    _xserver, pulse, kde = desktop
    _ready_for_a_press(saytype)
    before = len(saytype.history())
    with kde.qt_target() as target, kde.keyboard() as keys:
        keys.press(*CHORD)
        try:
            saytype.wait(lambda: saytype.send("status").state == "listening", "Activated", 10)
            pulse.play(spoken)  # returns once played: the chord was held all along
        finally:
            _release_chord(keys)
        saytype.wait(lambda: len(saytype.history()) > before, "Deactivated to finish it", 60)
        final = saytype.history()[-1][0]
        # Pasted (the default) into the focused Qt window: the clipboard through KWin's data
        # control, Ctrl+V through the RemoteDesktop portal.
        assert target.wait_for_text(final + " ", timeout=30) == final + " "  # space: for the next
    assert word_error_rate([SENTENCE], [final]) <= WER_BOUND, final


def test_a_tap_keeps_listening_until_the_next_tap(
    desktop: Desktop, saytype: RunningSaytype
) -> None:
    kde = desktop[2]
    _ready_for_a_press(saytype)
    with kde.keyboard() as keys:
        keys.press(*CHORD)
        _release_chord(keys)
        saytype.wait(lambda: saytype.send("status").state == "listening", "the first tap", 10)

        def listening_past_the_threshold() -> bool:
            # A hold would have finished at the release; a tap leaves it listening.
            assert saytype.send("status").state == "listening"
            return time.monotonic() - _chord_released_at[0] >= HOLD_THRESHOLD_S * 2

        saytype.wait(listening_past_the_threshold, "twice the hold threshold, listening", 10)
        keys.press(*CHORD)
        _release_chord(keys)
    saytype.wait(lambda: saytype.send("status").state != "listening", "the second tap", 10)


def test_the_cancel_shortcut_drops_the_dictation(desktop: Desktop, saytype: RunningSaytype) -> None:
    kde = desktop[2]
    _ready_for_a_press(saytype)
    kde.assign_key("saytype", "cancel", "Cancel the dictation", QT_KEY_ESCAPE)
    before = len(saytype.history())
    with kde.keyboard() as keys:
        keys.press(*CHORD)
        _release_chord(keys)
        saytype.wait(lambda: saytype.send("status").state == "listening", "the tap", 10)
        keys.press(KEY_ESC)
        keys.release(KEY_ESC)
    saytype.wait(lambda: saytype.send("status").state == "idle", "Esc to cancel", 10)
    assert "dictation listening → idle (cancel)" in file_log(saytype.data_dir.parent)
    assert len(saytype.history()) == before
