"""Screenshots of the GUI taken by tests; SAYTYPE_SAVE_SCREENSHOTS=1 refreshes docs/screenshots."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from PySide6.QtWidgets import QWidget

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Grab ``widget`` into ``name``: under docs/ when asked to refresh them, else ``tmp_path``."""
    folder = DOCS if os.environ.get("SAYTYPE_SAVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    image = widget.grab().toImage()
    assert not image.isNull()
    assert image.save(str(path))
    return path


def save_screen(display_env: dict[str, str], name: str, tmp_path: Path) -> Path:
    """Grab a whole X screen (every app on it, not one widget) into ``name``, as above.

    ``display_env`` is the environment whose ``DISPLAY`` names the screen; ImageMagick's
    ``import`` reads the root window, so windows of other processes are in the picture.
    """
    folder = DOCS if os.environ.get("SAYTYPE_SAVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    subprocess.run(
        ["import", "-window", "root", str(path)], env=display_env, check=True, timeout=30
    )
    assert path.stat().st_size > 0
    return path
