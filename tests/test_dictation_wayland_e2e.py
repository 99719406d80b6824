"""A whole dictation in a Wayland session: speech in, words typed or pasted into foot under sway.

``saytype`` runs as a subprocess in a Wayland session (a private headless sway,
``XDG_SESSION_TYPE=wayland``), so it takes the Wayland routes: the wtype
virtual keyboard, and for paste the Wayland clipboard. Its window lives on a
separate Xvfb, as an XWayland window would, or (``-native``) on sway itself
through Qt's Wayland platform, opened before foot takes the focus.
The microphone is a PulseAudio null sink that ``paplay`` speaks hibari-tts
speech into. ``saytype start`` and ``saytype stop`` are the commands that sway's
bindings run (tests/test_keys_sway.py proves the bindings run them; here the
test sends them, since as root the compositor's user may not reach this app).
foot must receive exactly the history's text, first character included, and it
must be what was said; after a paste, the previous clipboard (text and an
image) must be back.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.output.wayland_selection import SelectionOwner
from saytype_bench.accuracy import word_error_rate
from tests.support.desktop_app import RunningSaytype, running_saytype
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.sway_session import FootTarget, SwaySession, foot_target, running_sway
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please send the quarterly report to the finance team before Friday."
WER_BOUND = 0.10  # the bar; tiny.en hears this hibari sentence at 0 %
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PREVIOUS = {"text/plain;charset=utf-8": "copied before ✓".encode(), "image/png": PNG}


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[XServer, PulseDaemon, SwaySession]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse, running_sway() as sway:
        yield xserver, pulse, sway


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCE, tmp_path_factory.mktemp("speech") / "sentence.wav")


@pytest.fixture(scope="module", params=["paste", "type", "paste-native"])
def variant(request: pytest.FixtureRequest) -> str:
    """Settings' "Insert text by" (the Wayland clipboard, or the virtual keyboard); "native":
    Saytype's own window is a Wayland client of the same sway (Qt's Wayland platform)."""
    return str(request.param)


@pytest.fixture(scope="module")
def delivery(variant: str) -> str:
    return variant.removesuffix("-native")


@pytest.fixture(scope="module")
def saytype(
    variant: str,
    delivery: str,
    desktop: tuple[XServer, PulseDaemon, SwaySession],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningSaytype]:
    xserver, pulse, sway = desktop
    wayland = {k: v for k, v in sway.client_env().items() if "WAYLAND" in k or "SWAY" in k}
    wayland["XDG_SESSION_TYPE"] = "wayland"
    if variant.endswith("-native"):
        wayland["QT_QPA_PLATFORM"] = "wayland"
    with running_saytype(
        xserver,
        pulse,
        tmp_path_factory.mktemp("home"),
        {"delivery": delivery},
        extra_env=wayland,
    ) as app:
        yield app


@pytest.fixture
def foot(
    desktop: tuple[XServer, PulseDaemon, SwaySession], saytype: RunningSaytype
) -> Iterator[FootTarget]:
    # Opened after Saytype, whose idle virtual keyboard is then already on the seat.
    with foot_target(desktop[2], "dictation", app_id="foot", after_keyboard=True) as target:
        yield target


def wl_paste(sway: SwaySession, *args: str) -> bytes:
    result = subprocess.run(
        ["wl-paste", *args], env=sway.client_env(), capture_output=True, timeout=10, check=True
    )
    return result.stdout


def test_speech_arrives_in_foot_and_the_clipboard_is_given_back(
    desktop: tuple[XServer, PulseDaemon, SwaySession],
    variant: str,
    saytype: RunningSaytype,
    foot: FootTarget,
    spoken: Path,
) -> None:
    _xserver, pulse, sway = desktop
    if variant.endswith("-native"):  # no XWayland: Saytype's window is on sway itself
        assert "io.saytype.Saytype" in sway.app_ids()
    previous = SelectionOwner(PREVIOUS, sway.client_env())  # the user's copy, before dictating
    try:
        before = len(saytype.history())
        assert saytype.send("start").ok  # what sway's press binding runs
        saytype.wait(lambda: saytype.state() == "listening", "listening", 10)
        pulse.play(spoken)
        # Nothing of Saytype's (its window, the listening strip) took the focus meanwhile.
        assert sway.focused_app_id() == "foot"
        assert saytype.send("stop").ok  # what sway's release binding runs
        # History is written before delivery; its delivered_to is set once the text went out.
        saytype.wait(
            lambda: len(saytype.history()) > before and saytype.history()[-1][1] is not None,
            "the dictation to be delivered",
            60,
        )
        final, delivered_to = saytype.history()[-1]
        assert delivered_to == {"paste": "pasted", "type": "typed"}[variant.removesuffix("-native")]
        # foot hands a line on at Return: the user's own key, on its own virtual keyboard.
        subprocess.run(["wtype", "-k", "Return"], env=sway.client_env(), check=True, timeout=10)
        assert foot.wait_for_text(final + "\n", timeout=15) == final + "\n"
        assert word_error_rate([SENTENCE], [final]) <= WER_BOUND, final
        assert wl_paste(sway, "--list-types").decode().split() == list(PREVIOUS)
        for mime, data in PREVIOUS.items():
            assert wl_paste(sway, "--no-newline", "--type", mime) == data
    finally:
        previous.close()
