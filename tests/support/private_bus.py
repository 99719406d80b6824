"""The command line of a private session bus that starts no services by itself.

A stock ``dbus-daemon --session`` activates any installed service a client asks
for. Qt asks for the desktop portal at start-up, so with xdg-desktop-portal
installed (the KDE hotkey tests need it) every test bus started a portal and its
KDE backend, which outlived the bus. Tests start what they need themselves.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def session_bus_command() -> list[str]:
    """``dbus-daemon`` for a session bus without service activation; prints its address."""
    config = Path(tempfile.gettempdir()) / "saytype-test-session-bus.conf"
    if not config.exists() or config.read_text(encoding="utf-8") != _CONFIG:
        config.write_text(_CONFIG, encoding="utf-8")
    return ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"]
