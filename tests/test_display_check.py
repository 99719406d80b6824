"""Without a display (or Qt's xcb libraries) ``saytype`` says so in one sentence and exits 1.

Qt itself would abort the process (exit status 134) with advice to reinstall.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.display_check import XCB_LIBRARIES, display_problem
from tests.support.ci import fail_missing

ROOT = Path(__file__).resolve().parents[1]


def everything_loads(_soname: str) -> bool:
    return True


def nothing_loads(soname: str) -> bool:
    raise AssertionError(f"{soname} need not be looked at")


def test_no_display_at_all_is_one_sentence() -> None:
    problem = display_problem({"HOME": "/home/user"}, nothing_loads)
    assert problem == (
        "no graphical display found (DISPLAY and WAYLAND_DISPLAY are unset); run saytype in a "
        "desktop session, or use 'saytype transcribe FILE' or 'saytype listen' in a terminal."
    )


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "vnc:size=800x600", "eglfs"])
def test_a_platform_that_needs_no_display_server_is_fine(platform: str) -> None:
    assert display_problem({"QT_QPA_PLATFORM": platform}, nothing_loads) is None


@pytest.mark.parametrize(
    "environ",
    [
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
        {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"},
    ],
)
def test_wayland_needs_no_xcb_library(environ: dict[str, str]) -> None:
    assert display_problem(environ, nothing_loads) is None


def test_the_requested_platform_decides_which_display_counts() -> None:
    problem = display_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, nothing_loads)
    assert problem is not None
    assert problem.startswith("no graphical display found (QT_QPA_PLATFORM is 'xcb' and DISPLAY")
    problem = display_problem({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, nothing_loads)
    assert problem is not None
    assert "and WAYLAND_DISPLAY is unset" in problem


def test_x11_with_its_libraries_is_fine() -> None:
    answers = lambda _display: True  # noqa: E731 - a display that is there
    assert display_problem({"DISPLAY": ":0"}, everything_loads, answers) is None
    environ = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}
    assert display_problem(environ, everything_loads, answers) is None


def test_a_display_nobody_answers_on_is_one_sentence_not_an_abort() -> None:
    # A stale DISPLAY (its X server gone, or another session's): Qt aborted with status 134.
    problem = display_problem({"DISPLAY": ":99"}, everything_loads)
    assert problem == (
        "no X server answers on DISPLAY=:99 (it stopped, or this is another session's); "
        "run saytype in your desktop session, or set DISPLAY to its display."
    )


def test_x11_without_libxcb_cursor_names_the_package_to_install() -> None:
    problem = display_problem({"DISPLAY": ":0"}, lambda soname: soname != "libxcb-cursor.so.0")
    assert problem is not None
    assert problem.endswith("missing; install them with: sudo apt install libxcb-cursor0")


def test_the_libraries_checked_are_the_ones_this_machine_loads() -> None:
    """Each soname is one the real loader finds here (CI installs them), not a typo."""
    from app.core.display_check import _loads

    missing = [soname for soname in XCB_LIBRARIES if not _loads(soname)]
    if missing:
        fail_missing(f"not installed here: {missing}")


def test_saytype_without_a_display_exits_1_with_the_sentence(tmp_path: Path) -> None:
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    environ |= {
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),  # no running Saytype's socket is found
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "app"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("saytype: error: no graphical display found"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Reinstalling" not in result.stderr
    assert result.stdout == ""


def test_saytype_and_doctor_on_a_display_nobody_answers_say_so(tmp_path: Path) -> None:
    skipped = {"WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    environ = {name: value for name, value in os.environ.items() if name not in skipped}
    environ |= {
        "DISPLAY": ":99",  # no X server there
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }

    def saytype(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            capture_output=True,
            text=True,
            env=environ,
            cwd=ROOT,
            timeout=60,
            check=False,
        )

    gui = saytype()
    assert gui.returncode == 1, gui.stderr  # Qt aborted with 134
    assert gui.stderr.startswith("saytype: error: no X server answers on DISPLAY=:99"), gui.stderr
    assert "FAIL  session          No X server answers on DISPLAY=:99" in saytype("doctor").stdout
