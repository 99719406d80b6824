"""Which app has the focus, asked of the compositor (sway runs in test_paste_wayland.py).

Hyprland cannot run here, so its answer is a recorded ``hyprctl activewindow -j``.
"""

from __future__ import annotations

from app.core.output.wayland_focus import focused_app_id, focused_window_address, nothing_focused
from tests.support.canned_run import answering


def test_hyprland_names_the_active_windows_class() -> None:
    environ = {"HYPRLAND_INSTANCE_SIGNATURE": "abc"}
    reply = {"address": "0x1", "class": "foot", "title": "~"}
    assert focused_app_id(environ, answering(reply)) == "foot"


def test_an_xwayland_window_in_sway_is_known_by_its_class() -> None:
    xterm = {
        "type": "con",
        "focused": True,
        "app_id": None,
        "window_properties": {"class": "XTerm"},
    }
    tree = {"type": "root", "nodes": [xterm]}
    assert focused_app_id({"SWAYSOCK": "/run/sway.sock"}, answering(tree)) == "XTerm"


def test_a_compositor_that_does_not_answer_leaves_the_focus_unknown() -> None:
    assert focused_app_id({"SWAYSOCK": "/run/sway.sock"}, answering({}, returncode=1)) is None


def test_other_compositors_are_unknown() -> None:
    assert focused_app_id({"WAYLAND_DISPLAY": "wayland-0"}, answering({"class": "x"})) is None


def test_two_windows_of_one_app_are_told_apart_by_the_compositors_id() -> None:
    # Type-as-I-speak keeps a dictation to the window its first piece went into: a second
    # foot terminal has the same app id, so only the window's own id tells them apart.
    def foot(con_id: int, focused: bool) -> dict[str, object]:
        return {"type": "con", "id": con_id, "focused": focused, "app_id": "foot"}

    sway = {"SWAYSOCK": "/run/sway.sock"}
    first = {"type": "root", "nodes": [foot(4, True), foot(7, False)]}
    second = {"type": "root", "nodes": [foot(4, False), foot(7, True)]}
    assert focused_app_id(sway, answering(first)) == focused_app_id(sway, answering(second))
    assert focused_window_address(sway, answering(first)) == "4"
    assert focused_window_address(sway, answering(second)) == "7"
    hyprland = {"HYPRLAND_INSTANCE_SIGNATURE": "abc"}
    reply = {"address": "0x55d0", "class": "foot", "title": "~"}
    assert focused_window_address(hyprland, answering(reply)) == "0x55d0"
    assert focused_window_address({"WAYLAND_DISPLAY": "wayland-0"}, answering(reply)) is None


def test_an_empty_workspace_or_no_active_window_means_keys_go_nowhere() -> None:
    hyprland = {"HYPRLAND_INSTANCE_SIGNATURE": "abc"}
    assert nothing_focused(hyprland, answering({}))  # hyprctl's reply with no window
    assert not nothing_focused(hyprland, answering({"address": "0x1", "class": "foot"}))
    sway = {"SWAYSOCK": "/run/sway.sock"}
    empty = {"type": "root", "nodes": [{"type": "workspace", "focused": True, "nodes": []}]}
    assert nothing_focused(sway, answering(empty))
    # Unknown is not "nowhere": the text goes ahead where the compositor cannot tell.
    assert not nothing_focused(sway, answering({}, returncode=1))
    assert not nothing_focused({"WAYLAND_DISPLAY": "wayland-0"}, answering({}))
