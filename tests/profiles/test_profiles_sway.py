"""On sway, the profile rules see the focused window's app id, as X11's WM_CLASS.

A real headless sway session and a real foot window with the focus: sway's IPC
names the window, and the profile whose rule matches its app id is chosen.
A window of another app id, and a session that is not sway, get the Default
profile. Xwayland windows (off in the test session) are matched by their X11
WM_CLASS, checked on a reply sway gives for them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.profiles.profile import DEFAULT_PROFILE, Profile
from app.core.profiles.profile_rules import ProfileBook, WindowIdentity
from app.core.profiles.sway_focus import (
    SwayFocusedWindow,
    focused_in_tree,
    last_focused_in_tree,
)
from tests.support.sway_session import SwaySession, running_sway
from tests.support.wayland_targets import foot_target

pytestmark = pytest.mark.integration

BOOK = ProfileBook(
    profiles=(Profile("Notes", window_class="^saytype-notes$", overrides={"style": "plain"}),)
)


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    with running_sway() as session:
        yield session


def test_the_focused_foot_window_picks_its_profile(sway: SwaySession) -> None:
    lookup = SwayFocusedWindow.from_environment({"SWAYSOCK": str(sway.ipc_socket)})
    assert lookup is not None
    with foot_target(sway, "notes"):
        window = lookup.identify()
        assert window is not None
        assert (window.instance, window.window_class) == ("saytype-notes", "saytype-notes")
        assert BOOK.choose(window).name == "Notes"
    with foot_target(sway, "other"):
        window = lookup.identify()
        assert window is not None
        assert window.window_class == "saytype-other"
        assert BOOK.choose(window).name == DEFAULT_PROFILE


def test_outside_sway_nothing_is_asked() -> None:
    assert SwayFocusedWindow.from_environment({"WAYLAND_DISPLAY": "wayland-0"}) is None


def test_an_xwayland_window_is_matched_by_its_wm_class() -> None:
    tree = {
        "type": "root",
        "nodes": [
            {
                "type": "workspace",
                "nodes": [
                    {"type": "con", "focused": False, "app_id": "foot", "name": "shell"},
                    {
                        "type": "con",
                        "focused": True,
                        "app_id": None,
                        "name": "user@host: ~",
                        "window_properties": {"class": "XTerm", "instance": "xterm"},
                    },
                ],
            }
        ],
    }
    assert focused_in_tree(tree) == WindowIdentity("xterm", "XTerm", "user@host: ~")
    assert focused_in_tree({"type": "root", "focused": True, "nodes": []}) is None


def pid_of(sway: SwaySession, app_id: str) -> int:
    """The process of the window with ``app_id``, as sway's tree says."""
    nodes = [sway.swaymsg("-t", "get_tree")]
    while nodes:
        node = nodes.pop()
        assert isinstance(node, dict)
        if node.get("app_id") == app_id:
            return int(node["pid"])
        nodes += [*node.get("nodes", []), *node.get("floating_nodes", [])]
    raise AssertionError(f"no window {app_id}")


def test_the_app_used_last_before_saytype_is_found(sway: SwaySession) -> None:
    lookup = SwayFocusedWindow.from_environment({"SWAYSOCK": str(sway.ipc_socket)})
    assert lookup is not None
    with foot_target(sway, "mail"), foot_target(sway, "chat"), foot_target(sway, "own"):
        own = pid_of(sway, "saytype-own")
        found = lookup.last_other(own)  # focused in the order mail, chat, own
        assert found is not None
        assert found.window_class == "saytype-chat"
        sway.swaymsg('[app_id="saytype-mail"] focus')
        sway.swaymsg('[app_id="saytype-own"] focus')
        found = lookup.last_other(own)
        assert found is not None
        assert found.window_class == "saytype-mail"


def test_focus_lists_are_followed_newest_first_and_the_own_window_skipped() -> None:
    def window(node_id: int, app_id: str, pid: int) -> dict[str, object]:
        return {"id": node_id, "type": "con", "app_id": app_id, "pid": pid, "nodes": []}

    tree = {
        "id": 1,
        "type": "root",
        "focus": [2],
        "nodes": [
            {
                "id": 2,
                "type": "workspace",
                "focus": [5, 3, 4],  # newest first: own, then the split, then the editor
                "nodes": [
                    window(4, "editor", 40),
                    {
                        "id": 3,
                        "type": "con",
                        "focus": [7, 6],
                        "nodes": [window(6, "mail", 60), window(7, "chat", 70)],
                    },
                ],
                "floating_nodes": [{**window(5, "saytype", 50), "type": "floating_con"}],
            }
        ],
    }
    assert last_focused_in_tree(tree, own_pid=50) == WindowIdentity("chat", "chat", "")
    assert last_focused_in_tree(tree, own_pid=1) == WindowIdentity("saytype", "saytype", "")
    assert last_focused_in_tree({"type": "root", "nodes": []}, own_pid=1) is None
