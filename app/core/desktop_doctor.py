"""What works on this desktop and what to do about the rest, for ``saytype doctor``.

Each check looks once and quickly (no model is loaded, no microphone opened)
and gives a :class:`Finding`: what it found in one sentence and, when
something is missing, one sentence of fix. The routes are the ones the app
itself takes (:func:`~app.core.output.delivery_route.choose_delivery_route`,
:func:`~app.core.hotkeys.hotkey_route.choose_hotkey_route`), so the doctor
cannot disagree with what the app does.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.core.audio.sound_server import START_SERVER, SoundServer, probe_sound_server
from app.core.display_check import display_problem
from app.core.hotkeys.bound_keys import old_hold_bindings, saytype_is_bound
from app.core.hotkeys.compositor_bindings import detect_compositor
from app.core.hotkeys.hotkey_route import choose_hotkey_route
from app.core.hotkeys.portal_shortcuts import portal_offers_global_shortcuts
from app.core.output.delivery_route import (
    DATA_CONTROL,
    VIRTUAL_KEYBOARD,
    UinputCheck,
    choose_delivery_route,
    is_wayland_session,
)
from app.core.output.portal_keyboard import portal_offers_remote_keyboard
from app.core.output.uinput_keyboard import probe_uinput
from app.core.output.wayland_clipboard import INSTALL_HINT as WL_CLIPBOARD_HINT
from app.core.output.wayland_selection import SelectionError, compositor_interfaces

log = logging.getLogger(__name__)

Status = Literal["ok", "warning", "problem"]
LOW_DISK_BYTES = 500 * 1024 * 1024
_TRAY_WATCHER = "org.kde.StatusNotifierWatcher"
_PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Finding:
    """One check: ``topic``, ``status``, what was ``found`` and the ``fix`` ("" when none).

    ``route`` names the route taken, for the hotkey and delivery checks.
    """

    topic: str
    status: Status
    found: str
    fix: str = ""
    route: str | None = None


@dataclass(frozen=True)
class DoctorProbes:
    """How the checks look at the machine (real ones by default; fakes in unit tests)."""

    which: Callable[[str], str | None] = shutil.which
    interfaces: Callable[[Mapping[str, str]], frozenset[str]] = compositor_interfaces
    tray: Callable[[Mapping[str, str]], bool | None] | None = None
    microphones: Callable[[], list[str]] | None = None
    sound_server: Callable[[Mapping[str, str]], SoundServer] = probe_sound_server
    uinput: UinputCheck = probe_uinput
    global_shortcuts: Callable[[Mapping[str, str]], bool] = portal_offers_global_shortcuts
    remote_keyboard: Callable[[Mapping[str, str]], bool] = portal_offers_remote_keyboard
    bound: Callable[[Mapping[str, str]], bool | None] = saytype_is_bound
    old_bindings: Callable[[Mapping[str, str]], bool] = old_hold_bindings


def diagnose(
    environ: Mapping[str, str],
    model: str,
    folders: Mapping[str, Path],
    probes: DoctorProbes | None = None,
) -> list[Finding]:
    """Every check, in the order a person reads them.

    Args:
        environ: The session's environment.
        model: The model in Settings.
        folders: The folders Saytype writes, by what they hold ("settings", "data").
        probes: How to look (None: the real machine).
    """
    probes = probes or DoctorProbes()
    interfaces = _wayland_interfaces(environ, probes)
    server = probes.sound_server(environ)
    microphones = _microphones(probes.microphones or list_microphones, server)
    return [
        _session(environ),
        _compositor(environ, interfaces),
        _hotkey(environ, probes),
        _delivery(environ, probes, interfaces),
        _clipboard(environ, probes, interfaces),
        _tray(environ, probes.tray or tray_available),
        *_sound_server(server, microphones, environ),
        microphones,
        _model(model),
        _disk(folders.get("data") or next(iter(folders.values()))),
        *(_folder(name, path) for name, path in folders.items()),
    ]


def _wayland_interfaces(environ: Mapping[str, str], probes: DoctorProbes) -> frozenset[str] | None:
    if not is_wayland_session(environ):
        return None
    try:
        return probes.interfaces(environ)
    except SelectionError as exc:
        log.info("could not ask the compositor for its protocols: %s", exc)
        return None


def _session(environ: Mapping[str, str]) -> Finding:
    if is_wayland_session(environ):
        return Finding("session", "ok", f"Wayland session ({environ['WAYLAND_DISPLAY']}).")
    if environ.get("DISPLAY"):
        problem = display_problem(environ)  # a stale DISPLAY: the window would not open
        if problem is not None and problem.startswith("no X server answers"):
            return Finding("session", "problem", problem[0].upper() + problem[1:])
        return Finding("session", "ok", f"X11 session ({environ['DISPLAY']}).")
    return Finding(
        "session",
        "problem",
        "No desktop session: neither DISPLAY nor WAYLAND_DISPLAY is set.",
        _NO_SESSION_FIX,
    )


def _compositor(environ: Mapping[str, str], interfaces: frozenset[str] | None) -> Finding:
    if not is_wayland_session(environ):
        return _x11_or_nothing("compositor", environ, "Not needed: X11 lets Saytype grab keys.")
    name = detect_compositor(environ) or "unknown"
    if interfaces is None:
        return Finding(
            "compositor",
            "warning",
            f"{name}; its protocols could not be listed.",
            "Check that WAYLAND_DISPLAY and XDG_RUNTIME_DIR reach the running compositor.",
        )
    missing = [
        label
        for label, interface in (
            ("virtual keyboard", VIRTUAL_KEYBOARD),
            ("clipboard control", DATA_CONTROL),
        )
        if interface not in interfaces
    ]
    if not missing:
        found = f"{name}: offers the virtual keyboard and clipboard control."
        return Finding("compositor", "ok", found)
    fix = "Use the clipboard as where the text goes (Settings), and paste it yourself."
    if VIRTUAL_KEYBOARD not in interfaces:
        fix = (
            "Type through the desktop's remote-control portal or /dev/uinput instead (the "
            "delivery line says which), or use the clipboard as where the text goes (Settings)."
        )
    return Finding(
        "compositor", "warning", f"{name}: no {' and no '.join(missing)} (GNOME has neither).", fix
    )


def _x11_or_nothing(topic: str, environ: Mapping[str, str], x11: str) -> Finding:
    if environ.get("DISPLAY"):
        return Finding(topic, "ok", x11)
    return Finding(
        topic,
        "problem",
        "There is no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set).",
        _NO_SESSION_FIX,
    )


_NO_SESSION_FIX = "Start Saytype from a desktop session; `saytype transcribe` works anywhere."


def _hotkey(environ: Mapping[str, str], probes: DoctorProbes) -> Finding:
    route = choose_hotkey_route(environ, probes.global_shortcuts, probes.bound, probes.old_bindings)
    statuses: dict[str, Status] = {
        "x11-grab": "ok",
        "portal": "ok",
        "compositor": "warning" if route.fix else "ok",  # ok once the keys are bound
        "none": "problem",
    }
    status = statuses[route.name]
    return Finding("hotkey", status, f"{route.name}: {route.reason}", route.fix, route.name)


def _delivery(
    environ: Mapping[str, str], probes: DoctorProbes, interfaces: frozenset[str] | None
) -> Finding:
    route = choose_delivery_route(
        environ,
        probes.which,
        interfaces=lambda _environ: interfaces,
        uinput=probes.uinput,
        remote_keyboard=probes.remote_keyboard,
    )
    found = f"{route.name}: {route.reason}"
    # The route's reason names the one-time setup where the compositor has no virtual keyboard.
    uinput_setup = "/dev/uinput" in route.reason
    if route.name == "none":
        if route.reason.startswith("No display"):
            fix = (
                "Run Saytype inside your desktop session, where DISPLAY or WAYLAND_DISPLAY is set."
            )
        else:
            fix = "Install what the sentence names, or use the clipboard as where the text goes."
        return Finding("delivery", "problem", found, fix, route.name)
    if route.name == "wayland-wtype" and (
        uinput_setup or (interfaces is not None and VIRTUAL_KEYBOARD not in interfaces)
    ):
        fix = "Here text can only go to the clipboard: choose that in Settings."
        if uinput_setup:
            fix = (
                "Do the one-time setup the line names to type through /dev/uinput, "
                "or choose the clipboard as where the text goes (Settings)."
            )
        return Finding("delivery", "problem", found, fix, route.name)
    if route.name == "x11" and is_wayland_session(environ):
        fix = "Install wtype (sudo apt install wtype) to type into native Wayland apps."
        if uinput_setup:
            fix = "Do the one-time setup the line names to type into native Wayland apps."
        return Finding("delivery", "warning", found, fix, route.name)
    return Finding("delivery", "ok", found, "", route.name)


def _clipboard(
    environ: Mapping[str, str], probes: DoctorProbes, interfaces: frozenset[str] | None
) -> Finding:
    if not is_wayland_session(environ):
        return _x11_or_nothing("clipboard", environ, "X11 selections, through Qt.")
    if probes.which("wl-paste") is None:
        return Finding(
            "clipboard",
            "warning",
            "wl-paste is missing, so paste mode types instead.",
            f"Install wl-clipboard ({WL_CLIPBOARD_HINT}).",
        )
    if interfaces is not None and DATA_CONTROL not in interfaces:
        return Finding(
            "clipboard",
            "warning",
            "The compositor lets no app set the clipboard in the background (no wlr-data-control).",
            "Choose typing over pasting in Settings.",
        )
    return Finding("clipboard", "ok", "wl-paste reads it; Saytype sets it (wlr-data-control).")


def _tray(environ: Mapping[str, str], probe: Callable[[Mapping[str, str]], bool | None]) -> Finding:
    found = probe(environ)
    if found:
        return Finding("tray", "ok", "A system tray is there; Saytype's icon shows in it.")
    return Finding(
        "tray",
        "warning",
        "No system tray found: the window and the hotkey do everything without it."
        if found is False
        else "Could not tell whether there is a system tray (no session D-Bus).",
        "To see the icon, add a tray to your panel (GNOME: the AppIndicator extension).",
    )


def tray_available(environ: Mapping[str, str]) -> bool | None:
    """A StatusNotifier watcher on the session bus, or an X11 tray; None when unknowable."""
    if environ.get("DBUS_SESSION_BUS_ADDRESS") and shutil.which("dbus-send"):
        command = [
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{_TRAY_WATCHER}",
        ]  # fmt: skip
        try:
            reply = subprocess.run(
                command,
                env=dict(environ),
                capture_output=True,
                timeout=_PROBE_TIMEOUT_S,
                check=False,
            )
            if b"boolean true" in reply.stdout:
                return True
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("could not ask the session bus for a tray: %s", exc)
    if environ.get("DISPLAY") and not is_wayland_session(environ):
        return _x11_tray(environ["DISPLAY"])
    return False if environ.get("DBUS_SESSION_BUS_ADDRESS") else None


def _x11_tray(display_name: str) -> bool | None:
    try:
        # python-xlib comes with pynput on Linux (no type stubs)
        from Xlib import display as xdisplay  # type: ignore[import-untyped]
        from Xlib import error as xerror

        display = xdisplay.Display(display_name)
    except Exception as exc:  # python-xlib raises its own errors for an unreachable display
        log.info("could not open the X display for the tray check: %s", exc)
        return None
    try:
        screen = display.get_default_screen()
        atom = display.intern_atom(f"_NET_SYSTEM_TRAY_S{screen}")
        owner: Any = display.get_selection_owner(atom)
        return bool(owner) and owner != 0
    except xerror.XError:
        return None
    finally:
        display.close()


def list_microphones() -> list[str]:
    """The microphones Settings would offer, by label (raises ``MicError``)."""
    from app.core.audio.mic_devices import input_device_choices, load_backend

    return [choice.label for choice in input_device_choices(load_backend())]


def _microphones(probe: Callable[[], list[str]], server: SoundServer) -> Finding:
    from app.core.audio.mic_devices import MicError

    try:
        names = probe()
    except MicError as exc:
        return Finding("microphone", "problem", f"{exc}.".replace("..", "."), _MIC_FIX)
    if not names and server.running is False:  # not the cable: nothing is reachable
        found = "None can be reached while the sound server is down."
        return Finding("microphone", "problem", found, "Start the sound server (see its check).")
    if not names:
        return Finding("microphone", "problem", "No microphone found.", _MIC_FIX)
    return Finding("microphone", "ok", f"{len(names)} found: {', '.join(names)}.")


_MIC_FIX = "Connect a microphone, or turn one on in the desktop's sound settings."


def _sound_server(
    server: SoundServer, microphones: Finding, environ: Mapping[str, str]
) -> list[Finding]:
    """The sound server's check; none without pactl to ask (plain ALSA needs no server)."""
    if server.running is None:
        return []
    if server.running:
        return [Finding("sound server", "ok", f"{server.name} is running.")]
    named = environ.get("PULSE_SERVER", "")
    where = f" at PULSE_SERVER={named}" if named else ""
    found = f"No PulseAudio-compatible sound server answers{where} ({server.error})."
    fix = f"{START_SERVER}{'; if PULSE_SERVER names the wrong place, correct it' if named else ''}."
    # Microphones PortAudio opens directly (ALSA) still work without the server.
    status: Status = "problem" if microphones.status == "problem" else "warning"
    return [Finding("sound server", status, found, fix)]


def _model(name: str) -> Finding:
    from app.core.engine.model_folder import ModelError
    from app.core.engine.model_registry import resolve_model
    from app.core.paths import models_dir

    try:
        source = resolve_model(name, models_dir())
    except ModelError as exc:
        fix = "Choose an installed model in Settings, or `saytype models download NAME`."
        return Finding("model", "problem", str(exc), fix)
    return Finding("model", "ok", f"{source.name} ({source.kind.value}), at {source.path}.")


def _disk(folder: Path) -> Finding:
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    free = shutil.disk_usage(existing).free
    found = f"{free / 1024**3:.1f} GB free for history and recordings ({existing})."
    if free < LOW_DISK_BYTES:
        return Finding("disk", "warning", found, f"Free some space on the disk of {existing}.")
    return Finding("disk", "ok", found)


def _folder(name: str, path: Path) -> Finding:
    topic = f"{name} folder"
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), Path("/"))
        if os.access(parent, os.W_OK):
            return Finding(topic, "ok", f"{path} will be created at first use.")
        return Finding(topic, "problem", f"{path} cannot be created.", f"Make {parent} yours.")
    if not os.access(path, os.W_OK | os.X_OK):
        fix = f"Make it yours again: sudo chown -R $USER '{path}'."
        return Finding(topic, "problem", f"{path} is not writable by you.", fix)
    if path.stat().st_mode & 0o077:
        fix = f"Make it private: chmod 700 '{path}'."
        return Finding(topic, "warning", f"{path} can be read by other users.", fix)
    return Finding(topic, "ok", f"{path}: private and writable.")
