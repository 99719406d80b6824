"""How the hotkey reaches Saytype in this session, and why (for ``saytype doctor`` and Settings).

X11 lets Saytype grab the chord from the X server (``x11_grab``). Wayland lets
no app see global keys: where the desktop's portal offers GlobalShortcuts
(KDE Plasma, GNOME 48+, Hyprland) the compositor reports the chord's press and
release to Saytype (``portal_shortcuts``); elsewhere the compositor runs
``saytype press|release|toggle|cancel`` on bindings that ``saytype keys`` prints,
and the X11 grab then sees only keys typed into XWayland windows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.core.hotkeys.compositor_bindings import detect_compositor
from app.core.output.delivery_route import is_wayland_session

HotkeyRouteName = Literal["x11-grab", "portal", "compositor", "none"]
OLD_BINDINGS_FIX = (
    "Your bindings run `saytype stop` on the key's release, as an older Saytype printed: a "
    "quick tap can leave the microphone open, and How the hotkey works in Settings does not "
    "apply. Replace them with the lines `{keys}` prints (`saytype press` and `release`)."
)


@dataclass(frozen=True)
class HotkeyRoute:
    """``name``: how the hotkey arrives; ``reason``: one sentence; ``fix``: what to do, or ""."""

    name: HotkeyRouteName
    reason: str
    fix: str = ""


def choose_hotkey_route(
    environ: Mapping[str, str],
    global_shortcuts: Callable[[Mapping[str, str]], bool] | None = None,
    bound: Callable[[Mapping[str, str]], bool | None] | None = None,
    old_bindings: Callable[[Mapping[str, str]], bool] | None = None,
) -> HotkeyRoute:
    """The hotkey route of a session with environment ``environ``.

    Args:
        environ: The session's environment.
        global_shortcuts: Whether the session's portal offers GlobalShortcuts
            (asked only in a Wayland session); None: it is not asked.
        bound: Whether the compositor runs Saytype's commands on a key already (None
            when it cannot tell); asked only where the compositor route is taken.
        old_bindings: Whether those bindings are an older Saytype's ``start`` on press,
            ``stop`` on release (a quick tap could leave the microphone open).
    """
    if is_wayland_session(environ):
        compositor = detect_compositor(environ)
        # sway has no GlobalShortcuts backend, but xdg-desktop-portal before 1.18 falls back
        # to any installed one (KDE's, say), whose shortcuts then never fire under sway.
        ask = global_shortcuts if compositor != "sway" else None
        if ask is not None and ask(environ):
            return HotkeyRoute(
                "portal",
                "Wayland session whose desktop portal offers global shortcuts: "
                "the compositor reports the hotkey's press and release to Saytype.",
            )
        keys = f"saytype keys --print {compositor}" if compositor else "saytype keys --print NAME"
        if bound is not None and bound(environ):
            reason = (
                "Wayland session: the compositor runs Saytype's commands on your key "
                f"bindings, which {compositor or 'it'} has."
            )
            if old_bindings is not None and old_bindings(environ):
                return HotkeyRoute("compositor", reason, OLD_BINDINGS_FIX.format(keys=keys))
            return HotkeyRoute("compositor", reason)
        return HotkeyRoute(
            "compositor",
            "Wayland session: the compositor runs Saytype's commands on your key bindings.",
            f"Bind the hotkey once with the lines `{keys}` prints.",
        )
    display = environ.get("DISPLAY")
    if display:
        return HotkeyRoute("x11-grab", f"X11 session ({display}): Saytype grabs the hotkey.")
    return HotkeyRoute(
        "none",
        "No display: there is no keyboard to take a hotkey from.",
        "Run Saytype inside a desktop session (DISPLAY or WAYLAND_DISPLAY set).",
    )
