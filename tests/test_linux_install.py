"""packaging/linux/install.sh and --uninstall round-trip in a throwaway HOME.

A shell script stands in for PyInstaller's executable, so these run in seconds;
the real bundle is installed and run by packaging/smoke-test.sh (``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.desktop_entry import read_desktop_entry, validate_desktop_file

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
APP_ID = "io.saytype.Saytype"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX / f"{APP_ID}.metainfo.xml"
ICON_SVG = ROOT / "resources" / "icons" / "saytype.svg"
INSTALL_SH = LINUX / "install.sh"


# --- install.sh and --uninstall ----------------------------------------------


def make_fake_bundle(folder: Path, icon_sizes: tuple[int, ...] = (16, 48)) -> Path:
    """A bundle with the real desktop files and a shell script standing in for PyInstaller's."""
    (folder / "_internal").mkdir(parents=True)
    executable = folder / "saytype"
    executable.write_text('#!/bin/sh\necho "fake saytype $*"\n', encoding="utf-8")
    executable.chmod(0o755)
    (folder / "share" / "applications").mkdir(parents=True)
    shutil.copy(DESKTOP_FILE, folder / "share" / "applications")
    (folder / "share" / "metainfo").mkdir(parents=True)
    shutil.copy(METAINFO_FILE, folder / "share" / "metainfo")
    for size in icon_sizes:
        icon = folder / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "saytype.png"
        icon.parent.mkdir(parents=True)
        icon.write_bytes(b"\x89PNG fake")
    scalable = folder / "share" / "icons" / "hicolor" / "scalable" / "apps" / "saytype.svg"
    scalable.parent.mkdir(parents=True)
    shutil.copy(ICON_SVG, scalable)
    return folder


def run_installer(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    environment = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(
        ["bash", str(INSTALL_SH), *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=60,
    )


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file() or path.is_symlink()}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A HOME whose path needs quoting in a desktop entry's Exec key."""
    folder = tmp_path / "a home"
    (folder / ".local" / "share" / "applications").mkdir(parents=True)
    (folder / ".local" / "share" / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
    return folder


def test_install_then_uninstall_leaves_home_as_it_was(tmp_path: Path, home: Path) -> None:
    bundle = make_fake_bundle(tmp_path / "bundle")
    before = files_under(home)

    installed = run_installer(home, "--bundle", bundle)
    assert installed.returncode == 0, installed.stderr
    lib = home / ".local" / "lib" / "saytype"
    link = home / ".local" / "bin" / "saytype"
    assert link.is_symlink()
    assert link.resolve() == (lib / "saytype").resolve()
    ran = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=True)
    assert ran.stdout == "fake saytype --version\n"
    applications = home / ".local" / "share" / "applications"
    desktop = applications / DESKTOP_FILE.name
    validate_desktop_file(desktop)
    entry = read_desktop_entry(desktop)
    assert entry["Desktop Entry"]["Exec"] == f'"{lib}/saytype" %F'
    assert entry["Desktop Entry"]["TryExec"] == f"{lib}/saytype"
    assert entry["Desktop Action toggle"]["Exec"] == f'"{lib}/saytype" toggle'
    share = home / ".local" / "share"
    assert (share / "metainfo" / METAINFO_FILE.name).read_bytes() == METAINFO_FILE.read_bytes()
    assert (share / "icons/hicolor/48x48/apps/saytype.png").read_bytes() == b"\x89PNG fake"
    assert (share / "icons/hicolor/scalable/apps/saytype.svg").is_file()

    removed = run_installer(home, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    left = files_under(home) - before
    # update-desktop-database (when installed) keeps its MIME cache up to date.
    assert left <= {applications / "mimeinfo.cache"}, sorted(map(str, left))
    assert not (home / ".local" / "lib" / "saytype").exists()
    assert not (share / "icons" / "hicolor" / "48x48").exists(), "empty icon folders pruned"
    assert "settings, history and models are kept" in removed.stdout


def test_uninstall_removes_only_an_autostart_entry_that_starts_this_copy(
    tmp_path: Path, home: Path
) -> None:
    bundle = make_fake_bundle(tmp_path / "bundle")
    assert run_installer(home, "--bundle", bundle).returncode == 0
    autostart = home / ".config" / "autostart" / "saytype.desktop"
    autostart.parent.mkdir(parents=True)
    lib = home / ".local" / "lib" / "saytype"
    autostart.write_text(f'[Desktop Entry]\nExec="{lib}/saytype"\n', encoding="utf-8")
    assert run_installer(home, "--uninstall").returncode == 0
    assert not autostart.exists()

    # Another installation's entry (a pip install) survives the bundle's uninstall.
    assert run_installer(home, "--bundle", bundle).returncode == 0
    autostart.write_text("[Desktop Entry]\nExec=/opt/venv/bin/saytype\n", encoding="utf-8")
    removed = run_installer(home, "--uninstall")
    assert removed.returncode == 0
    assert autostart.exists()
    assert "starts another Saytype installation" in removed.stdout


def test_upgrade_replaces_the_program_and_drops_files_the_new_version_lacks(
    tmp_path: Path, home: Path
) -> None:
    assert run_installer(home, "--bundle", make_fake_bundle(tmp_path / "v1")).returncode == 0
    lib = home / ".local" / "lib" / "saytype"
    (lib / "_internal" / "stale.so").write_bytes(b"old")
    newer = make_fake_bundle(tmp_path / "v2", icon_sizes=(16,))
    upgraded = run_installer(home, "--bundle", newer)
    assert upgraded.returncode == 0, upgraded.stderr
    icons = home / ".local" / "share" / "icons" / "hicolor"
    assert (icons / "16x16" / "apps" / "saytype.png").is_file()
    assert not (icons / "48x48" / "apps" / "saytype.png").exists()
    assert not (lib / "_internal" / "stale.so").exists()
    assert not list((home / ".local" / "lib").glob(".saytype*")), "no staging left behind"


def test_install_refuses_to_replace_a_saytype_it_did_not_install(
    tmp_path: Path, home: Path
) -> None:
    script = home / ".local" / "bin" / "saytype"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n# pip's console script\n", encoding="utf-8")
    result = run_installer(home, "--bundle", make_fake_bundle(tmp_path / "bundle"))
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert script.read_text(encoding="utf-8").endswith("console script\n")
    assert not (home / ".local" / "lib" / "saytype").exists()


def test_install_without_a_bundle_says_how_to_build_one(tmp_path: Path, home: Path) -> None:
    result = run_installer(home, "--bundle", tmp_path / "missing")
    assert result.returncode != 0
    assert "packaging/build.sh" in result.stderr


def test_install_script_is_executable_and_bash_clean() -> None:
    for script in (INSTALL_SH, PACKAGING / "build.sh", PACKAGING / "smoke-test.sh"):
        assert script.stat().st_mode & stat.S_IXUSR, f"{script.name} is not executable"
        checked = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr
