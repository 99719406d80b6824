"""Typing into native Wayland applications through the virtual keyboard, with ``wtype``.

Wayland has no XTest: a client types only through the compositor's
``zwp_virtual_keyboard_v1`` protocol (wlroots compositors such as sway,
Hyprland, river; KDE Plasma 6). ``wtype`` speaks it: each call creates a
virtual keyboard, uploads a keymap holding exactly the characters it will
type, and sends their keys, so any Unicode text arrives whatever the user's
layout.

Its first key is lost where the seat has no keyboard of its own (a headless
session; a tablet): the virtual keyboard gives the seat its keyboard, focused
apps bind one only when told so, and wtype's first press goes out before they
have: foot then sees that key already down and only its release
(``WAYLAND_DEBUG``), so ``wtype "Héllo"`` typed "éllo" 138 times in 150.
With any other keyboard on the seat, 0 in 150 (decision 0012). So the
injector keeps an idle virtual keyboard (:class:`_SeatKeyboard`, a sleeping
wtype) on the seat from when it opens until it closes; open it early
(``DeliveryService`` does, for this route) and no text ever changes the
seat's keyboards. A real desktop has a keyboard anyway, and loses nothing.

What Wayland does not tell a client: which keys are physically held and which
window has the focus (sway and Hyprland say the latter over their IPC,
``wayland_focus``). :meth:`WtypeKeyInjector.modifiers_down` is therefore
always empty; hold-to-talk on Wayland stops on the compositor's ``--release``
binding, after the keys are up. Saytype's own windows are recognised by Qt
(``DeliveryService(own_window_active=…)``), not here.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence

from app.core.output.text_delivery import InjectionError
from app.core.output.wayland_focus import WaylandKeyboardFocus

log = logging.getLogger(__name__)

INSTALL_HINT = "sudo apt install wtype"
MESSAGE_NO_WTYPE = f"Typing into Wayland apps needs wtype, which is not installed ({INSTALL_HINT})"

# The idle keyboard: one wtype that only sleeps (each sleep under its 32-bit microsecond
# limit), 24 hours in all; a holder found gone is started again before the next text.
_HOLD_ARGS: tuple[str, ...] = ("-s", "600000") * 144
# sh lives exactly as long as that wtype, which ends when our end of stdin closes: also when
# Saytype dies. (A background list's stdin is /dev/null, hence fd 3.)
_HOLD_SCRIPT = (
    'exec 3<&0; "$0" "$@" & w=$!; (read -r _ <&3; kill "$w" 2>/dev/null) & r=$!; '
    'wait "$w"; kill "$r" 2>/dev/null'
)
# wtype's modifier names for the chord keys that are modifiers.
_CHORD_MODIFIERS = {"ctrl": "ctrl", "control": "ctrl", "shift": "shift", "super": "logo"}
# xkb keysym names for the other chord keys and the characters typed as keys.
_CHORD_KEYSYMS = {"insert": "Insert", "backspace": "BackSpace", "v": "v", "enter": "Return"}
_KEY_CHARS = {"\n": "Return", "\r": "Return", "\t": "Tab"}
# wtype keeps named keys and characters in one table keyed by number, so a named
# key must not share a call with the character of the same number: Return is
# 0xFF0D, Tab 0xFF09, the code points of U+FF0D and U+FF09 (fullwidth minus, parenthesis).
_KEYSYM_VALUES = {"Return": 0xFF0D, "Tab": 0xFF09}

_BASE_TIMEOUT_S = 10.0
_PER_KEY_TIMEOUT_S = 0.05  # wtype waits ~4 ms and two round trips per key


Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]
Starter = Callable[..., "subprocess.Popen[bytes]"]


def wtype_calls(text: str) -> list[list[str]]:
    """The wtype argument lists (without the program) that type ``text`` exactly.

    Newlines and tabs go as the Return and Tab keys, and a ``-`` that would
    start an argument as the minus key (wtype would read it as an option).
    Text arguments never follow each other: wtype would join them with a space.
    """
    calls: list[list[str]] = []
    args: list[str] = []
    chars: set[int] = set()  # characters in the current call
    keys: set[int] = set()  # keysym numbers of the named keys in the current call
    run = ""
    for char in text:
        key = _KEY_CHARS.get(char)
        if key is None and char == "-" and not run:
            key = "minus"  # "-" may not start an argument; it cannot clash with a char
        if key is None:
            if ord(char) in keys:
                calls.append([*args, run] if run else args)
                args, chars, keys, run = [], set(), set(), ""
            run += char
            chars.add(ord(char))
            continue
        number = _KEYSYM_VALUES.get(key)
        if number is not None and number in chars:
            calls.append([*args, run] if run else args)
            args, chars, keys, run = [], set(), set(), ""
        if run:
            args.append(run)
            run = ""
        args += ["-k", key]
        if number is not None:
            keys.add(number)
    if run:
        args.append(run)
    if args:
        calls.append(args)
    return calls


def chord_args(keys: Sequence[str]) -> list[str]:
    """wtype arguments that press ``keys`` together (e.g. ``["ctrl", "v"]``), then release."""
    modifiers = [_CHORD_MODIFIERS[k.lower()] for k in keys if k.lower() in _CHORD_MODIFIERS]
    others = [k for k in keys if k.lower() not in _CHORD_MODIFIERS]
    args: list[str] = []
    for modifier in modifiers:
        args += ["-M", modifier]
    for key in others:
        args += ["-P", _CHORD_KEYSYMS.get(key.lower(), key)]
    for key in reversed(others):
        args += ["-p", _CHORD_KEYSYMS.get(key.lower(), key)]
    for modifier in reversed(modifiers):
        args += ["-m", modifier]
    return args


class WtypeKeyInjector(WaylandKeyboardFocus):
    """Sends keys to the focused Wayland window by running ``wtype``.

    Not thread-safe: call it from one thread (the delivery worker).
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        program: str | None = None,
        runner: Runner = subprocess.run,
        starter: Starter = subprocess.Popen,
    ) -> None:
        """Find wtype and put the idle keyboard on the seat.

        Args:
            environ: The environment wtype runs in (``WAYLAND_DISPLAY``,
                ``XDG_RUNTIME_DIR``); None for this process's own.
            program: wtype's path; None to look it up on ``PATH``.
            runner: Runs one command (``subprocess.run``; a fake in tests).
            starter: Starts the idle keyboard's process (``subprocess.Popen``).

        Raises:
            InjectionError: wtype is not installed, or cannot run.
        """
        source = os.environ if environ is None else environ
        path = program or shutil.which("wtype", path=source.get("PATH"))
        if path is None:
            raise InjectionError(MESSAGE_NO_WTYPE)
        self._program = path
        # wtype decodes its arguments with the locale's charset: under "C" it rejects "é".
        self._environ = {**source, "LC_ALL": "C.UTF-8"}
        self._runner = runner
        self._seat_keyboard = _SeatKeyboard(path, self._environ, starter)

    def type_text(self, text: str) -> None:
        """Type ``text`` exactly, first character included."""
        for args in wtype_calls(text):
            self._run(args, keys=sum(len(arg) for arg in args))

    def send_chord(self, keys: Sequence[str]) -> None:
        """Press ``keys`` (``"ctrl"``, ``"shift"``, ``"v"``, ``"backspace"``…) together."""
        self._run(chord_args(keys), keys=len(keys))

    def close(self) -> None:
        """Take the idle keyboard off the seat."""
        self._seat_keyboard.close()

    def _run(self, args: list[str], keys: int) -> None:
        self._seat_keyboard.ensure()
        command = [self._program, *args]
        timeout = _BASE_TIMEOUT_S + _PER_KEY_TIMEOUT_S * keys
        try:
            result = self._runner(
                command, env=self._environ, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise InjectionError(f"wtype did not finish within {timeout:.0f} s") from exc
        except OSError as exc:
            raise InjectionError(f"cannot run wtype: {exc}") from exc
        if result.returncode != 0:
            log.debug("wtype exited with %d", result.returncode)  # its arguments are the words
            # e.g. "Compositor does not support the virtual keyboard protocol" (GNOME)
            detail = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
            raise InjectionError(f"wtype failed: {detail}")


class _SeatKeyboard:
    """An idle virtual keyboard, so that the seat never loses its keyboard between texts."""

    def __init__(self, program: str, environ: Mapping[str, str], starter: Starter) -> None:
        self._command = ["sh", "-c", _HOLD_SCRIPT, program, *_HOLD_ARGS]
        self._environ = dict(environ)
        self._starter = starter
        self._process: subprocess.Popen[bytes] | None = None
        self.ensure()

    def ensure(self) -> None:
        """Start the holder unless it runs (the compositor may have gone, or a day passed)."""
        if self._process is not None and self._process.poll() is None:
            return
        if self._process is not None:
            log.info("the idle virtual keyboard had ended (exit %s)", self._process.returncode)
            self._close_stdin()
        try:
            self._process = self._starter(
                self._command,
                env=self._environ,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise InjectionError(f"cannot run wtype: {exc}") from exc

    def close(self) -> None:
        """End the holder: closing its stdin ends its wtype, then it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=_BASE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _close_stdin(self) -> None:
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.close()
