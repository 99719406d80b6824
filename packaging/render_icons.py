"""Render Saytype's SVG icon for each platform's packaging, with Qt's SVG renderer.

    python render_icons.py resources/icons/saytype.svg --hicolor OUT/share/icons/hicolor
    python render_icons.py resources/icons/saytype.svg --app-icon build/saytype.ico

``--hicolor`` writes the freedesktop tree (``<size>x<size>/apps/saytype.png``
for the sizes menus and panels ask for, and ``scalable/apps/saytype.svg``);
``--app-icon`` writes one 256 px Windows ``.ico``; ``--iconset`` writes the
PNGs of a macOS ``.iconset`` folder for ``iconutil -c icns`` (the PyInstaller
spec makes both itself). Generated at build time so that only the
SVG lives in git, and no tool beyond the PySide6 Saytype depends on is needed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

ICON_NAME = "saytype"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256)
APP_ICON_SIZE = 256
_APP_ICON_FORMATS = {".ico": "ICO", ".png": "PNG"}
ICONSET_SIZES = (16, 32, 128, 256, 512)  # each also at @2x, as iconutil expects
_qt_app: Any = None  # Qt's painting needs an application object, kept for the whole run


def _render(svg: Path, size: int) -> Any:
    """The SVG drawn into a transparent ``size`` x ``size`` QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    global _qt_app  # noqa: PLW0603
    if QGuiApplication.instance() is None:
        _qt_app = QGuiApplication(["render_icons"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _save(image: Any, target: Path, image_format: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), image_format):
        raise OSError(f"could not write {target}")


def render_hicolor(svg: Path, hicolor: Path) -> list[Path]:
    """Write the PNG sizes and the scalable SVG under ``hicolor``; return the files written."""
    written = []
    for size in HICOLOR_SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        _save(_render(svg, size), target, "PNG")
        written.append(target)
    scalable = hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    return written


def render_app_icon(svg: Path, target: Path) -> Path:
    """Write a Windows .ico or a plain .png application icon (by suffix)."""
    image_format = _APP_ICON_FORMATS.get(target.suffix.lower())
    if image_format is None:
        raise ValueError(f"{target.name}: an application icon ends in .ico or .png")
    _save(_render(svg, APP_ICON_SIZE), target, image_format)
    return target


def render_iconset(svg: Path, iconset: Path) -> list[Path]:
    """Write a macOS ``NAME.iconset`` folder; ``iconutil -c icns`` turns it into an .icns.

    Qt's own ICNS writer is not used: its reader flags the table of contents it writes.
    """
    written = []
    for size in ICONSET_SIZES:
        for scale, suffix in ((1, ""), (2, "@2x")):
            target = iconset / f"icon_{size}x{size}{suffix}.png"
            _save(_render(svg, size * scale), target, "PNG")
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("svg", type=Path)
    parser.add_argument("--hicolor", type=Path, help="write a freedesktop hicolor icon tree here")
    parser.add_argument("--app-icon", type=Path, help="write one .ico or .png icon here")
    parser.add_argument("--iconset", type=Path, help="write a macOS .iconset folder here")
    args = parser.parse_args(argv)
    if not (args.hicolor or args.app_icon or args.iconset):
        parser.error("say where to write: --hicolor DIR, --app-icon FILE or --iconset DIR")
    try:
        if args.hicolor:
            written = render_hicolor(args.svg, args.hicolor)
            print(f"rendered {len(written)} icon files into {args.hicolor}")
        if args.app_icon:
            print(f"rendered {render_app_icon(args.svg, args.app_icon)}")
        if args.iconset:
            written = render_iconset(args.svg, args.iconset)
            print(f"rendered {len(written)} icon files into {args.iconset}")
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"render_icons: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
