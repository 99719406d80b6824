"""Where Saytype keeps its files, per platform conventions (platformdirs)."""

from __future__ import annotations

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
