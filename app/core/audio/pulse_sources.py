"""The sound server's microphones by their descriptions, as ``pactl`` lists them.

On a PulseAudio or PipeWire desktop PortAudio (through ALSA) sees only the
plugins ``pulse`` and ``default``, both meaning "whatever the server records
from". The server itself knows every source by a stable name
(``alsa_input.usb-…``) and a description a person recognises ("USB Headset
Microphone"). This module asks ``pactl`` for that list; a source is then opened
through PortAudio's ``pulse`` device with ``PULSE_SOURCE`` set to its name, which
libpulse reads when the ALSA plugin connects (:func:`route_to_source`).

``pactl -f json list sources`` needs pactl 16 or later; older ones get their
text output parsed. Monitor sources (what a sink plays) are left out unless one
of them is the default source, which is how a test machine's null sink, or a
user who chose one deliberately, records. Any failure (no pactl, no server)
gives an empty list, so callers fall back to PortAudio's own names.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

# What the environment variable holds when Saytype set it, so that switching
# back to a PortAudio device undoes only Saytype's own routing, never the user's.
_ROUTED_MARKER = "SAYTYPE_PULSE_SOURCE"
_PACTL_TIMEOUT_S = 5.0

PactlRunner = Callable[[Sequence[str]], "str | None"]
"""Runs ``pactl ARGS`` and returns its standard output, or None when it fails."""


@dataclass(frozen=True)
class PulseSource:
    """One source of the sound server.

    Attributes:
        name: the server's stable name (``alsa_input.pci-0000_00_1f.3.analog-stereo``).
        description: what the desktop's sound settings call it.
        monitor_of: the sink whose output this source records, or None for a real input.
    """

    name: str
    description: str
    monitor_of: str | None = None


def parse_sources_json(text: str) -> list[PulseSource]:
    """Sources from ``pactl -f json list sources``.

    Raises:
        ValueError: ``text`` is not the JSON list pactl writes.
    """
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("pactl's source list is not a JSON list")
    sources = []
    for entry in data:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name = str(entry["name"])
        monitor = entry.get("monitor_source") or None  # "" for a real input
        sources.append(PulseSource(name, str(entry.get("description") or name), monitor))
    return sources


def parse_sources_text(text: str) -> list[PulseSource]:
    """Sources from the text of ``pactl list sources`` (any pactl version)."""
    sources = []
    fields: dict[str, str] = {}

    def flush() -> None:
        if fields.get("Name"):
            monitor = fields.get("Monitor of Sink", "n/a")
            sources.append(
                PulseSource(
                    fields["Name"],
                    fields.get("Description") or fields["Name"],
                    None if monitor in ("", "n/a") else monitor,
                )
            )
        fields.clear()

    for line in text.splitlines():
        if line.startswith("Source #"):
            flush()
            continue
        # Only the section's own fields sit one tab in; properties sit deeper.
        if not line.startswith("\t") or line.startswith("\t\t"):
            continue
        key, sep, value = line.strip().partition(": ")
        if sep and key in ("Name", "Description", "Monitor of Sink"):
            fields[key] = value.strip()
        elif line.strip() == "Monitor of Sink:":
            fields["Monitor of Sink"] = ""
    flush()
    return sources


def parse_default_source(info_text: str) -> str | None:
    """The ``Default Source:`` line of ``pactl info``, or None."""
    for line in info_text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "Default Source":
            return value.strip() or None
    return None


def choosable_sources(sources: Sequence[PulseSource], default: str | None) -> list[PulseSource]:
    """The sources worth offering: real inputs, and a monitor only when it is the default."""
    return [s for s in sources if s.monitor_of is None or s.name == default]


def run_pactl(args: Sequence[str]) -> str | None:
    """Run the real ``pactl ARGS`` (English output); its standard output, or None on failure."""
    try:
        done = subprocess.run(
            ["pactl", *args],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=_PACTL_TIMEOUT_S,
            check=False,
            env=_english_environment(),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("pactl %s did not run: %s", " ".join(args), exc)
        return None
    if done.returncode != 0:
        log.debug("pactl %s failed: %s", " ".join(args), done.stderr.strip())
        return None
    return done.stdout


def route_to_source(environ: MutableMapping[str, str], source: str | None) -> None:
    """Point libpulse's next connection at ``source`` (None: the server's default).

    Call right before PortAudio opens its ``pulse`` device. With None, only a
    ``PULSE_SOURCE`` that Saytype set is removed; the user's own stays.

    Args:
        environ: the process environment (``os.environ``), updated in place.
        source: the PulseAudio source name, or None.
    """
    if source is not None:
        environ["PULSE_SOURCE"] = source
        environ[_ROUTED_MARKER] = source
        return
    routed = environ.pop(_ROUTED_MARKER, None)
    if routed is not None and environ.get("PULSE_SOURCE") == routed:
        del environ["PULSE_SOURCE"]


def all_sources(run: PactlRunner = run_pactl) -> list[PulseSource]:
    """Every source of the sound server, monitors included; empty when pactl fails."""
    as_json = run(["-f", "json", "list", "sources"])
    if as_json is not None:
        try:
            return parse_sources_json(as_json)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            log.debug("pactl's JSON was not understood (%s); reading its text", exc)
    as_text = run(["list", "sources"])
    return parse_sources_text(as_text) if as_text is not None else []


def source_gone(name: str | None, run: PactlRunner = run_pactl) -> bool:
    """Whether the source ``name`` is no longer on the server (False when unknown or None)."""
    if name is None:
        return False
    names = {source.name for source in all_sources(run)}
    return bool(names) and name not in names


def default_source(run: PactlRunner = run_pactl) -> str | None:
    """The name of the server's default source, or None when pactl cannot tell."""
    name = run(["get-default-source"])  # pactl 15 and later
    if name is not None and name.strip():
        return name.strip()
    info = run(["info"])
    return parse_default_source(info) if info is not None else None


def _english_environment() -> dict[str, str]:
    """The process environment with messages in English: the text parser reads English."""
    environ = dict(os.environ)
    environ["LC_ALL"] = "C.UTF-8"
    return environ
