"""A private PulseAudio daemon whose null sink ``mic`` is the default microphone.

It runs in its own runtime folder (never touching a user's session); ``env``
holds the variables that point a process (this one or a subprocess) at it.
``paplay --device=mic`` of a WAV then is what the microphone hears.
:meth:`PulseDaemon.unplug_mic` and :meth:`PulseDaemon.plug_in_mic` unload and
load that sink (and so its monitor), which is how a device fault looks to an
application: its stream ends, and no source is left to open.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core.audio.mic_devices import MicError, load_backend
from tests.support.ci import fail_missing

BINARIES = ("pulseaudio", "pactl", "paplay")


@dataclass(frozen=True)
class PulseDaemon:
    """A running daemon: its runtime folder and the environment that reaches it."""

    runtime: Path
    env: dict[str, str]

    def play(self, wav: Path, timeout_s: float = 120) -> None:
        """Play ``wav`` into the ``mic`` sink and wait until it has drained."""
        subprocess.run(
            ["paplay", "--device=mic", str(wav)],
            check=True,
            timeout=timeout_s,
            env=self.full_env(),
        )

    def pactl(self, *args: str) -> str:
        """Run ``pactl ARGS`` against this daemon; return its output."""
        done = subprocess.run(
            ["pactl", *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
            env=self.full_env(),
        )
        return done.stdout

    def plug_in_mic(self) -> None:
        """Load the ``mic`` null sink: the default sink, its monitor the default source."""
        self.pactl("load-module", "module-null-sink", "sink_name=mic")
        self.pactl("set-default-sink", "mic")
        self.pactl("set-default-source", "mic.monitor")

    def unplug_mic(self) -> None:
        """Unload the ``mic`` null sink: its monitor, the only source, disappears."""
        modules = [line.split("\t") for line in self.pactl("list", "short", "modules").splitlines()]
        ids = [
            m[0]
            for m in modules
            if len(m) > 2 and m[1] == "module-null-sink" and "sink_name=mic" in m[2]
        ]
        assert ids, f"no mic sink loaded: {modules}"
        for module_id in ids:
            self.pactl("unload-module", module_id)

    def sources(self) -> list[str]:
        """The names of the daemon's sources."""
        return [line.split("\t")[1] for line in self.pactl("list", "short", "sources").splitlines()]

    def full_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: os.environ) pointed at this daemon."""
        import os

        merged = dict(os.environ if base is None else base)
        merged.pop("DBUS_SESSION_BUS_ADDRESS", None)  # stay off the user's bus
        merged.update(self.env)
        return merged


@contextmanager
def running_pulseaudio() -> Iterator[PulseDaemon]:
    """Start the daemon with the ``mic`` null sink; skip (fail in CI) without PulseAudio."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if missing:
        fail_missing(f"needs {', '.join(missing)} (apt install pulseaudio pulseaudio-utils)")
    # A short path under /tmp: the daemon's unix socket path must stay under 108 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="saytype-pulse-"))
    env = {
        "XDG_RUNTIME_DIR": str(runtime),
        "PULSE_RUNTIME_PATH": str(runtime / "pulse"),
        "PULSE_STATE_PATH": str(runtime / "state"),
        "PULSE_COOKIE": str(runtime / "cookie"),
        "XDG_CONFIG_HOME": str(runtime / "config"),  # no user daemon.conf/client.conf
        "PULSE_SERVER": f"unix:{runtime / 'pulse' / 'native'}",
    }
    daemon = PulseDaemon(runtime, env)
    log_file = runtime / "pulseaudio.log"
    # -n: skip default.pa (hardware detection, X11 modules); load only the socket.
    started = subprocess.run(
        [
            "pulseaudio",
            "--daemonize=yes",
            "--exit-idle-time=-1",
            "-n",
            "--load=module-native-protocol-unix",
            f"--log-target=file:{log_file}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=daemon.full_env(),
    )
    try:
        if started.returncode != 0:
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            pytest.fail(f"pulseaudio did not start: {started.stderr}\n{log}")
        daemon.plug_in_mic()
        yield daemon
    finally:
        subprocess.run(
            ["pulseaudio", "-k"],
            capture_output=True,
            timeout=30,
            check=False,
            env=daemon.full_env(),
        )
        shutil.rmtree(runtime, ignore_errors=True)


@contextmanager
def portaudio_on_pulseaudio() -> Iterator[tuple[PulseDaemon, Any]]:
    """A running daemon, this process pointed at it, and sounddevice made to list its devices."""
    try:
        sounddevice = load_backend()
    except MicError as exc:
        fail_missing(str(exc))
    with running_pulseaudio() as daemon, pytest.MonkeyPatch.context() as env:
        env.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
        for name, value in daemon.env.items():
            env.setenv(name, value)
        # sounddevice lists devices once, at import: look again now PulseAudio runs.
        sounddevice._terminate()
        sounddevice._initialize()
        try:
            yield daemon, sounddevice
        finally:
            sounddevice._terminate()
            sounddevice._initialize()
