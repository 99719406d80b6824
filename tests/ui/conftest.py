"""Fixtures of the GUI tests that build the whole desktop app."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def offscreen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No display to reach, and a private runtime folder (the control socket's): the app is
    built offscreen, as a test of the whole of it wants."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
