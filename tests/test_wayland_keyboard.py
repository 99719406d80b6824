"""The wtype keyboard without a compositor: the commands it runs, and its failures."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.output.delivery_queue import DeliveryQueue
from app.core.output.text_delivery import InjectionError, inject
from app.core.output.wayland_keyboard import WtypeKeyInjector, chord_args, wtype_calls


class Recorder:
    """Stands in for subprocess.run: records commands, answers with a chosen result."""

    def __init__(self, returncode: int = 0, stderr: bytes = b"") -> None:
        self.commands: list[list[str]] = []
        self.returncode = returncode
        self.stderr = stderr

    def __call__(self, command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[bytes]:
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode, b"", self.stderr)


class FakeHolder:
    """Stands in for the idle keyboard's process: alive until told otherwise."""

    def __init__(self, command: list[str], **_kwargs: object) -> None:
        self.command = command
        self.returncode: int | None = None
        self.stdin = None

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self.returncode = 0
        return 0


class Starter:
    """Stands in for subprocess.Popen: records the idle keyboards it starts."""

    def __init__(self) -> None:
        self.started: list[FakeHolder] = []

    def __call__(self, command: list[str], **kwargs: object) -> FakeHolder:
        self.started.append(FakeHolder(command, **kwargs))
        return self.started[-1]


def _keyboard(recorder: Recorder, starter: Starter | None = None) -> WtypeKeyInjector:
    return WtypeKeyInjector({}, program="wtype", runner=recorder, starter=starter or Starter())


def test_unicode_text_is_one_call_after_the_primer() -> None:
    recorder = Recorder()
    _keyboard(recorder).type_text("Héllo wörld — 10 € ✓")
    assert recorder.commands == [["wtype", "Héllo wörld — 10 € ✓"]]


def test_newlines_and_tabs_are_keys_and_texts_never_touch() -> None:
    assert wtype_calls("a\nb\tc") == [["a", "-k", "Return", "b", "-k", "Tab", "c"]]
    assert wtype_calls("\n\n") == [["-k", "Return", "-k", "Return"]]


def test_a_leading_dash_is_the_minus_key_not_an_option() -> None:
    assert wtype_calls("-5 and a-b") == [["-k", "minus", "5 and a-b"]]
    assert wtype_calls("x\n--k") == [["x", "-k", "Return", "-k", "minus", "-k", "minus", "k"]]


def test_a_named_key_never_shares_a_call_with_the_character_of_its_number() -> None:
    # Return is keysym 0xFF0D, the code point of the fullwidth hyphen-minus.
    assert wtype_calls("a\uff0db\nc") == [["a\uff0db"], ["-k", "Return", "c"]]
    assert wtype_calls("a\tb\uff09") == [["a", "-k", "Tab", "b"], ["\uff09"]]


def test_empty_text_runs_nothing() -> None:
    recorder = Recorder()
    _keyboard(recorder).type_text("")
    assert recorder.commands == []


@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
        | st.sampled_from("\n\t-")
    )
)
def test_the_calls_type_back_the_text(text: str) -> None:
    names = {"Return": "\n", "Tab": "\t", "minus": "-"}
    typed = ""
    for call in wtype_calls(text):
        args = iter(call)
        previous_was_text = False
        for arg in args:
            if arg == "-k":
                typed += names[next(args)]
                previous_was_text = False
            else:
                assert not previous_was_text, "wtype would join adjacent texts with a space"
                assert not arg.startswith("-"), "wtype would read it as an option"
                typed += arg
                previous_was_text = True
    assert typed == text.replace("\r", "\n")


def test_chords_hold_modifiers_around_the_keys() -> None:
    assert chord_args(["ctrl", "shift", "v"]) == [
        "-M", "ctrl", "-M", "shift", "-P", "v", "-p", "v", "-m", "shift", "-m", "ctrl",
    ]  # fmt: skip
    assert chord_args(["shift", "insert"]) == [
        "-M",
        "shift",
        "-P",
        "Insert",
        "-p",
        "Insert",
        "-m",
        "shift",
    ]


def test_scratch_that_sends_backspaces_through_wtype() -> None:
    recorder = Recorder()
    assert inject(DeliveryQueue().add("abc", "erase"), _keyboard(recorder)) == "erased"
    assert recorder.commands == [["wtype", "-P", "BackSpace", "-p", "BackSpace"]] * 3


def test_a_compositor_without_the_protocol_fails_with_wtypes_words() -> None:
    recorder = Recorder(1, b"Compositor does not support the virtual keyboard protocol\n")
    with pytest.raises(InjectionError, match="does not support the virtual keyboard protocol"):
        _keyboard(recorder).type_text("hi")


def test_a_hung_wtype_is_an_injection_error() -> None:
    def hang(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        raise subprocess.TimeoutExpired(command, float(str(kwargs["timeout"])))

    with pytest.raises(InjectionError, match="did not finish"):
        WtypeKeyInjector({}, program="wtype", runner=hang, starter=Starter()).type_text("hi")


def test_wayland_shows_no_held_keys_and_no_focused_window() -> None:
    keyboard = _keyboard(Recorder())
    assert keyboard.modifiers_down() == frozenset()
    assert keyboard.focused_window_class() is None
    assert keyboard.focused_window_pid() is None


def test_an_idle_keyboard_stays_on_the_seat_while_the_injector_is_open() -> None:
    starter = Starter()
    keyboard = _keyboard(Recorder(), starter)
    assert len(starter.started) == 1  # from the start, before any text
    holder = starter.started[0]
    assert holder.command[:2] == ["sh", "-c"]
    assert holder.command[3:6] == ["wtype", "-s", "600000"]
    keyboard.type_text("a")
    keyboard.send_chord(["backspace"])
    assert len(starter.started) == 1
    keyboard.close()
    assert holder.returncode == 0


def test_an_idle_keyboard_that_ended_is_started_again_before_the_next_text() -> None:
    starter = Starter()
    keyboard = _keyboard(Recorder(), starter)
    starter.started[0].returncode = 1  # the compositor went away, say
    keyboard.type_text("a")
    assert len(starter.started) == 2
