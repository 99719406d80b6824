"""Each dictation is shaped, delivered and saved as the profile of its window says.

Same rig as test_dictation_controller_shaping.py (real worker thread, ring, history;
a scripted model and a recording delivery), with a real profiles file and the
window the chooser "sees" at the press given by the test.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.text_delivery import WindowPin
from app.core.profiles.profile_file import profiles_path
from app.core.profiles.profile_rules import WindowIdentity
from app.ui.dictation.listening_indicator import ListeningIndicator
from app.ui.dictation.profile_chooser import ProfileChooser
from tests.support.controller_rig import Rig, build_rig

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support raise"),  # the indicator, offscreen
]

WORDS = [
    "dear",
    "Anna",
    "comma",
    "I",
    "will",
    "call",
    "tonight",
    "period",
    "see",
    "you",
    "soon",
    "period",
]
SHAPED = "Dear Anna, I will call tonight. See you soon."
PLAIN = "dear Anna, I will call tonight. see you soon"  # no sentence capitals, no final full stop
PROFILES = {
    "format": 1,
    "profiles": [
        {
            "name": "Terminal",
            "window_class": "^xterm$",
            "settings": {
                "style": "plain",
                "after_text": "enter",
                "paste_keys": "ctrl+shift+v",
                "delivery": "type",
            },
        },
        {"name": "Chat", "window_title": "slack", "settings": {"after_text": "space"}},
        {
            "name": "French mail",
            "window_class": "thunderbird",
            "settings": {"language": "fr", "vocabulary": ["Siobhan"], "words": "own"},
        },
    ],
}


def write_profiles(data: object) -> None:
    profiles_path().parent.mkdir(parents=True, exist_ok=True)
    profiles_path().write_text(json.dumps(data), encoding="utf-8")


def dictate(qtbot: QtBot, rig: Rig) -> list[str]:
    """One whole dictation from the hotkey; returns the profile names the controller announced."""
    chosen: list[str] = []
    heard: list[str] = []
    rig.controller.profile_chosen.connect(chosen.append)
    rig.worker.committed.connect(lambda _job, text: heard.append(text))
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        assert rig.controller.start(source="hotkey")
        # The script commits every word but the newest once it has all been heard.
        qtbot.waitUntil(lambda: "soon" in "".join(heard), timeout=10_000)
        rig.controller.stop()
    return chosen


@pytest.fixture
def rig_in(tmp_path: Path):  # type: ignore[no-untyped-def]
    rigs: list[Rig] = []

    def build(window: WindowIdentity | None, chooser: ProfileChooser | None = None) -> Rig:
        chooser = chooser or ProfileChooser(lambda: window)
        rig = build_rig(tmp_path, WORDS, profiles=chooser)
        chooser.notice.connect(lambda message: rig.controller.notice.emit("warning", message))
        rigs.append(rig)
        return rig

    yield build
    for rig in rigs:
        rig.close()


def test_a_terminal_gets_plain_typed_text_and_then_enter(qtbot: QtBot, rig_in) -> None:  # type: ignore[no-untyped-def]
    write_profiles(PROFILES)
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~")
    chooser = ProfileChooser(lambda: xterm)
    rig = rig_in(xterm, chooser)
    rig.delivery.focused = ("xterm", "0x1a00003")  # where the text goes in
    assert chooser.last_window is None

    assert dictate(qtbot, rig) == ["Terminal"]
    assert chooser.last_window == xterm  # Settings → Profiles offers it as "the last app"

    assert [(text, method) for _id, text, method in rig.delivery.requests] == [
        (PLAIN, "type"),
        ("enter", "keys"),
    ]
    assert rig.delivery.paste_keys[0] == ("ctrl", "shift", "v")
    # The Enter is for the terminal the text went into alone, not any of its class.
    assert rig.delivery.target(1) == ("XTerm", "0x1a00003")
    (entry,) = rig.history.search()
    assert (entry.text, entry.profile, entry.delivered_to) == (
        PLAIN,
        "Terminal",
        "typed",  # how the text went in, once Enter followed it
    )


def test_enter_after_words_typed_as_spoken_goes_only_into_their_window(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Checked by class alone, the Enter after type-as-I-speak ran a second terminal's
    # command line when the user clicked into it as the last words went in.
    write_profiles(PROFILES)
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~")
    rig = build_rig(tmp_path, WORDS, profiles=ProfileChooser(lambda: xterm), type_as_i_speak=True)
    try:
        dictate(qtbot, rig)
        pieces = [
            only
            for only, (_id, _text, method) in zip(
                rig.delivery.only_into, rig.delivery.requests, strict=True
            )
            if method == "type"
        ]
        assert pieces
        assert isinstance(pieces[0], WindowPin)
        assert rig.delivery.requests[-1][1:] == ("enter", "keys")
        assert rig.delivery.only_into[-1] is pieces[0]  # the words' own window, not "XTerm"
    finally:
        rig.close()


def test_another_window_gets_its_own_profile_or_the_default(qtbot: QtBot, rig_in) -> None:  # type: ignore[no-untyped-def]
    write_profiles(PROFILES)
    chat = rig_in(WindowIdentity("chromium", "Chromium", "Slack | general"))
    assert dictate(qtbot, chat) == ["Chat"]
    assert chat.delivery.requests[0][1:] == (SHAPED + " ", "paste")
    assert chat.delivery.paste_keys == [()]  # picked by the window class, as without a profile
    assert chat.delivery.keys_pressed == []
    assert chat.history.search()[0].text == SHAPED  # without the space

    editor = rig_in(WindowIdentity("gedit", "Gedit", "notes.txt"))
    assert dictate(qtbot, editor) == ["Default"]
    assert editor.delivery.requests[-1][1:] == (SHAPED + " ", "paste")  # the Default: a space after
    assert editor.history.search()[0].profile == "Default"


def test_a_damaged_profiles_file_is_said_once_and_the_default_applies(
    qtbot: QtBot,
    rig_in,  # type: ignore[no-untyped-def]
) -> None:
    profiles_path().parent.mkdir(parents=True, exist_ok=True)
    profiles_path().write_text('{"profiles": [', encoding="utf-8")
    rig = rig_in(WindowIdentity("xterm", "XTerm", "user@host: ~"))
    notices: list[tuple[str, str]] = []
    rig.controller.notice.connect(lambda level, text: notices.append((level, text)))

    assert dictate(qtbot, rig) == ["Default"]
    assert dictate(qtbot, rig) == ["Default"]

    assert notices == [
        (
            "warning",
            f"Your profiles file was damaged and was moved to {profiles_path()}.bak; "
            "only the Default profile applies until you import it again or add profiles.",
        )
    ]
    assert [text for _id, text, _method in rig.delivery.requests] == [SHAPED + " "] * 2


def test_a_hand_edited_mistake_in_a_profile_is_said_and_the_rest_apply(
    qtbot: QtBot,
    rig_in,  # type: ignore[no-untyped-def]
) -> None:
    # A helper wrote `"after_text": "Return"` by hand and wondered why the profile was
    # not used: the window says why, once, and the profile applies without that setting
    # (left out whole, the next save from Settings deleted it).
    broken = {"name": "Shell", "window_class": "^xterm$", "settings": {"after_text": "Return"}}
    write_profiles({**PROFILES, "profiles": [broken, *PROFILES["profiles"]]})  # type: ignore[list-item]
    rig = rig_in(WindowIdentity("xterm", "XTerm", "user@host: ~"))
    notices: list[tuple[str, str]] = []
    rig.controller.notice.connect(lambda level, text: notices.append((level, text)))

    assert dictate(qtbot, rig) == ["Shell"]
    assert dictate(qtbot, rig) == ["Shell"]

    (said,) = notices
    assert said[0] == "warning"
    assert "Profile 'Shell': after_text: 'return' is not one of" in said[1]
    assert said[1].endswith("; it is ignored.")


def test_the_listening_indicator_names_the_profile(qtbot: QtBot, rig_in) -> None:  # type: ignore[no-untyped-def]
    write_profiles(PROFILES)
    rig = rig_in(WindowIdentity("xterm", "XTerm", "user@host: ~"))
    indicator = ListeningIndicator(rig.controller, rig.mic)
    qtbot.addWidget(indicator)

    with qtbot.waitSignal(rig.controller.profile_chosen, timeout=10_000):
        assert rig.controller.start(source="hotkey")
    assert indicator.isVisible()
    assert indicator.profile_label.text() == "· Terminal"
    rig.controller.cancel()


def test_words_and_the_final_that_come_before_the_profile_wait_for_it(
    qtbot: QtBot,
    rig_in,  # type: ignore[no-untyped-def]
) -> None:
    write_profiles(PROFILES)
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~")
    looked = threading.Event()  # the X server is slow to answer today
    chooser = ProfileChooser(lambda: xterm if looked.wait(10) else None, answer_within_s=60)
    rig = rig_in(xterm, chooser)
    heard: list[str] = []
    finals: list[str] = []
    rig.worker.committed.connect(lambda _job, text: heard.append(text))
    rig.worker.final.connect(lambda _job, text: finals.append(text))

    assert rig.controller.start(source="hotkey")
    qtbot.waitUntil(lambda: "soon" in "".join(heard), timeout=10_000)
    rig.controller.stop()
    qtbot.waitUntil(lambda: bool(finals), timeout=10_000)
    assert rig.delivery.requests == []  # nothing leaves before the profile is known
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        looked.set()

    assert [(text, method) for _id, text, method in rig.delivery.requests] == [
        (PLAIN, "type"),
        ("enter", "keys"),
    ]
    assert rig.history.search()[0].profile == "Terminal"


def test_a_window_lookup_that_hangs_gives_the_default_profile_in_time(
    qtbot: QtBot,
    rig_in,  # type: ignore[no-untyped-def]
) -> None:
    write_profiles(PROFILES)
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~")
    hung = threading.Event()
    chooser = ProfileChooser(lambda: xterm if hung.wait(30) else None, answer_within_s=0.2)
    rig = rig_in(xterm, chooser)
    try:
        assert dictate(qtbot, rig) == ["Default"]
        assert [text for _id, text, _method in rig.delivery.requests] == [SHAPED + " "]
    finally:
        hung.set()  # the late answer is dropped; the lane's thread ends
    assert rig.history.search()[0].profile == "Default"


def test_the_profiles_language_and_words_reach_the_decoder(qtbot: QtBot, rig_in) -> None:  # type: ignore[no-untyped-def]
    write_profiles(PROFILES)
    mail = rig_in(WindowIdentity("Mail", "thunderbird", "Write: hello"))
    assert dictate(qtbot, mail) == ["French mail"]
    terminal = rig_in(WindowIdentity("xterm", "XTerm", "~"))
    assert dictate(qtbot, terminal) == ["Terminal"]

    assert mail.pipeline is not None
    assert terminal.pipeline is not None
    assert mail.pipeline.decodings == [("fr", ("Siobhan",))]
    assert terminal.pipeline.decodings == [(None, None)]  # the model's own, as without profiles


def test_the_app_used_last_is_looked_up_as_the_profiles_page_opens(qtbot: QtBot) -> None:
    pressed_in = WindowIdentity("xterm", "XTerm", "user@host: ~")
    used_last = WindowIdentity("thunderbird", "Thunderbird", "Inbox")
    answers: list[WindowIdentity | None] = [None, used_last]
    chooser = ProfileChooser(lambda: pressed_in, last_app=lambda: answers.pop(0))
    chooser.last_window = pressed_in  # as after a press in xterm

    with qtbot.waitSignal(chooser.last_app_checked):
        chooser.refresh_last_app()  # the session cannot tell: the press's window stays
    assert chooser.last_window == pressed_in

    with qtbot.waitSignal(chooser.last_app_checked):
        chooser.refresh_last_app()
    assert chooser.last_window == used_last


def test_a_dictation_the_microphone_cut_short_gets_no_enter_after_its_words(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A terminal profile pressed Enter after "remove the temporary folder," when the USB
    # microphone was pulled mid-sentence: bash ran the half command.
    import numpy as np

    from app.ui.dictation.final_delivery import MESSAGE_KEYS_NOT_AFTER_CUT_SHORT
    from tests.fakes.fake_sounddevice import FakeSoundDevice

    write_profiles(PROFILES)
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~")
    unplugging = FakeSoundDevice(np.zeros(8000, np.float32), after_audio="unplug")
    rig = build_rig(
        tmp_path, WORDS, sound_device=unplugging, profiles=ProfileChooser(lambda: xterm)
    )
    notices: list[str] = []
    rig.controller.notice.connect(lambda _level, message: notices.append(message))
    try:
        with qtbot.waitSignal(rig.controller.completed, timeout=15_000):
            assert rig.controller.start(source="hotkey")
        (entry,) = rig.history.search()
        assert rig.delivery.delivered_texts == [entry.text]  # the words heard still go in
        assert rig.delivery.keys_pressed == []
        assert MESSAGE_KEYS_NOT_AFTER_CUT_SHORT in notices
    finally:
        rig.close()


@pytest.mark.parametrize(
    ("went_into", "keys"), [("0x2b00005", []), ("0x1a00003", ["enter"])], ids=["moved", "stayed"]
)
def test_a_tap_that_followed_the_focus_elsewhere_gets_no_enter_there(
    qtbot: QtBot, rig_in, went_into: str, keys: list[str]
) -> None:  # type: ignore[no-untyped-def]
    # Tapped in one terminal (its profile chosen by that window), the user clicked into
    # vim in another xterm before tapping to stop: the text followed the focus, as a tap's
    # does, and the first terminal's Enter went after it into vim.
    from app.ui.dictation.final_delivery import MESSAGE_KEYS_NOT_IN_ANOTHER_WINDOW

    write_profiles(PROFILES)
    first = WindowIdentity("xterm", "XTerm", "user@host: ~", window_id="0x1a00003")
    rig = rig_in(first)
    rig.delivery.focused = ("xterm", went_into)
    notices: list[str] = []
    rig.controller.notice.connect(lambda _level, message: notices.append(message))
    chosen: list[str] = []
    rig.controller.profile_chosen.connect(chosen.append)
    heard: list[str] = []
    rig.worker.committed.connect(lambda _job, text: heard.append(text))
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        assert rig.controller.start(source="tray")  # a tap: no key held
        qtbot.waitUntil(lambda: "soon" in "".join(heard), timeout=10_000)
        rig.controller.stop()
    assert chosen == ["Terminal"]
    assert rig.delivery.delivered_texts == [PLAIN]
    assert rig.delivery.keys_pressed == keys
    assert (MESSAGE_KEYS_NOT_IN_ANOTHER_WINDOW in notices) == (not keys)


def test_a_dictation_that_lost_sound_gets_no_enter_after_its_words(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A new user's terminal profile pressed Enter after a dictation that lost 1.4 s of sound
    # to a moved stream: bash ran "this is the first sentence … keep top phone away".
    from app.ui.dictation.final_delivery import MESSAGE_KEYS_NOT_AFTER_LOST_SOUND

    write_profiles(PROFILES)
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~")
    rig = build_rig(tmp_path, WORDS, profiles=ProfileChooser(lambda: xterm))
    notices: list[str] = []
    rig.controller.notice.connect(lambda _level, message: notices.append(message))
    try:
        start = rig.mic.ring.position
        assert rig.controller.start(source="hotkey")
        qtbot.waitUntil(lambda: rig.mic.ring.position - start >= 8000)  # something to hear
        rig.mic.lost.emit(1.4, "")  # as the microphone's supervisor reports it
        with qtbot.waitSignal(rig.controller.completed, timeout=15_000):
            rig.controller.stop()
        (entry,) = rig.history.search()
        assert rig.delivery.delivered_texts == [entry.text]  # the words heard still go in
        assert rig.delivery.keys_pressed == []
        assert MESSAGE_KEYS_NOT_AFTER_LOST_SOUND in notices
    finally:
        rig.close()
