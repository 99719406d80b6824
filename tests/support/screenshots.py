"""Screenshots of the GUI taken by tests; SAYTYPE_SAVE_SCREENSHOTS=1 refreshes docs/screenshots."""

from __future__ import annotations

import os
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
