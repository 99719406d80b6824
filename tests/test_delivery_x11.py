"""Text delivery on a real X server: exact text in a Qt field and in xterm, by paste and typing.

Layout: one private Xvfb for the module; a Qt line edit and an ``xterm -u8``
(tests.support.target_window) receive the text and report what they got; the
:class:`DeliveryService` under test runs in a helper process
(tests.support.delivery_host). It has to: this process's QApplication is
offscreen (tests/conftest.py) and a process gets one QApplication, while the
service needs ``QT_QPA_PLATFORM=xcb`` on the Xvfb so that its clipboard *is*
the X11 CLIPBOARD/PRIMARY the targets paste from. Clipboard contents are read
back with ``xclip``, i.e. through X, as any other application would see them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from app.core.output.delivery_messages import MESSAGE_NO_WINDOW, MESSAGE_NOT_TAKEN
from app.core.output.x11_keyboard import X11KeyInjector
from tests.support.ci import fail_missing
from tests.support.delivery_host import DeliveryHost
from tests.support.target_window import Target, clipboard_owner, xterm_target
from tests.support.xserver import XServer, running_xvfb

pytestmark = pytest.mark.integration

CJK = "你好世界，今天天气很好"  # noqa: RUF001 (the fullwidth comma is meant)
EMOJI = "Emoji 🎉👍🏽 ok"
# More distinct characters outside the US keymap than Xvfb has spare keycodes
# (19), so typing has to remap keycodes between chunks.
MIXED = (
    "Mixed: naïve café, 東京の天気は晴れです。Привет мир! Ελληνικά κείμενα; "
    '¿Qué tal? 🎉 done — 你好世界，今天天气很好 (ASCII again) ~!@#$%^&*_+{}|:"<>?'  # noqa: RUF001
)
TEXTS = ["Hello, world.", "Café crème, naïve façade — déjà vu", CJK, EMOJI, MIXED]
REPETITIONS = 10


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    if shutil.which("xdotool") is None:
        fail_missing("needs xdotool (apt install xdotool)")
    with running_xvfb() as server:
        yield server


@pytest.fixture(scope="module")
def host(xserver: XServer) -> Iterator[DeliveryHost]:
    service = DeliveryHost(xserver)
    yield service
    service.close()


def _xclip(xserver: XServer, selection: str, target: str) -> bytes:
    if shutil.which("xclip") is None:
        fail_missing("needs xclip (apt install xclip)")
    result = subprocess.run(
        ["xclip", "-o", "-selection", selection, "-t", target],
        env=xserver.env(),
        capture_output=True,
        timeout=10,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize("text", TEXTS, ids=["ascii", "accents", "cjk", "emoji", "mixed"])
@pytest.mark.parametrize("method", ["paste", "type"])
def test_delivers_text_exactly(host: DeliveryHost, target: Target, method: str, text: str) -> None:
    request_id = host.deliver(text, method)
    event = host.next_event("delivered", "failed")
    assert event == {"event": "delivered", "id": request_id, "how": f"{method}d"}
    target.wait_for_text(text)


def test_typing_unicode_is_exact_every_time(host: DeliveryHost, target: Target) -> None:
    # pynput typed "你好" as "你你": the target read a keycode after it was remapped.
    # MIXED needs more keycodes than there are spare, so it remaps mid-text.
    exact = 0
    for _ in range(REPETITIONS):
        for text in (CJK, EMOJI, MIXED):
            target.reset()
            host.deliver(text, "type")
            host.next_event("delivered")
            target.wait_for_text(text)
            exact += 1
    assert exact == 3 * REPETITIONS


def test_paste_restores_previous_clipboard_after_the_target_fetched(
    xserver: XServer, host: DeliveryHost, qt_field: Target
) -> None:
    image = b"\x89PNG\r\n\x1a\n not really an image \x00\xff"
    with clipboard_owner(xserver, {"text/plain": b"what I copied before", "image/png": image}):
        # A restore delay far longer than the wait below: only the target's
        # fetch can end the paste this early (Handy #502 restored too soon).
        host.send("options", method="paste", restore_delay_ms=20_000)
        try:
            qt_field.focus()
            qt_field.reset()
            request_id = host.deliver("the transcript")
            assert host.next_event("delivered", timeout=5)["id"] == request_id
        finally:
            host.send("options", method="paste", restore_delay_ms=500)
        qt_field.wait_for_text("the transcript")
        for selection in ("clipboard", "primary"):
            assert _xclip(xserver, selection, "image/png") == image
            assert _xclip(xserver, selection, "UTF8_STRING") == b"what I copied before"


@pytest.mark.parametrize(
    ("method", "message"), [("paste", MESSAGE_NOT_TAKEN), ("type", MESSAGE_NO_WINDOW)]
)
def test_text_for_no_window_fails_and_stays_on_the_clipboard(
    xserver: XServer, host: DeliveryHost, qt_field: Target, method: str, message: str
) -> None:
    # The target closed while the hotkey was held: the focus fell back to the root window
    # and the pointer is over no window. A paste was marked "pasted" (the old clipboard put
    # back), typing "typed": the words were nowhere but in history.
    qt_field.reset()
    with clipboard_owner(xserver, {"text/plain": b"what I copied before"}):
        _focus_the_root_window(xserver, (1279, 799))
        request_id = host.deliver("the transcript", method)
        event = host.next_event("delivered", "failed")
        assert event == {"event": "failed", "id": request_id, "message": message}
        assert _xclip(xserver, "clipboard", "UTF8_STRING") == b"the transcript"
    assert qt_field.text() == ""


def _focus_the_root_window(xserver: XServer, pointer_at: tuple[int, int]) -> None:
    """What the X server does when the focused window closes and no manager picks another."""
    root = subprocess.run(
        ["xdotool", "search", "--maxdepth", "0", "--name", ""],
        env=xserver.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    x, y = pointer_at
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], env=xserver.env(), check=True)
    subprocess.run(["xdotool", "windowfocus", root], env=xserver.env(), check=True)


def test_with_the_focus_on_the_root_the_window_under_the_pointer_is_the_one_asked_about(
    xserver: XServer, qt_field: Target
) -> None:
    # No window manager, focus on the root: X gives the keys to the window under the
    # pointer, so typing may go ahead, and the checks (class, id, Saytype's own window)
    # look at that window.
    geometry = subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", qt_field.window_id],
        env=xserver.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    place = dict(line.split("=", 1) for line in geometry.split())
    # On top of the other targets (without a window manager they all sit at one place).
    subprocess.run(["xdotool", "windowraise", qt_field.window_id], env=xserver.env(), check=True)
    keyboard = X11KeyInjector(xserver.display)
    try:
        _focus_the_root_window(
            xserver,
            (
                int(place["X"]) + int(place["WIDTH"]) // 2,
                int(place["Y"]) + int(place["HEIGHT"]) // 2,
            ),
        )
        over_the_field = (keyboard.keys_go_nowhere(), keyboard.focused_window_id())
        _focus_the_root_window(xserver, (1279, 799))
        over_nothing = (keyboard.keys_go_nowhere(), keyboard.focused_window_id())
    finally:
        keyboard.close()
    assert over_the_field[0] is False
    assert over_the_field[1] is not None
    assert int(over_the_field[1], 16) == int(qt_field.window_id)
    assert over_nothing == (True, None)


@pytest.mark.parametrize("method", ["paste", "type"])
def test_waits_until_the_hotkey_modifier_is_released(
    xserver: XServer, host: DeliveryHost, target: Target, method: str
) -> None:
    text = "Hello, world. Ctrl+H would have been a backspace"
    subprocess.run(["xdotool", "keydown", "ctrl"], env=xserver.env(), check=True)
    try:
        request_id = host.deliver(text, method)
        assert host.next_event("waiting")["id"] == request_id
        assert target.text() == ""  # it said it waits; a Ctrl+letter would also garble the text
    finally:
        subprocess.run(["xdotool", "keyup", "ctrl"], env=xserver.env(), check=True)
    assert host.next_event("delivered")["id"] == request_id
    target.wait_for_text(text)


@pytest.mark.parametrize("method", ["paste", "type"])
def test_waits_until_the_hotkeys_other_key_is_released_too(
    xserver: XServer, host: DeliveryHost, qt_field: Target, method: str
) -> None:
    # The key of Ctrl+Shift+Space that is not a modifier: while it is down the hotkey's
    # key grab is active, and text sent then went to the grab (F12 here: a Qt field types
    # nothing for it).
    qt_field.focus()
    qt_field.reset()
    text = "Still there after a slow release."
    subprocess.run(["xdotool", "keydown", "F12"], env=xserver.env(), check=True)
    try:
        request_id = host.deliver(text, method)
        assert host.next_event("waiting")["id"] == request_id
        assert qt_field.text() == ""
    finally:
        subprocess.run(["xdotool", "keyup", "F12"], env=xserver.env(), check=True)
    assert host.next_event("delivered")["id"] == request_id
    qt_field.wait_for_text(text)


@pytest.mark.parametrize("method", ["paste", "type"])
def test_failed_delivery_leaves_the_text_on_the_clipboard(xserver: XServer, method: str) -> None:
    broken = DeliveryHost(xserver, keyboard="broken")
    try:
        request_id = broken.deliver("keep me safe 你好", method)
        event = broken.next_event("failed")
        assert event["id"] == request_id
        assert "clipboard" in event["message"]
        assert "keyboard unplugged" in event["message"]
        for selection in ("clipboard", "primary"):
            assert _xclip(xserver, selection, "UTF8_STRING").decode() == "keep me safe 你好"
    finally:
        broken.close()


def test_scratch_that_erases_exactly_the_typed_characters(
    host: DeliveryHost, qt_field: Target
) -> None:
    # "erase" is the one delivery that sends BackSpace: type-as-I-speak's "scratch that".
    qt_field.focus()
    qt_field.reset()
    host.deliver("Buy milk and eggs", "type")
    host.next_event("delivered")
    qt_field.wait_for_text("Buy milk and eggs")
    host.deliver(" and eggs", "erase")  # one BackSpace per character of this text
    assert host.next_event("delivered", "failed")["event"] == "delivered"
    host.deliver(" and bread", "type")
    host.next_event("delivered")
    # Not wait_for_text: the text passes through "Buy milk" on its way, which is no prefix of it.
    assert qt_field.wait_until_text("Buy milk and bread", timeout=10) == "Buy milk and bread"


def test_keyboard_tells_two_terminals_of_one_class_apart(
    xserver: XServer, terminal: Target
) -> None:
    # A type-as-I-speak dictation is pinned to the window its first piece went into; two
    # xterms share the class XTerm, so only the window's id keeps the rest out of the other.
    keyboard = X11KeyInjector(xserver.display)
    try:
        with xterm_target(xserver) as second:
            terminal.focus()
            first = (keyboard.focused_window_class(), keyboard.focused_window_id())
            second.focus()
            other = (keyboard.focused_window_class(), keyboard.focused_window_id())
    finally:
        keyboard.close()
    assert first[0] == other[0] == "XTerm"
    assert first[1] is not None
    assert other[1] is not None
    assert int(first[1], 16) == int(terminal.window_id)
    assert int(other[1], 16) == int(second.window_id)
