"""Held modifiers read from the kernel for the uinput route (app/core/output/evdev_keys.py).

This sandbox has no ``/dev/input`` (nor ``/dev/uinput``), so no real keyboard's
state can be read here: the bitmask decoding is checked on bitmasks as the
kernel lays them out, devices that cannot be read are skipped, the ioctl on
files that are no input device answers None, and the uinput keyboard's text
waits while the kernel says Ctrl is down (with a recording ydotool).
"""

from __future__ import annotations

import stat
from pathlib import Path

from app.core.output.evdev_keys import (
    EVIOCGKEY,
    held_modifiers,
    modifiers_held,
    read_key_state,
)
from app.core.output.text_delivery import wait_for_modifier_release
from app.core.output.uinput_keyboard import UinputKeyInjector


def bitmask(*codes: int) -> bytes:
    state = bytearray(96)
    for code in codes:
        state[code // 8] |= 1 << (code % 8)
    return bytes(state)


def test_the_ioctl_number_is_the_kernels() -> None:
    # _IOR('E', 0x18, 96) as <linux/input.h> computes it for KEY_MAX 0x2ff.
    assert EVIOCGKEY == 0x80604518


def test_modifier_keys_in_the_bitmask_are_named() -> None:
    assert held_modifiers(bitmask()) == frozenset()
    assert held_modifiers(bitmask(30, 57)) == frozenset()  # A and Space: no modifier
    assert held_modifiers(bitmask(29, 126)) == {"control", "mod4"}  # left Ctrl, right Super
    assert held_modifiers(bitmask(54, 100)) == {"shift", "mod5"}  # right Shift, AltGr


def test_every_readable_keyboard_counts_and_unreadable_ones_are_skipped() -> None:
    states = {
        "/dev/input/event0": None,
        "/dev/input/event1": bitmask(42),
        "/dev/input/event2": bitmask(30),
    }
    assert modifiers_held(states, read=states.__getitem__) == {"shift"}
    assert modifiers_held([], read=states.__getitem__) == frozenset()


def test_files_that_are_no_input_device_give_no_state(tmp_path: Path) -> None:
    plain = tmp_path / "event0"
    plain.write_bytes(b"")
    assert read_key_state(str(plain)) is None  # the ioctl is refused (ENOTTY)
    assert read_key_state("/dev/null") is None
    assert read_key_state(str(tmp_path / "unplugged")) is None


def test_uinput_text_waits_while_the_kernel_says_ctrl_is_held(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    ydotool = tmp_path / "ydotool"
    ydotool.write_text(
        '#!/bin/sh\nif [ "$1" = "--help" ]; then echo "Usage: ydotool"; exit 0; fi\n'
        f'printf "%s\\n" "$*" >> "{log}"; cat > /dev/null\n'
    )
    ydotool.chmod(ydotool.stat().st_mode | stat.S_IXUSR)
    answers = [{"control"}, {"control"}, set()]
    asked: list[frozenset[str]] = []

    def kernel() -> frozenset[str]:
        asked.append(frozenset(answers.pop(0) if answers else ()))
        return asked[-1]

    keyboard = UinputKeyInjector(
        {"PATH": f"{tmp_path}:/usr/bin:/bin"}, tool="ydotool", held_modifiers=kernel
    )
    waited: list[frozenset[str]] = []
    now = [0.0]
    wait_for_modifier_release(
        keyboard, 5.0, on_waiting=waited.append, clock=lambda: now[0], pause=lambda s: None
    )
    assert waited == [{"control"}]
    assert answers == []  # asked until the kernel said nothing is held
    keyboard.type_text("ok")
    assert log.read_text().splitlines() == ["type --file /dev/stdin"]
