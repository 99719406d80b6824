"""``saytype doctor``: the routes it finds on a real X server and under a real headless sway.

The desktop checks run the CLI in a child process against Xvfb and against a
private sway session (tests.support); the rest feed the Qt-free checks what a
GNOME session or a damaged folder would show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path

import pytest

from app.core.audio.mic_devices import MicError
from app.core.audio.sound_server import SoundServer
from app.core.desktop_doctor import DoctorProbes, Finding, diagnose
from app.core.hotkeys.chord import DEFAULT_CHORD
from app.core.hotkeys.compositor_bindings import binding_lines
from app.core.output.uinput_keyboard import MESSAGE_NO_UINPUT, UinputProbe
from tests.support.ci import fail_missing
from tests.support.pulse import running_pulseaudio
from tests.support.sway_session import SwaySession, running_sway
from tests.support.xserver import XServer, running_xvfb

_REPO = Path(__file__).resolve().parents[1]


def doctor(environ: Mapping[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "app", "doctor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environ, "PYTHONWARNINGS": "error"},
        check=False,
        cwd=_REPO,
    )
    assert result.stderr == ""
    statuses = (
        [check["status"] for check in json.loads(result.stdout)["checks"]]
        if "--json" in args
        else [line.split()[0] for line in result.stdout.splitlines() if not line[:1].isspace()]
    )
    failed = "problem" in statuses or "FAIL" in statuses
    assert result.returncode == (1 if failed else 0), result.stdout  # scripts can tell
    return result.stdout


def by_topic(output: str) -> dict[str, dict[str, str]]:
    return {check["topic"]: check for check in json.loads(output)["checks"]}


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    with running_xvfb() as server:
        yield server


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    with running_sway() as session:
        yield session


def _without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}


@pytest.mark.integration
def test_on_x11_it_prints_the_xtest_and_grab_routes(xserver: XServer) -> None:
    environ = {
        **_without("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"),
        "DISPLAY": xserver.display,
    }
    text = doctor(environ)
    lines = [line.split(maxsplit=2) for line in text.splitlines()]
    assert [
        "ok",
        "delivery",
        f"x11: X11 session ({xserver.display}): keys and pastes are sent with XTest.",
    ] in lines
    assert [
        "ok",
        "hotkey",
        f"x11-grab: X11 session ({xserver.display}): Saytype grabs the hotkey.",
    ] in lines
    checks = by_topic(doctor(environ, "--json"))
    assert checks["delivery"]["route"] == "x11"
    assert checks["hotkey"]["route"] == "x11-grab"
    assert checks["session"]["status"] == "ok"
    # A bare Xvfb has no tray: said, with a fix, and not a failure.
    assert checks["tray"]["status"] == "warning"
    assert checks["tray"]["fix"]
    assert checks["model"]["status"] == "ok"


@pytest.mark.integration
def test_under_sway_it_prints_the_wayland_routes_and_the_compositors_protocols(
    sway: SwaySession,
) -> None:
    environ = {**_without("DISPLAY"), **sway.client_env()}
    checks = by_topic(doctor(environ, "--json"))
    assert checks["session"]["found"] == f"Wayland session ({sway.socket})."
    assert checks["compositor"] == {
        "topic": "compositor",
        "status": "ok",
        "found": "sway: offers the virtual keyboard and clipboard control.",
        "fix": "",
        "route": None,
    }
    assert checks["delivery"]["route"] == "wayland-wtype"
    assert checks["delivery"]["status"] == "ok"
    assert "pasting through the Wayland clipboard" in checks["delivery"]["found"]
    assert checks["hotkey"]["route"] == "compositor"
    assert "`saytype keys --print sway`" in checks["hotkey"]["fix"]
    assert checks["clipboard"]["status"] == "ok"
    text = doctor(environ)
    lines = [line.split(maxsplit=2) for line in text.splitlines()]
    assert ["ok", "delivery", checks["delivery"]["found"]] in lines
    assert ["warn", "hotkey", checks["hotkey"]["found"]] in lines
    assert [
        "->",
        "Bind",
        "the hotkey once with the lines `saytype keys --print sway` prints.",
    ] in lines


@pytest.mark.integration
def test_under_sway_with_the_keys_bound_the_hotkey_is_ok() -> None:
    with running_sway(extra_config=binding_lines("sway", DEFAULT_CHORD)) as session:
        environ = {**_without("DISPLAY"), **session.client_env()}
        checks = by_topic(doctor(environ, "--json"))
    assert checks["hotkey"] == {
        "topic": "hotkey",
        "status": "ok",
        "found": "compositor: Wayland session: the compositor runs Saytype's commands on your "
        "key bindings, which sway has.",
        "fix": "",
        "route": "compositor",
    }


def test_with_no_sound_server_it_says_so_and_how_to_start_it(tmp_path: Path) -> None:
    if shutil.which("pactl") is None:
        fail_missing("needs pactl (apt install pulseaudio-utils)")
    socket = tmp_path / "pulse" / "native"  # nothing listens there
    environ = {**_without("DBUS_SESSION_BUS_ADDRESS"), "PULSE_SERVER": f"unix:{socket}"}
    checks = by_topic(doctor(environ, "--json"))
    server = checks["sound server"]
    assert server["found"].startswith(
        f"No PulseAudio-compatible sound server answers at PULSE_SERVER=unix:{socket} ("
    )
    assert "`systemctl --user start pipewire-pulse` (PipeWire)" in server["fix"]
    assert "`pulseaudio --start` (PulseAudio)" in server["fix"]
    if checks["microphone"]["status"] == "problem":  # no sound card PortAudio opens directly
        assert server["status"] == "problem"
        assert checks["microphone"]["fix"] == "Start the sound server (see its check)."
    line = next(line for line in doctor(environ).splitlines() if server["found"] in line)
    assert line.startswith(f"{_MARK[server['status']]}  sound server  ")


@pytest.mark.integration
def test_a_sound_server_that_stops_is_named_then_said_to_be_down() -> None:
    with running_pulseaudio() as pulse:
        environ = pulse.full_env()
        running = by_topic(doctor(environ, "--json"))
        assert running["sound server"]["status"] == "ok"
        assert running["sound server"]["found"].startswith("pulseaudio ")
        assert running["microphone"]["found"] == "1 found: Monitor of Null Output."
        subprocess.run(["pulseaudio", "-k"], env=environ, check=True, timeout=30)
        stopped = by_topic(doctor(environ, "--json"))
    found = stopped["sound server"]["found"]
    assert found.startswith("No PulseAudio-compatible sound server answers")
    assert stopped["microphone"]["found"] != "No microphone found."  # not the cable


_MARK = {"warning": "warn", "problem": "FAIL"}  # as the text output marks a line


# ---- the checks, fed what other desktops show ----------------------------------------------


def _gnome_probes(**overrides: object) -> DoctorProbes:
    fields: dict[str, object] = {
        "which": lambda name: f"/usr/bin/{name}",
        "interfaces": lambda _env: frozenset({"wl_seat", "wl_compositor"}),  # GNOME's mutter
        "tray": lambda _env: False,
        "microphones": lambda: ["Built-in Audio Analog Stereo"],
        "uinput": lambda _env, _which: UinputProbe(None, MESSAGE_NO_UINPUT),  # no setup yet
        "global_shortcuts": lambda _env: False,  # GNOME before 48
        "sound_server": lambda _env: SoundServer(True, "PulseAudio (on PipeWire 1.0.5) 15.0.0"),
        **overrides,
    }
    return DoctorProbes(**fields)  # type: ignore[arg-type]


GNOME = {
    "WAYLAND_DISPLAY": "wayland-0",
    "XDG_SESSION_TYPE": "wayland",
    "XDG_CURRENT_DESKTOP": "GNOME",
}


def _check(findings: list[Finding], topic: str) -> Finding:
    return next(finding for finding in findings if finding.topic == topic)


def test_gnome_without_a_virtual_keyboard_says_text_can_only_go_to_the_clipboard(
    tmp_path: Path,
) -> None:
    findings = diagnose(GNOME, "tiny.en", {"data": tmp_path}, _gnome_probes())
    delivery = _check(findings, "delivery")
    assert delivery.status == "problem"
    assert "clipboard" in delivery.fix
    assert _check(findings, "compositor").found == (
        "gnome: no virtual keyboard and no clipboard control (GNOME has neither)."
    )
    assert _check(findings, "clipboard").status == "warning"
    assert "saytype keys --print gnome" in _check(findings, "hotkey").fix


def test_a_portal_with_global_shortcuts_takes_the_hotkey(tmp_path: Path) -> None:
    probes = _gnome_probes(global_shortcuts=lambda _env: True)  # GNOME 48+
    hotkey = _check(diagnose(GNOME, "tiny.en", {"data": tmp_path}, probes), "hotkey")
    assert (hotkey.status, hotkey.route, hotkey.fix) == ("ok", "portal", "")
    assert "press and release" in hotkey.found


def test_every_finding_that_is_not_ok_has_one_sentence_of_fix(tmp_path: Path) -> None:
    def no_portaudio() -> list[str]:
        raise MicError("PortAudio is missing: install libportaudio2")

    findings = diagnose(
        {}, "no-such-model", {"data": tmp_path}, _gnome_probes(microphones=no_portaudio)
    )
    assert _check(findings, "microphone").found == "PortAudio is missing: install libportaudio2."
    for finding in findings:
        if finding.status != "ok":
            assert finding.fix.count(". ") == 0, finding
            assert finding.fix.endswith("."), finding


def test_without_a_display_the_fix_says_where_to_run_saytype(tmp_path: Path) -> None:
    delivery = _check(diagnose({}, "tiny.en", {"data": tmp_path}, _gnome_probes()), "delivery")
    assert delivery.found.startswith("none: No display to type into")
    assert delivery.fix == (
        "Run Saytype inside your desktop session, where DISPLAY or WAYLAND_DISPLAY is set."
    )


def test_folders_others_can_read_or_you_cannot_write_are_named_with_the_command(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    findings = diagnose(
        {"DISPLAY": ":9"},
        "tiny.en",
        {"settings": shared, "data": private},
        _gnome_probes(),
    )
    assert _check(findings, "settings folder").fix == f"Make it private: chmod 700 '{shared}'."
    assert _check(findings, "data folder").status == "ok"


def test_gnome_with_ydotool_set_up_types_through_uinput(tmp_path: Path) -> None:
    probes = _gnome_probes(uinput=lambda _env, _which: UinputProbe("ydotool"))
    findings = diagnose(GNOME, "tiny.en", {"data": tmp_path}, probes)
    delivery = _check(findings, "delivery")
    assert (delivery.status, delivery.route, delivery.fix) == ("ok", "wayland-uinput", "")
    assert delivery.found.startswith(
        "wayland-uinput: GNOME offers no virtual keyboard: typing through /dev/uinput with ydotool"
    )
    as_json = json.loads(json.dumps({"checks": [asdict(f) for f in findings]}))  # as --json
    assert by_topic(json.dumps(as_json))["delivery"]["route"] == "wayland-uinput"
    assert "/dev/uinput" in _check(findings, "compositor").fix


def test_gnome_before_the_uinput_setup_names_it(tmp_path: Path) -> None:
    findings = diagnose(GNOME, "tiny.en", {"data": tmp_path}, _gnome_probes())
    delivery = _check(findings, "delivery")
    assert "sudo usermod -aG input $USER" in delivery.found
    assert delivery.fix.startswith("Do the one-time setup the line names")


def test_sound_cards_reached_without_the_server_make_it_a_warning(tmp_path: Path) -> None:
    probes = _gnome_probes(
        sound_server=lambda _env: SoundServer(False, error="Connection refused"),
        microphones=lambda: ["HDA Intel PCH: ALC3246 Analog (hw:0,0)"],  # plain ALSA
    )
    findings = diagnose({"DISPLAY": ":9"}, "tiny.en", {"data": tmp_path}, probes)
    server = _check(findings, "sound server")
    assert server.status == "warning"
    assert server.found == "No PulseAudio-compatible sound server answers (Connection refused)."
    assert server.fix.count(". ") == 0
    assert server.fix.endswith("log out and back in.")
    assert _check(findings, "microphone").status == "ok"


def test_without_pactl_the_sound_server_is_not_checked(tmp_path: Path) -> None:
    probes = _gnome_probes(sound_server=lambda _env: SoundServer(None), microphones=list)
    findings = diagnose({"DISPLAY": ":9"}, "tiny.en", {"data": tmp_path}, probes)
    assert "sound server" not in [finding.topic for finding in findings]
    assert _check(findings, "microphone").found == "No microphone found."
