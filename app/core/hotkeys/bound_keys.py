"""Whether the compositor already runs Saytype's commands on a key (sway, Hyprland).

Where Saytype cannot catch the hotkey itself (a Wayland session without the
GlobalShortcuts portal), the user binds ``saytype start|stop|toggle`` in the
compositor. Once they have, telling them at every start that hotkeys are not
available only worries them: so ask the compositor. sway gives its configuration
over IPC (the main file; its ``include`` lines are read here), Hyprland its binds.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

_TIMEOUT_S = 2.0
# `exec saytype press`, `exec ~/.local/bin/saytype toggle`, `bind = …, exec, saytype start`.
_SAYTYPE_COMMAND = re.compile(r"saytype\s+(start|toggle|press)\b")
# sway's `bindsym --release … exec saytype stop`, Hyprland's `bindr = …, exec, saytype stop`.
_OLD_RELEASE = re.compile(r"(--release\b.*|^bindr = .*)saytype\s+stop\b")
_BINDING = re.compile(r"^\s*(bindsym|bindcode)\b.*$", re.MULTILINE)
_INCLUDE = re.compile(r"^\s*include\s+(.+?)\s*$", re.MULTILINE)

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


def saytype_is_bound(environ: Mapping[str, str], runner: Runner = subprocess.run) -> bool | None:
    """True when a key binding runs ``saytype press``, ``start`` or ``toggle``; False when
    none does; None when the compositor cannot be asked (not sway or Hyprland, no answer)."""
    commands = _bound_commands(environ, runner)
    return None if commands is None else any(_SAYTYPE_COMMAND.search(c) for c in commands)


def old_hold_bindings(environ: Mapping[str, str], runner: Runner = subprocess.run) -> bool:
    """Whether a binding runs ``saytype stop`` on a key's release: the lines an older Saytype
    printed, with which a quick tap's release can overtake its press (decision 0054)."""
    commands = _bound_commands(environ, runner) or []
    return any(_OLD_RELEASE.search(command) for command in commands)


def _bound_commands(environ: Mapping[str, str], runner: Runner) -> list[str] | None:
    """The key bindings of sway (its lines) or Hyprland (``bindr = …`` per bind); None
    when the compositor cannot be asked."""
    if environ.get("SWAYSOCK"):
        reply = _ask(["swaymsg", "-s", environ["SWAYSOCK"], "-r", "-t", "get_config"], runner)
        config = reply.get("config") if isinstance(reply, dict) else None
        if not isinstance(config, str):
            return None
        texts = [config, *_included(config, environ)]
        return [line for text in texts for line in _bindings(text)]
    if environ.get("HYPRLAND_INSTANCE_SIGNATURE"):
        binds = _ask(["hyprctl", "binds", "-j"], runner)
        if not isinstance(binds, list):
            return None
        return [
            f"bind{'r' if bind.get('release') else ''} = {bind.get('arg', '')}"
            for bind in binds
            if isinstance(bind, dict)
        ]
    return None


def _bindings(text: str) -> list[str]:
    return [match.group(0) for match in _BINDING.finditer(text)]


def _included(config: str, environ: Mapping[str, str]) -> list[str]:
    """The text of the files sway's ``include`` lines name (globs, ``~`` and $VARS)."""
    texts = []
    home = environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    for match in _INCLUDE.finditer(config):
        pattern = Path(os.path.expandvars(match.group(1).strip("'\""))).expanduser()
        if not pattern.is_absolute():  # relative to sway's folder, as sway reads them
            pattern = Path(home) / "sway" / pattern
        root = Path(pattern.anchor)
        for path in sorted(root.glob(str(pattern.relative_to(root)))):
            try:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError as exc:
                log.debug("could not read sway's included %s: %s", path, exc)
    return texts


def _ask(command: list[str], runner: Runner) -> object:
    try:
        result = runner(command, capture_output=True, timeout=_TIMEOUT_S)
        return json.loads(result.stdout) if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.debug("could not ask the compositor for its bindings: %s", exc)
        return None
