"""The bindings `saytype keys` prints per compositor (sway runs them in test_keys_sway.py)."""

from __future__ import annotations

import pytest

from app.core.hotkeys.chord import DEFAULT_CHORD, parse_chord
from app.core.hotkeys.compositor_bindings import Compositor, binding_lines, detect_compositor
from app.core.hotkeys.gesture import GestureMode


def _commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_hyprland_tells_the_press_and_the_release() -> None:
    assert _commands(binding_lines("hyprland", DEFAULT_CHORD)) == [
        "bind = CTRL SHIFT, space, exec, saytype press",
        "bindr = CTRL SHIFT, space, exec, saytype release",
        "bind = CTRL SHIFT, Escape, exec, saytype cancel",
    ]


@pytest.mark.parametrize("compositor", ["sway", "hyprland"])
@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("auto", "hold Ctrl+Shift+Space to dictate, or tap it to start and tap again to finish"),
        ("hold", "hold Ctrl+Shift+Space to dictate;"),
        ("toggle", "tap Ctrl+Shift+Space to start and again to finish"),
    ],
)
def test_the_same_lines_serve_every_hotkey_mode(
    compositor: Compositor, mode: GestureMode, said: str
) -> None:
    """Saytype applies the mode of Settings to the press and the release, so changing it
    needs no new binding; the comment says what the key does now."""
    text = binding_lines(compositor, DEFAULT_CHORD, mode=mode)
    assert _commands(text) == _commands(binding_lines(compositor, DEFAULT_CHORD))
    assert said in text


def test_a_hotkey_without_modifiers_cancels_with_shift_not_a_bare_escape() -> None:
    """A bare Escape bound in sway never reaches any app again."""
    commands = _commands(binding_lines("sway", parse_chord("f9")))
    assert commands[-1] == "bindsym Shift+F9 exec saytype cancel"
    assert not any("Escape" in command for command in commands)


def test_gnome_toggles_and_names_both_shortcuts_in_gsettings_syntax() -> None:
    commands = _commands(binding_lines("gnome", parse_chord("super+alt+d")))
    assert commands[0].endswith("saytype-toggle/', '/org/gnome/settings-daemon/plugins/"
                                "media-keys/custom-keybindings/saytype-cancel/']\"")  # fmt: skip
    assert commands[2].endswith("command 'saytype toggle'")
    assert commands[3].endswith("binding '<Alt><Super>d'")
    assert commands[5].endswith("command 'saytype cancel'")
    assert commands[6].endswith("binding '<Alt><Super>Escape'")


def test_kde_toggles_on_the_shortcut_people_see() -> None:
    assert _commands(binding_lines("kde", DEFAULT_CHORD)) == [
        "saytype toggle\tCtrl+Shift+Space",
        "saytype cancel\tCtrl+Shift+Esc",
    ]


@pytest.mark.parametrize(
    ("hotkey", "sway_keys"),
    [
        ("super+alt+f5", "Mod1+Mod4+F5"),
        ("ctrl+altgr+page_up", "Ctrl+Mod5+Prior"),
        ("ctrl++", "Ctrl+plus"),
        ("ctrl+shift+enter", "Ctrl+Shift+Return"),
    ],
)
def test_sway_spells_keys_as_xkb_does(hotkey: str, sway_keys: str) -> None:
    first = _commands(binding_lines("sway", parse_chord(hotkey)))[0]
    assert first == f"bindsym --no-repeat {sway_keys} exec saytype press"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SWAYSOCK": "/run/user/1000/sway-ipc.sock"}, "sway"),
        ({"HYPRLAND_INSTANCE_SIGNATURE": "x"}, "hyprland"),
        ({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, "gnome"),
        ({"XDG_CURRENT_DESKTOP": "KDE"}, "kde"),
        ({"XDG_CURRENT_DESKTOP": "XFCE"}, None),
    ],
)
def test_the_session_names_its_compositor(environ: dict[str, str], expected: str | None) -> None:
    assert detect_compositor(environ) == expected
