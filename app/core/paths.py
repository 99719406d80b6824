"""Where Saytype keeps its files, per platform conventions (platformdirs)."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "saytype"


def models_dir() -> Path:
    """Folder holding downloaded models, one sub-folder per model name."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


def config_dir() -> Path:
    """Folder holding settings."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """Folder holding history and recording journals."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def bundled_resources(name: str) -> Path:
    """The folder of resources ``name`` (sounds, samples) that come with Saytype.

    ``resources/NAME`` beside the package in a source checkout or a PyInstaller bundle;
    in an installed environment, ``share/saytype/NAME`` (pyproject's data-files).
    """
    beside_package = Path(__file__).resolve().parents[2] / "resources" / name
    if beside_package.is_dir():
        return beside_package
    return Path(sys.prefix) / "share" / "saytype" / name
