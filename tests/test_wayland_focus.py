"""Which app has the focus, asked of the compositor (sway runs in test_paste_wayland.py).

Hyprland cannot run here, so its answer is a recorded ``hyprctl activewindow -j``.
"""

from __future__ import annotations

import json
import subprocess

from app.core.output.wayland_focus import focused_app_id


def _answering(reply: object, returncode: int = 0):  # type: ignore[no-untyped-def]
    def runner(command: list[str], **_kwargs: object):  # type: ignore[no-untyped-def]
        return subprocess.CompletedProcess(command, returncode, json.dumps(reply).encode(), b"")

    return runner


def test_hyprland_names_the_active_windows_class() -> None:
    environ = {"HYPRLAND_INSTANCE_SIGNATURE": "abc"}
    reply = {"address": "0x1", "class": "foot", "title": "~"}
    assert focused_app_id(environ, _answering(reply)) == "foot"


def test_an_xwayland_window_in_sway_is_known_by_its_class() -> None:
    xterm = {
        "type": "con",
        "focused": True,
        "app_id": None,
        "window_properties": {"class": "XTerm"},
    }
    tree = {"type": "root", "nodes": [xterm]}
    assert focused_app_id({"SWAYSOCK": "/run/sway.sock"}, _answering(tree)) == "XTerm"


def test_a_compositor_that_does_not_answer_leaves_the_focus_unknown() -> None:
    assert focused_app_id({"SWAYSOCK": "/run/sway.sock"}, _answering({}, returncode=1)) is None


def test_other_compositors_are_unknown() -> None:
    assert focused_app_id({"WAYLAND_DISPLAY": "wayland-0"}, _answering({"class": "x"})) is None
