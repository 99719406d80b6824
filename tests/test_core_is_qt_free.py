"""app/core must never import Qt: the engine, CLI and benchmarks run headless."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "app" / "core"
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_names_qt() -> None:
    sources = sorted(CORE.rglob("*.py"))
    assert len(sources) > 5
    offenders = {
        str(source.relative_to(CORE)): sorted(
            name for name in _imported_modules(source) if name.split(".")[0] in QT_PACKAGES
        )
        for source in sources
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = [
        ".".join(("app", "core", *source.relative_to(CORE).with_suffix("").parts))
        for source in sorted(CORE.rglob("*.py"))
    ]
    modules = [name.removesuffix(".__init__") for name in modules]
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_PACKAGES!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
