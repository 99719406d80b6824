"""Whether the window can open at all, checked before Qt is asked to try.

Qt aborts the whole process (SIGABRT, exit status 134, maybe a core dump)
when no platform plugin starts, and its message ("This application failed to
start because no Qt platform plugin could be initialized. Reinstalling the
application may fix this problem.") sends people in the wrong direction. The
two common causes are cheap to see beforehand: no graphical display at all
(``saytype`` run over ssh or in a container), and, on X11, a library of Qt's
xcb plugin missing on a minimal system (since Qt 6.5 ``libxcb-cursor0``,
which no Qt wheel ships). This module names the cause in one sentence, so the
caller can print it and exit normally.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping

_WAYLAND_PLATFORMS = frozenset({"wayland", "wayland-egl", "wayland-brcm"})

# What Qt's xcb plugin links and no Qt wheel ships: the library's soname, and
# the Debian/Ubuntu package that installs it (packaging/install.sh installs them all).
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libX11-xcb.so.1": "libx11-xcb1",
}


def display_problem(
    environ: Mapping[str, str],
    can_load: Callable[[str], bool] | None = None,
    can_open: Callable[[str], bool] | None = None,
) -> str | None:
    """Why the window cannot open here, as one sentence; None when it should.

    Args:
        environ: the process environment (``DISPLAY``, ``WAYLAND_DISPLAY``,
            ``QT_QPA_PLATFORM``, ``XDG_SESSION_TYPE``).
        can_load: whether a shared library (by soname) loads; default: try it.
        can_open: whether an X display (``DISPLAY``'s value) answers; default: open it.

    Returns:
        The sentence to show the user, or None when nothing is known to be wrong.
    """
    load = can_load or _loads
    platforms = _requested_platforms(environ)
    if any(name != "xcb" and name not in _WAYLAND_PLATFORMS for name in platforms):
        return None  # offscreen, vnc, eglfs…: they need no display server
    x11 = bool(environ.get("DISPLAY")) and (not platforms or "xcb" in platforms)
    wayland = bool(environ.get("WAYLAND_DISPLAY")) and (
        not platforms or any(name in _WAYLAND_PLATFORMS for name in platforms)
    )
    if not x11 and not wayland:
        return _no_display(environ, platforms)
    if not x11 or (wayland and not _x11_first(environ, platforms)):
        return None  # a Wayland desktop has what Qt's wayland plugin links
    missing = sorted({package for soname, package in XCB_LIBRARIES.items() if not load(soname)})
    if not missing:
        display = environ.get("DISPLAY", "")
        if (can_open or _opens)(display):
            return None
        return (
            f"no X server answers on DISPLAY={display} (it stopped, or this is another "
            "session's); run saytype in your desktop session, or set DISPLAY to its display."
        )
    return (
        "the window cannot open on this X11 display because libraries of Qt's xcb plugin "
        f"are missing; install them with: sudo apt install {' '.join(missing)}"
    )


def _requested_platforms(environ: Mapping[str, str]) -> list[str]:
    """QT_QPA_PLATFORM's plugin names in order ("wayland;xcb", "vnc:size=800x600")."""
    value = environ.get("QT_QPA_PLATFORM", "")
    return [part.split(":", 1)[0].strip().lower() for part in value.split(";") if part.strip()]


def _x11_first(environ: Mapping[str, str], platforms: list[str]) -> bool:
    """Whether Qt tries xcb before wayland when both displays are there."""
    if platforms:
        return platforms[0] == "xcb"
    # Qt 6 prefers Wayland in a Wayland session and X11 otherwise.
    return environ.get("XDG_SESSION_TYPE", "").lower() != "wayland"


def _no_display(environ: Mapping[str, str], platforms: list[str]) -> str:
    unset = []
    if not platforms or "xcb" in platforms:
        unset.append("DISPLAY")
    if not platforms or any(name in _WAYLAND_PLATFORMS for name in platforms):
        unset.append("WAYLAND_DISPLAY")
    why = " and ".join(unset) + (" are unset" if len(unset) > 1 else " is unset")
    if platforms:
        why = f"QT_QPA_PLATFORM is {environ.get('QT_QPA_PLATFORM', '')!r} and {why}"
    return (
        f"no graphical display found ({why}); run saytype in a desktop session, "
        "or use 'saytype transcribe FILE' or 'saytype listen' in a terminal."
    )


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def _opens(display: str) -> bool:
    """Whether Xlib can open ``display`` (True when Xlib itself is missing: Qt will say)."""
    try:
        xlib = ctypes.CDLL("libX11.so.6")
    except OSError:
        return True
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    handle = xlib.XOpenDisplay(display.encode())
    if not handle:
        return False
    xlib.XCloseDisplay(handle)
    return True
