"""packaging/install.sh (the README's source install), step by step in a throwaway HOME.

The script is sourced and its steps called alone, with stand-ins for ``ldconfig``,
``dpkg-query`` and ``apt-get`` on PATH, so these run offline in a second; the
whole script runs in ``.ci/run``'s README check.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from app.core.display_check import XCB_LIBRARIES
from tests.support.desktop_entry import read_desktop_entry, validate_desktop_file

ROOT = Path(__file__).resolve().parents[1]
INSTALL_SH = ROOT / "packaging" / "install.sh"
CI_TEST = ROOT / ".ci" / "test"
APP_ID = "io.saytype.Saytype"


def run_step(
    script: Path, step: str, home: Path, fake_bin: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Source ``script`` and run ``step`` (bash code) with HOME pointed at ``home``."""
    path = os.environ.get("PATH", "/usr/bin:/bin")
    environment = {"HOME": str(home), "PATH": f"{fake_bin}:{path}" if fake_bin else path}
    return subprocess.run(
        ["bash", "-c", f'source "$1"\n{step}', "bash", str(script)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=60,
    )


def fake_command(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    command = folder / name
    command.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    command.chmod(0o755)


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A venv whose saytype is a script, in a folder whose name needs quoting in Exec."""
    folder = tmp_path / "my clone" / ".venv"
    fake_command(folder / "bin", "saytype", 'echo "venv saytype $*"')
    return folder


def install_launchers(home: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    return run_step(INSTALL_SH, f'VENV="{venv}"\ninstall_launchers', home)


def test_launchers_link_the_command_and_add_the_menu_entry(tmp_path: Path, venv: Path) -> None:
    home = tmp_path / "home"
    done = install_launchers(home, venv)
    assert done.returncode == 0, done.stderr
    link = home / ".local" / "bin" / "saytype"
    assert link.is_symlink()
    assert link.readlink() == venv / "bin" / "saytype"
    ran = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=True)
    assert ran.stdout == "venv saytype --version\n"

    share = home / ".local" / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    validate_desktop_file(desktop)
    entry = read_desktop_entry(desktop)
    saytype = venv / "bin" / "saytype"
    assert entry["Desktop Entry"]["Exec"] == f'"{saytype}" %F'
    assert entry["Desktop Entry"]["TryExec"] == str(saytype)
    assert entry["Desktop Action toggle"]["Exec"] == f'"{saytype}" toggle'
    icon = share / "icons" / "hicolor" / "scalable" / "apps" / "saytype.svg"
    assert icon.read_bytes() == (ROOT / "resources" / "icons" / "saytype.svg").read_bytes()

    again = install_launchers(home, venv)
    assert again.returncode == 0, again.stderr
    assert "kept" not in again.stdout, "a second run finds its own files"
    assert link.readlink() == saytype


def test_launchers_keep_what_another_installation_owns(tmp_path: Path, venv: Path) -> None:
    home = tmp_path / "home"
    pip_script = home / ".local" / "bin" / "saytype"
    fake_command(pip_script.parent, "saytype", "# pip's console script")
    bundle = home / ".local" / "lib" / "saytype" / "saytype"
    fake_command(bundle.parent, "saytype", "# the bundle")
    desktop = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    desktop.parent.mkdir(parents=True)
    desktop.write_text(f'[Desktop Entry]\nExec="{bundle}" %F\nTryExec={bundle}\n', "utf-8")

    done = install_launchers(home, venv)
    assert done.returncode == 0, done.stderr
    assert pip_script.read_text(encoding="utf-8").endswith("# pip's console script\n")
    assert f"TryExec={bundle}\n" in desktop.read_text(encoding="utf-8")
    assert "kept" in done.stdout


def test_launchers_without_an_installed_saytype_fail_clearly(tmp_path: Path) -> None:
    done = install_launchers(tmp_path / "home", tmp_path / "no-venv")
    assert done.returncode != 0
    assert "saytype is missing" in done.stderr


def runtime_packages() -> set[str]:
    """The packages install.sh installs for the window and the microphone."""
    text = INSTALL_SH.read_text(encoding="utf-8")
    block = text[text.index("RUNTIME_LIBRARIES=(") : text.index(")\n", text.index("RUNTIME_"))]
    return set(re.findall(r'"\S+ (\S+)"', block))


def test_install_sh_installs_the_window_libraries_ci_installs() -> None:
    ci = CI_TEST.read_text(encoding="utf-8")
    ci_packages = set(ci[ci.index("SYSTEM_PACKAGES=(") : ci.index("\n)\n")].split()[1:])
    run_time = {name for name in ci_packages if name.startswith(("libxcb", "libxkb", "libegl"))}
    run_time |= {"libgl1", "libportaudio2"}
    assert run_time <= ci_packages
    assert run_time <= runtime_packages()
    # And every library the app's own check asks for.
    assert set(XCB_LIBRARIES.values()) <= runtime_packages()


def test_only_packages_whose_libraries_are_missing_are_installed(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    # The loader knows everything but two libraries; dpkg knows nothing.
    known = "\\n".join(
        f"\\t{soname} (libc6,x86-64) => /usr/lib/{soname}"
        for soname in (*XCB_LIBRARIES, "libportaudio.so.2", "libEGL.so.1", "libGL.so.1")
        if soname not in {"libxcb-cursor.so.0", "libGL.so.1"}
    )
    fake_command(fake_bin, "ldconfig", f'printf "99 libs found in cache\\n{known}\\n"')
    fake_command(fake_bin, "dpkg-query", "exit 1")
    done = run_step(INSTALL_SH, "venv_supported() { true; }\nmissing_packages", tmp_path, fake_bin)
    assert done.returncode == 0, done.stderr
    missing = set(done.stdout.split())
    assert {"libxcb-cursor0", "libgl1"} <= missing
    assert not missing & set(XCB_LIBRARIES.values()) - {"libxcb-cursor0"}
    assert "libportaudio2" not in missing


@pytest.mark.parametrize(
    ("script", "setup"),
    [
        (INSTALL_SH, "missing_packages() { echo libxcb-cursor0; }\nvenv_supported() { true; }"),
        (CI_TEST, "pkg_installed() { false; }"),
    ],
)
def test_apt_waits_for_the_package_manager_lock(tmp_path: Path, script: Path, setup: str) -> None:
    fake_bin = tmp_path / "bin"
    calls = tmp_path / "apt-calls"
    fake_command(fake_bin, "apt-get", f'echo "$*" >> "{calls}"')
    step = f'{setup}\nas_root() {{ "$@"; }}\ninstall_system_packages'
    done = run_step(script, step, tmp_path, fake_bin)
    assert done.returncode == 0, done.stderr
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert [line.split()[2:3] for line in lines] == [["update"], ["install"]]
    assert all(line.startswith("-o DPkg::Lock::Timeout=300 ") for line in lines), lines
