"""Whether the compositor runs Saytype's commands on a key already: asked of a real sway.

Hyprland cannot run here, so its answer is a recorded ``hyprctl binds -j``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.hotkeys.bound_keys import old_hold_bindings, saytype_is_bound
from app.core.hotkeys.chord import DEFAULT_CHORD
from app.core.hotkeys.compositor_bindings import binding_lines
from app.core.settings import Settings
from app.ui.dictation.hotkey_setup import build_hotkey_bridge
from tests.support.canned_run import answering
from tests.support.sway_session import SwaySession, running_sway


@pytest.fixture(scope="module")
def included() -> Iterator[Path]:
    """A folder of sway configuration pieces, as ~/.config/sway/config.d is."""
    folder = Path(tempfile.mkdtemp(prefix="saytype-sway-include-"))
    folder.chmod(0o755)  # sway may run as another user
    (folder / "saytype.conf").write_text(binding_lines("sway", DEFAULT_CHORD), encoding="utf-8")
    (folder / "saytype.conf").chmod(0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def bound_sway(included: Path) -> Iterator[SwaySession]:
    with running_sway(extra_config=f"include {included}/*.conf\n") as session:
        yield session


@pytest.fixture(scope="module")
def bare_sway() -> Iterator[SwaySession]:
    with running_sway() as session:
        yield session


@pytest.mark.integration
def test_bindings_in_sways_own_or_an_included_file_are_found(
    bound_sway: SwaySession, bare_sway: SwaySession
) -> None:
    assert saytype_is_bound(bound_sway.client_env()) is True
    assert saytype_is_bound(bare_sway.client_env()) is False
    with running_sway(extra_config="bindsym F9 exec ~/.local/bin/saytype toggle\n") as own:
        assert saytype_is_bound(own.client_env()) is True


def test_hyprland_binds_and_other_desktops() -> None:
    hyprland = {"HYPRLAND_INSTANCE_SIGNATURE": "abc"}
    start = [{"key": "space", "dispatcher": "exec", "arg": "saytype start"}]
    assert saytype_is_bound(hyprland, answering(start)) is True
    other = [{"key": "Return", "dispatcher": "exec", "arg": "foot"}]
    assert saytype_is_bound(hyprland, answering(other)) is False
    assert saytype_is_bound(hyprland, answering([], returncode=1)) is None
    assert saytype_is_bound({"WAYLAND_DISPLAY": "wayland-0"}, answering([])) is None


@pytest.mark.integration
@pytest.mark.gui
@pytest.mark.parametrize("bound", [True, False], ids=["bound", "not-bound"])
def test_the_window_says_hotkeys_are_unavailable_only_until_they_are_bound(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    bound_sway: SwaySession,
    bare_sway: SwaySession,
    bound: bool,
) -> None:
    # A new user on sway saw "Global hotkeys are not available" at every start, with the
    # bindings `saytype keys` printed long in place.
    session = bound_sway if bound else bare_sway
    monkeypatch.delenv("DISPLAY", raising=False)
    for name, value in session.client_env().items():
        if name in {"WAYLAND_DISPLAY", "SWAYSOCK", "XDG_RUNTIME_DIR"}:
            monkeypatch.setenv(name, value)
    assert "DISPLAY" not in os.environ
    told: list[tuple[str, str]] = []
    hotkeys = build_hotkey_bridge(Settings(), [], lambda level, text: told.append((level, text)))
    with qtbot.waitSignal(hotkeys.error):
        hotkeys.start()
    hotkeys.stop()
    if bound:
        assert told == []
    else:
        [(level, text)] = told
        assert level == "warning"
        assert text.endswith('"saytype keys" prints the lines for yours.')


OLD_LINES = (
    "bindsym --no-repeat Ctrl+Shift+space exec saytype start\n"
    "bindsym --release Ctrl+Shift+space exec saytype stop\n"
)


@pytest.mark.integration
@pytest.mark.gui
def test_an_older_saytypes_start_and_stop_lines_are_named_with_their_replacement(
    monkeypatch: pytest.MonkeyPatch, bound_sway: SwaySession
) -> None:
    """With `stop` on the release a quick tap could leave the microphone open (0054): the
    window and doctor say to print the lines again, once; today's lines are no news."""
    assert old_hold_bindings(bound_sway.client_env()) is False
    with running_sway(extra_config=OLD_LINES) as old:
        assert saytype_is_bound(old.client_env()) is True  # they still hold to talk
        assert old_hold_bindings(old.client_env()) is True
        monkeypatch.delenv("DISPLAY", raising=False)
        for name, value in old.client_env().items():
            if name in {"WAYLAND_DISPLAY", "SWAYSOCK", "XDG_RUNTIME_DIR"}:
                monkeypatch.setenv(name, value)
        notices: list[tuple[str, str]] = []
        build_hotkey_bridge(Settings(), notices, lambda level, text: None)
    [(level, text)] = notices
    assert level == "warning"
    assert "`saytype keys --print sway` prints" in text
    assert "a quick tap can leave the microphone open" in text


def test_hyprlands_release_binds_that_stop_are_an_older_saytypes() -> None:
    hyprland = {"HYPRLAND_INSTANCE_SIGNATURE": "abc"}
    old = [
        {"key": "space", "dispatcher": "exec", "arg": "saytype start", "release": False},
        {"key": "space", "dispatcher": "exec", "arg": "saytype stop", "release": True},
    ]
    assert old_hold_bindings(hyprland, answering(old)) is True
    new = [
        {"key": "space", "dispatcher": "exec", "arg": "saytype press", "release": False},
        {"key": "space", "dispatcher": "exec", "arg": "saytype release", "release": True},
    ]
    assert old_hold_bindings(hyprland, answering(new)) is False
    assert saytype_is_bound(hyprland, answering(new)) is True
    assert old_hold_bindings({"WAYLAND_DISPLAY": "wayland-0"}, answering([])) is False
