"""Type as I speak with a tap to start, in a headless Plasma 5.27: both portals at once.

The hotkey comes through the GlobalShortcuts portal (tap, speak, tap), and the
words go out key by key through the RemoteDesktop portal while the speaker goes
on, into a Qt line edit that is a native Wayland client of that KWin
(tests/support/kde_session.py). tests/test_hotkey_portal_kde.py holds the key
with paste delivery; this is the other corner of the grid: toggle, typing,
type-as-I-speak. What the window received is checked against what was said and
against the history, since typed words are never taken back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from saytype_bench.accuracy import word_error_rate
from tests.support.desktop_app import RunningSaytype
from tests.support.kde_session import KdeDesktop, KdeSession, running_kde_desktop, saytype_in_kde
from tests.support.kwin_fake_input import KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_SPACE
from tests.support.speech import SpeechMaker

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = (
    "The library opens at nine on weekdays. Please return the borrowed books before the end "
    "of the month."
)
WER_BOUND = 0.10
CHORD = (KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_SPACE)
Desktop = KdeDesktop


@pytest.fixture(scope="module")
def desktop() -> Iterator[Desktop]:
    with running_kde_desktop() as running:
        yield running


@pytest.fixture(scope="module")
def saytype(desktop: Desktop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSaytype]:
    home = tmp_path_factory.mktemp("home")
    settings = {"delivery": "type", "type_as_i_speak": True}
    with saytype_in_kde(desktop, home, "remote-control portal session", settings) as app:
        yield app


def tap(kde: KdeSession) -> None:
    with kde.keyboard() as keys:
        keys.press(*CHORD)
        keys.release(*reversed(CHORD))


def test_tap_speak_tap_types_the_words_into_the_wayland_window_as_they_come(
    desktop: Desktop, saytype: RunningSaytype, speech: SpeechMaker, tmp_path: Path
) -> None:
    _xserver, pulse, kde = desktop
    spoken = speech.wav(SENTENCE, tmp_path / "sentence.wav")
    assert "delivery route wayland-portal" in saytype.log_text()
    with kde.qt_target() as target:
        tap(kde)
        saytype.wait(lambda: saytype.send("status").state == "listening", "the first tap", 10)
        pulse.play(spoken)  # returns once played
        # Typed as the words settle, before the second tap finishes the dictation.
        saytype.wait(lambda: len(target.text().split()) >= 3, "words typed while listening", 30)
        assert saytype.send("status").state == "listening"
        tap(kde)
        saytype.wait(lambda: bool(saytype.history()), "the dictation in history", 60)
        saytype.wait(lambda: saytype.send("status").state == "idle", "typing to end", 30)
        typed = target.text()
    final = saytype.history()[-1][0]
    assert word_error_rate([SENTENCE], [typed]) <= WER_BOUND, typed
    assert word_error_rate([final], [typed]) <= WER_BOUND, (final, typed)
