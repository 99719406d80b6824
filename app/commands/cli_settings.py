"""The settings as a command reads them, saying on stderr what had to be repaired.

Reading a damaged settings file moves it aside once (:func:`load_settings`); the
desktop app starting later finds only the defaults and has nothing to say, so a
command that repairs the file is the only one that can tell the user.
"""

from __future__ import annotations

import sys
from typing import TextIO

from app.core.settings import Settings
from app.core.settings_file import load_settings


def settings_for_command(stderr: TextIO | None = None) -> Settings:
    """The saved settings (defaults where they were damaged); the repair said on stderr."""
    loaded = load_settings()
    if loaded.notice:
        stream = stderr or sys.stderr
        stream.write(f"saytype: warning: {loaded.notice}\n")
        stream.flush()
    return loaded.settings
