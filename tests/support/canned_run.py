"""A stand-in for ``subprocess.run`` that answers one recorded JSON reply (swaymsg, hyprctl)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any


def answering(
    reply: object, returncode: int = 0
) -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """A runner whose every command prints ``reply`` as JSON and exits with ``returncode``."""

    def runner(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, returncode, json.dumps(reply).encode(), b"")

    return runner
