"""The uinput keyboard (ydotool, dotool): the real ydotool's failure here, and the commands it runs.

This sandbox has no ``/dev/uinput``, so no keystroke from ydotool or dotool can
be observed: the real ydotool (``.ci/test`` installs Debian's 0.1.8) fails, and
the tests check that Saytype turns that into one sentence a user can act on and
keeps the text. For the argument sequences, small recording scripts named
ydotool/dotool on ``PATH`` append their arguments and stdin to a file.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import PASTE_KEYS
from app.core.output.delivery_route import DeliveryRoute
from app.core.output.text_delivery import InjectionError, KeysPressed
from app.core.output.uinput_keyboard import (
    BURST_CHARS,
    MESSAGE_NO_DAEMON,
    MESSAGE_NO_UINPUT,
    UinputKeyInjector,
    UinputTool,
    uinput_steps,
)
from app.ui.dictation.delivery_service import DeliveryService
from tests.support.ci import fail_missing

# --help as each generation answers it: 1.x on stdout with exit 0, 0.1.8 on stderr with exit 1.
_MODERN_HELP = 'echo "Usage: ydotool [OPTION] <cmd> <args>"; echo "  -V, --version"; exit 0'
_LEGACY_HELP = 'echo "Usage: ydotool <cmd> <args>" >&2; exit 1'
_RECORD = """#!/bin/sh
if [ "$1" = "--help" ]; then {help}; fi
printf '%s\\n' "$(basename "$0") $*" >> "{log}"
if [ "$1" = "type" ] || [ "$(basename "$0")" = "dotool" ]; then
    printf 'stdin[%s]\\n' "$(cat)" >> "{log}"
fi
{tail}
"""


class Recording:
    """A folder on PATH with a recording ydotool or dotool, and what it was asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = folder / "calls.log"
        self.log.touch()

    def install(self, name: str, help_text: str = _MODERN_HELP, tail: str = "exit 0") -> None:
        script = self.folder / name
        script.write_text(_RECORD.format(help=help_text, log=self.log, tail=tail))
        script.chmod(script.stat().st_mode | stat.S_IXUSR)

    def keyboard(self, tool: UinputTool, clipboard: FakePaster | None = None) -> UinputKeyInjector:
        environ = {"PATH": f"{self.folder}:/usr/bin:/bin"}
        return UinputKeyInjector(environ, tool=tool, clipboard=clipboard)

    def calls(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


class FakePaster:
    """Stands in for the Wayland clipboard: notes the pasted text, then sends the paste keys."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def paste(self, text: str, send_paste_keys: Callable[[], None], restore_delay_s: float) -> bool:
        with self.log.open("a", encoding="utf-8") as file:
            file.write(f"clipboard[{text}]\n")
        send_paste_keys()
        with self.log.open("a", encoding="utf-8") as file:
            file.write("clipboard restored\n")
        return True


@pytest.fixture
def recording(tmp_path: Path) -> Recording:
    return Recording(tmp_path)


@pytest.fixture
def real_ydotool() -> str:
    path = shutil.which("ydotool")
    if path is None:
        fail_missing("needs the real ydotool (sudo apt install ydotool)")
    if os.access("/dev/uinput", os.W_OK):
        # The real ydotool would type into this desktop; CI has no /dev/uinput.
        fail_missing("/dev/uinput is writable here")
    return path


# ---- the real ydotool, without /dev/uinput ----------------------------------------------------


def test_the_real_ydotool_without_uinput_fails_with_the_setup_sentence(real_ydotool: str) -> None:
    keyboard = UinputKeyInjector({"PATH": str(Path(real_ydotool).parent)}, tool="ydotool")
    with pytest.raises(InjectionError) as typing:
        keyboard.type_text("hello")
    with pytest.raises(InjectionError) as pressing:
        keyboard.send_chord(("ctrl", "v"))
    assert str(typing.value) == str(pressing.value) == MESSAGE_NO_UINPUT
    assert "sudo usermod -aG input $USER" in MESSAGE_NO_UINPUT
    assert MESSAGE_NO_UINPUT.endswith("then log in again")


@pytest.mark.gui
def test_the_delivery_service_keeps_the_text_when_the_real_ydotool_fails(
    qtbot: QtBot, real_ydotool: str
) -> None:
    """The route as on GNOME before the setup: the failure names it; the text is kept."""
    environ = {"PATH": str(Path(real_ydotool).parent), "WAYLAND_DISPLAY": "wayland-9"}
    route = DeliveryRoute("wayland-uinput", "GNOME offers no virtual keyboard.", environ)
    service = DeliveryService(route=route)
    QGuiApplication.clipboard().setText("older")
    try:
        with qtbot.waitSignal(service.failed, timeout=10_000) as failed:
            service.deliver("dictated words", "paste")  # no Wayland clipboard: typed
    finally:
        service.shutdown()
    assert failed.args is not None
    assert MESSAGE_NO_UINPUT in failed.args[1]
    assert failed.args[1].endswith(f"The text is on the clipboard; paste it with {PASTE_KEYS}.")
    assert QGuiApplication.clipboard().text() == "dictated words"


# ---- what is typed, keyed and pasted, in order -----------------------------------------------


def test_ascii_is_typed_newlines_and_tabs_are_keys_the_rest_is_pasted_in_place() -> None:
    assert uinput_steps("Café au\tlait ✓✓\n-x") == [
        ("type", "Caf"),
        ("paste", "é"),
        ("type", " au"),
        ("key", "tab"),
        ("type", "lait "),
        ("paste", "✓✓"),
        ("key", "enter"),
        ("type", "-x"),
    ]


def test_ydotool_1_types_on_stdin_and_presses_evdev_codes(recording: Recording) -> None:
    recording.install("ydotool")
    keyboard = recording.keyboard("ydotool", FakePaster(recording.log))
    keyboard.type_text("-5 Café\n")
    keyboard.send_chord(("ctrl", "shift", "v"))
    keyboard.send_chord(("backspace",))
    assert recording.calls() == [
        "ydotool type --file /dev/stdin",
        "stdin[-5 Caf]",  # a leading "-" on stdin is no option
        "clipboard[é]",
        "ydotool key 29:1 47:1 47:0 29:0",  # Ctrl+V: no app id known outside sway/Hyprland
        "clipboard restored",
        "ydotool key 28:1 28:0",  # Enter
        "ydotool key 29:1 42:1 47:1 47:0 42:0 29:0",
        "ydotool key 14:1 14:0",
    ]


def test_ydotool_types_in_bursts_and_stops_when_keys_go_down(recording: Recording) -> None:
    # ydotool types a key every few milliseconds: a Ctrl pressed during a long text made
    # the rest of it shortcuts. Each burst goes out after a look at the keys held.
    recording.install("ydotool")
    looks: list[int] = []

    def kernel() -> frozenset[str]:
        looks.append(len(looks))
        return frozenset({"control"}) if len(looks) == 3 else frozenset()

    keyboard = UinputKeyInjector(
        {"PATH": f"{recording.folder}:/usr/bin:/bin"}, tool="ydotool", held_modifiers=kernel
    )
    with pytest.raises(KeysPressed) as pressed:
        keyboard.type_text("one two three four")
    assert pressed.value.typed == 2 * BURST_CHARS
    assert recording.calls() == [
        "ydotool type --file /dev/stdin",
        "stdin[one two ]",
        "ydotool type --file /dev/stdin",
        "stdin[three fo]",
    ]


def test_ydotool_0_1_8_presses_keys_by_name(recording: Recording) -> None:
    recording.install("ydotool", _LEGACY_HELP)
    keyboard = recording.keyboard("ydotool")
    keyboard.type_text("a\tb")
    keyboard.send_chord(("shift", "insert"))
    assert recording.calls() == [
        "ydotool type --file /dev/stdin",
        "stdin[a]",
        "ydotool key tab",
        "ydotool type --file /dev/stdin",
        "stdin[b]",
        "ydotool key shift+insert",
    ]


def test_dotool_gets_one_run_of_commands_on_stdin_between_pastes(recording: Recording) -> None:
    recording.install("dotool")
    keyboard = recording.keyboard("dotool", FakePaster(recording.log))
    keyboard.type_text("10 € ok\n")
    keyboard.send_chord(("enter",))
    assert recording.calls() == [
        "dotool ",
        "stdin[type 10 ]",  # "$(cat)" drops the last newline
        "clipboard[€]",
        "dotool ",
        "stdin[key ctrl+v]",
        "clipboard restored",
        "dotool ",
        "stdin[type  ok",
        "key enter]",
        "dotool ",
        "stdin[key enter]",
    ]


def test_text_the_layout_lacks_fails_before_any_key_without_a_clipboard(
    recording: Recording,
) -> None:
    recording.install("ydotool")
    keyboard = recording.keyboard("ydotool")
    with pytest.raises(InjectionError, match=r"é ✓ cannot be typed through /dev/uinput"):
        keyboard.type_text("typed first? é and ✓")
    assert recording.calls() == []  # nothing typed by halves


def test_ydotool_1_without_its_daemon_says_start_ydotoold(recording: Recording) -> None:
    failed = (
        "echo 'failed to connect socket /run/user/1000/.ydotool_socket: No such file'; "
        'echo "Please check if ydotoold is running."; exit 2'
    )
    recording.install("ydotool", tail=failed)
    with pytest.raises(InjectionError) as failure:
        recording.keyboard("ydotool").type_text("words")
    assert str(failure.value) == MESSAGE_NO_DAEMON
    assert "words" not in str(failure.value)


def test_no_tool_on_path_names_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(InjectionError, match="sudo apt install ydotool"):
        UinputKeyInjector({"PATH": str(tmp_path)})
