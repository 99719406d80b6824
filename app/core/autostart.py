"""Start at login through an XDG autostart entry (``~/.config/autostart/saytype.desktop``).

Desktop environments that follow the freedesktop.org autostart specification
(GNOME, KDE, Xfce, Cinnamon, MATE, LXQt) start every ``.desktop`` file found in
``$XDG_CONFIG_HOME/autostart`` at login, so the ``start_at_login`` setting is
nothing more than the presence of that file. It is written atomically, like the
settings file, so a crash never leaves a half-written entry for the session
manager to choke on.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.atomic_file import describe_os_error, write_text_atomically
from app.core.settings_error import SettingsError

log = logging.getLogger(__name__)

ENTRY_NAME = "saytype.desktop"
# Characters that force an Exec argument into double quotes (desktop-entry spec, "Exec key").
_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`]""")


def autostart_entry_path() -> Path:
    """Where the autostart entry lives: ``$XDG_CONFIG_HOME/autostart/saytype.desktop``."""
    configured = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    base = Path(configured) if Path(configured).is_absolute() else Path.home() / ".config"
    return base / "autostart" / ENTRY_NAME


def desktop_exec_command(argv: Sequence[str]) -> str:
    """Quote a command for the ``Exec`` key: double quotes where needed, ``%`` doubled."""
    quoted = []
    for argument in argv:
        if _RESERVED.search(argument) or not argument:
            escaped = re.sub(r'(["`$\\])', r"\\\1", argument)
            quoted.append(f'"{escaped}"'.replace("%", "%%"))
        else:
            quoted.append(argument.replace("%", "%%"))
    return " ".join(quoted)


def launch_command(
    frozen: bool | None = None,
    executable: str = sys.executable,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """How to start this Saytype again at login: in the tray (``--hidden``).

    A frozen bundle (PyInstaller sets ``sys.frozen``) is its own executable;
    otherwise the ``saytype`` console script on PATH, else ``python -m app``.
    """
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if frozen:
        return [executable, "--hidden"]
    script = which("saytype")
    return [script, "--hidden"] if script else [executable, "-m", "app", "--hidden"]


def desktop_entry_text(command: str) -> str:
    """The contents of the autostart entry that runs ``command`` (already Exec-quoted)."""
    if any(character in command for character in "\n\r\t") or not command.strip():
        raise ValueError(f"not a usable autostart command: {command!r}")
    # String values escape backslashes once more (desktop-entry spec, "Possible value types").
    exec_value = command.replace("\\", "\\\\")
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Saytype\n"
        "Comment=Offline dictation: hold a hotkey, speak, and your words appear\n"
        f"Exec={exec_value}\n"
        "Icon=saytype\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def apply_start_at_login(enabled: bool, command: str) -> None:
    """Create or remove the autostart entry.

    Args:
        enabled: whether Saytype should start at login.
        command: the command line to run, quoted for the Exec key
            (build it with :func:`desktop_exec_command`).

    Raises:
        SettingsError: when the entry cannot be written or removed.
        ValueError: when ``command`` is empty or spans several lines.
    """
    path = autostart_entry_path()
    try:
        if enabled:
            write_text_atomically(path, desktop_entry_text(command), file_mode=0o644)
            log.info("autostart entry written to %s", path)
        else:
            path.unlink(missing_ok=True)
            log.info("autostart entry %s removed", path)
    except OSError as exc:
        action = "create" if enabled else "remove"
        raise SettingsError(
            f"Could not {action} the start-at-login entry {path}: {describe_os_error(exc)}."
        ) from exc
