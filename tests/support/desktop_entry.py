"""Reading and validating freedesktop .desktop files in tests."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

from tests.support.ci import fail_missing


def read_desktop_entry(path: Path) -> configparser.ConfigParser:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    return entry


def validate_desktop_file(path: Path) -> None:
    """desktop-file-validate when installed (CI installs it); the spec's required keys always."""
    entry = read_desktop_entry(path)["Desktop Entry"]
    for key in ("Type", "Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), f"{path.name} lacks {key}"
    assert entry["Type"] == "Application"
    assert entry["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        fail_missing("desktop-file-validate is not installed (apt install desktop-file-utils)")
    result = subprocess.run(
        [validator, str(path)], capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout, result.stdout
