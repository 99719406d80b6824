"""Typing through ``/dev/uinput`` with ydotool or dotool, where Wayland has no virtual keyboard.

GNOME (mutter) and KDE (KWin) offer no ``zwp_virtual_keyboard_manager_v1``,
so wtype cannot type there. What every compositor reads is the kernel's input
devices: ``ydotool`` and ``dotool`` create one through ``/dev/uinput`` and
press its keys. That needs a one-time setup (:data:`UINPUT_SETUP`: a udev
rule and the ``input`` group; ydotool 1.x also its daemon, ydotoold).

Such a keyboard sends key *codes*, read through the user's layout: both tools
map characters to the keys of a US keyboard, so only printable ASCII is typed
(:data:`LAYOUT_CHARACTERS`; newlines and tabs as the Enter and Tab keys).
Everything else (é, €, ✓, emoji) is pasted at its place in the text through
the Wayland clipboard, which is then given back, as paste mode does
(``wayland_clipboard``); where no clipboard can be set, such text fails before
a single key goes out, so nothing is typed by halves.

Two ydotool generations are in use: 0.1.8 (Debian 12) opens ``/dev/uinput``
itself and takes key names (``ydotool key ctrl+v``); 1.x sends everything to
``ydotoold`` and takes evdev codes (``ydotool key 29:1 47:1 47:0 29:0``). Which
one is installed is read once from ``ydotool --help`` (only 1.x has
``--version``). Text goes on stdin (``type --file /dev/stdin``): a leading "-"
is no option then, and the words never show in the process list. dotool reads
its commands (``type TEXT``, ``key ctrl+v``) on stdin, one process per run.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from app.core.output.evdev_keys import modifiers_held
from app.core.output.paste_keys import paste_chord_for
from app.core.output.text_delivery import InjectionError, KeysPressed
from app.core.output.wayland_focus import WaylandKeyboardFocus

log = logging.getLogger(__name__)

UinputTool = Literal["ydotool", "dotool"]

INSTALL_HINT = "sudo apt install ydotool"
UINPUT_DEVICE = "/dev/uinput"
UINPUT_RULE = 'KERNEL=="uinput", GROUP="input", MODE="0660", OPTIONS+="static_node=uinput"'
UINPUT_SETUP = (
    f"echo '{UINPUT_RULE}' | sudo tee /etc/udev/rules.d/80-uinput.rules && "
    "sudo usermod -aG input $USER"
)
MESSAGE_NO_UINPUT = (
    f"{UINPUT_DEVICE} is not writable: add a udev rule and join the input group "
    f"({UINPUT_SETUP}), then log in again"
)
MESSAGE_NO_TOOL = (
    f"Typing through {UINPUT_DEVICE} needs ydotool or dotool, and neither is installed "
    f"({INSTALL_HINT})"
)
MESSAGE_NO_DAEMON = (
    "ydotool cannot reach its daemon: start ydotoold "
    "(systemctl --user enable --now ydotool, or run ydotoold)"
)
MESSAGE_NOT_IN_LAYOUT = (
    "{chars} cannot be typed through {device} (not on the keyboard layout), and this "
    "compositor lets no app set the clipboard to paste them: choose the clipboard as where "
    "the text goes (Settings)"
)

# What ydotool's and dotool's US tables can type; newline and tab go as keys.
LAYOUT_CHARACTERS = frozenset(chr(code) for code in range(0x20, 0x7F))
_KEY_CHARS = {"\n": "enter", "\r": "enter", "\t": "tab"}
# evdev codes (linux/input-event-codes.h) for ydotool 1.x; 0.1.8 and dotool take the names.
_EVDEV_CODES = {
    "ctrl": 29, "control": 29, "shift": 42, "alt": 56, "super": 125,
    "enter": 28, "return": 28, "tab": 15, "backspace": 14, "insert": 110, "delete": 111,
    "escape": 1, "esc": 1, "space": 57, "home": 102, "end": 107,
    "up": 103, "down": 108, "left": 105, "right": 106,
    **{letter: code for code, letter in enumerate("qwertyuiop", 16)},
    **{letter: code for code, letter in enumerate("asdfghjkl", 30)},
    **{letter: code for code, letter in enumerate("zxcvbnm", 44)},
    **{digit: code for code, digit in enumerate("1234567890", 2)},
}  # fmt: skip
_NAMES = {"control": "ctrl", "return": "enter", "esc": "escape"}
# Where ydotool 1.x looks for ydotoold (after $YDOTOOL_SOCKET); 0.1.8 uses the second.
_SOCKET_NAME = ".ydotool_socket"

_BASE_TIMEOUT_S = 10.0
# ydotool types a character in about 25 ms: 0.2 s between two looks at the keys held.
BURST_CHARS = 8
_PER_KEY_TIMEOUT_S = 0.05  # ydotool waits 12 ms after each press and each release
_RESTORE_DELAY_S = 0.5  # as the paste mode's default restore delay

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]
Step = tuple[Literal["type", "key", "paste"], str]


class ClipboardPaster(Protocol):
    """Pastes a text and gives the old clipboard back (``WaylandClipboard``)."""

    def paste(self, text: str, send_paste_keys: Callable[[], None], restore_delay_s: float) -> None:
        """Put ``text`` on the clipboard, call ``send_paste_keys``, restore once fetched.

        Raises:
            PasteNotTaken: nothing fetched it; it stays on the clipboard.
        """
        ...


@dataclass(frozen=True)
class UinputProbe:
    """Whether a uinput keyboard can type here: the ``tool`` to use, or the ``problem``."""

    tool: UinputTool | None
    problem: str = ""  # one sentence a user can act on; "" when tool is set


def ydotoold_sockets(environ: Mapping[str, str]) -> list[str]:
    """Where a running ydotoold listens: ``$YDOTOOL_SOCKET``, the runtime dir, ``/tmp``."""
    paths = [environ.get("YDOTOOL_SOCKET", "")]
    if environ.get("XDG_RUNTIME_DIR"):
        paths.append(str(Path(environ["XDG_RUNTIME_DIR"]) / _SOCKET_NAME))
    paths.append(str(Path("/tmp") / _SOCKET_NAME))
    return [path for path in paths if path]


def probe_uinput(
    environ: Mapping[str, str],
    which: Callable[[str], str | None] = shutil.which,
    *,
    writable: Callable[[str], bool] = lambda path: os.access(path, os.W_OK),
    exists: Callable[[str], bool] = os.path.exists,
) -> UinputProbe:
    """Which uinput tool can type in a session with ``environ``, or why none can.

    ydotool with its daemon running comes first (the daemon holds the device),
    then dotool or ydotool where ``/dev/uinput`` is writable.
    """
    ydotool, dotool = which("ydotool"), which("dotool")
    if ydotool and any(exists(path) for path in ydotoold_sockets(environ)):
        return UinputProbe("ydotool")
    if not ydotool and not dotool:
        return UinputProbe(None, MESSAGE_NO_TOOL)
    if not writable(UINPUT_DEVICE):
        return UinputProbe(None, MESSAGE_NO_UINPUT)
    return UinputProbe("dotool" if dotool else "ydotool")


def uinput_steps(text: str) -> list[Step]:
    """``text`` as steps, in order: ASCII runs to type, Enter/Tab keys, other runs to paste."""
    steps: list[Step] = []
    for char in text:
        key = _KEY_CHARS.get(char)
        kind: Literal["type", "key", "paste"] = (
            "key" if key else "type" if char in LAYOUT_CHARACTERS else "paste"
        )
        if key is not None:
            steps.append(("key", key))
        elif steps and steps[-1][0] == kind:
            steps[-1] = (kind, steps[-1][1] + char)
        else:
            steps.append((kind, char))
    return steps


def _bursts(steps: Sequence[Step]) -> Iterator[Step]:
    """``steps`` with each run to type cut into :data:`BURST_CHARS` characters at most."""
    for kind, value in steps:
        if kind != "type":
            yield kind, value
            continue
        for start in range(0, len(value), BURST_CHARS):
            yield kind, value[start : start + BURST_CHARS]


def ydotool_key_args(keys: Sequence[str], modern: bool) -> list[str]:
    """ydotool arguments that press ``keys`` together, then release them in reverse."""
    names = [_NAMES.get(key.lower(), key.lower()) for key in keys]
    if not modern:
        return ["key", "+".join(names)]
    unknown = [name for name in names if name not in _EVDEV_CODES]
    if unknown:
        raise InjectionError(f"ydotool cannot press {'+'.join(unknown)}: no key code known")
    codes = [_EVDEV_CODES[name] for name in names]
    return ["key", *(f"{code}:1" for code in codes), *(f"{code}:0" for code in reversed(codes))]


def dotool_commands(steps: Sequence[Step]) -> str:
    """dotool's stdin for ``steps`` (types and keys only), one command a line."""
    lines = [f"type {value}" if kind == "type" else f"key {value}" for kind, value in steps]
    return "".join(f"{line}\n" for line in lines)


class UinputKeyInjector(WaylandKeyboardFocus):
    """Sends keys to the focused window through ``/dev/uinput`` with ydotool or dotool.

    Not thread-safe: call it from one thread (the delivery worker).
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        clipboard: ClipboardPaster | None = None,
        tool: UinputTool | None = None,
        program: str | None = None,
        runner: Runner = subprocess.run,
        restore_delay_s: float = _RESTORE_DELAY_S,
        held_modifiers: Callable[[], frozenset[str]] = modifiers_held,
    ) -> None:
        """Find the tool (and ydotool's generation).

        Args:
            environ: The environment the tool runs in (``YDOTOOL_SOCKET``,
                ``XDG_RUNTIME_DIR``); None for this process's own.
            clipboard: Pastes what the layout cannot type; None: such text fails.
            tool: ``"ydotool"`` or ``"dotool"``; None to pick as :func:`probe_uinput`.
            program: The tool's path; None to look it up on ``PATH``.
            runner: Runs one command (``subprocess.run``; a fake in tests).
            restore_delay_s: How long a paste waits for the target before restoring.
            held_modifiers: Which modifiers the keyboards hold (the kernel's answer).

        Raises:
            InjectionError: No tool is installed, or it cannot run.
        """
        source = os.environ if environ is None else environ
        self._environ = dict(source)
        search = source.get("PATH")
        which: Callable[[str], str | None] = lambda name: shutil.which(name, path=search)  # noqa: E731
        if tool is None:
            tool = probe_uinput(source, which).tool or ("ydotool" if which("ydotool") else "dotool")
        path = program or which(tool)
        if path is None:
            raise InjectionError(MESSAGE_NO_TOOL)
        self._tool: UinputTool = tool
        self._program = path
        self._runner = runner
        self._clipboard = clipboard
        self._restore_delay_s = restore_delay_s
        self._held_modifiers = held_modifiers
        self._modern = tool == "ydotool" and self._is_modern_ydotool()

    @property
    def tool(self) -> str:
        """The tool that types: ``"ydotool"`` or ``"dotool"``."""
        return self._tool

    def modifiers_down(self) -> frozenset[str]:
        """Modifiers held on the keyboards, read from the kernel where the input group may.

        The uinput device shares the seat with them: a Ctrl still down from the
        hotkey would turn typed letters into shortcuts (``evdev_keys``).
        """
        return self._held_modifiers()

    def type_text(self, text: str) -> None:
        """Type ``text`` exactly; what the layout lacks is pasted at its place."""
        steps = uinput_steps(text)
        pasted = "".join(value for kind, value in steps if kind == "paste")
        if pasted and self._clipboard is None:  # fail before any key: nothing typed by halves
            chars = " ".join(dict.fromkeys(pasted))
            raise InjectionError(MESSAGE_NOT_IN_LAYOUT.format(chars=chars, device=UINPUT_DEVICE))
        if self._modern:  # ydotool 1.x: its daemon keeps the device, so calls are cheap
            self._type_in_bursts(steps)
            return
        # dotool and ydotool 0.1.8: each process is a new uinput device, whose first keys
        # the compositor may miss: one process a run.
        batch: list[Step] = []
        for step in steps:
            if step[0] != "paste":
                batch.append(step)
                continue
            self._send(batch)
            batch = []
            self._paste(step[1])
        self._send(batch)

    def _type_in_bursts(self, steps: Sequence[Step]) -> None:
        """ydotool types a few characters a call, each call after a look at the keys held.

        It types a key every few milliseconds: a Ctrl pressed meanwhile made the rest
        of a long text shortcuts.

        Raises:
            KeysPressed: keys were held before a burst (with the characters sent so far).
        """
        sent = 0
        try:
            for kind, value in _bursts(steps):
                if self._held_modifiers():
                    raise KeysPressed(sent)
                if kind == "paste":
                    self._paste(value)
                else:
                    self._send([(kind, value)])
                sent += 1 if kind == "key" else len(value)
        except InjectionError as error:
            if not isinstance(error, KeysPressed):
                error.typed = sent  # what went in before it failed
            raise

    def send_chord(self, keys: Sequence[str]) -> None:
        """Press ``keys`` (``"ctrl"``, ``"shift"``, ``"v"``, ``"backspace"``…) together."""
        names = "+".join(_NAMES.get(key.lower(), key.lower()) for key in keys)
        if self._tool == "dotool":
            self._run([self._program], f"key {names}\n", keys=len(keys))
        else:
            self._run([self._program, *ydotool_key_args(keys, self._modern)], "", keys=len(keys))

    def _send(self, steps: Sequence[Step]) -> None:
        if not steps:
            return
        if self._tool == "dotool":  # one process for the whole run
            self._run([self._program], dotool_commands(steps), keys=sum(len(v) for _, v in steps))
            return
        for kind, value in steps:
            if kind == "key":
                self._run([self._program, *ydotool_key_args((value,), self._modern)], "", keys=1)
            else:
                self._run([self._program, "type", "--file", "/dev/stdin"], value, keys=len(value))

    def _paste(self, text: str) -> None:
        assert self._clipboard is not None  # checked before the first key
        chord = paste_chord_for(self.focused_window_class())
        self._clipboard.paste(text, lambda: self.send_chord(chord), self._restore_delay_s)

    def _is_modern_ydotool(self) -> bool:
        """ydotool 1.x (``--version`` in its help, exit 0) rather than 0.1.8."""
        try:
            result = self._runner(
                [self._program, "--help"],
                env=self._environ,
                capture_output=True,
                timeout=_BASE_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InjectionError(f"cannot run ydotool: {exc}") from exc
        output = result.stdout + result.stderr
        return b"--version" in output or b"YDOTOOL_SOCKET" in output

    def _run(self, command: list[str], stdin: str, keys: int) -> None:
        timeout = _BASE_TIMEOUT_S + _PER_KEY_TIMEOUT_S * keys
        try:
            result = self._runner(
                command,
                input=stdin.encode("utf-8"),
                env=self._environ,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise InjectionError(f"{self._tool} did not finish within {timeout:.0f} s") from exc
        except OSError as exc:
            raise InjectionError(f"cannot run {self._tool}: {exc}") from exc
        if result.returncode != 0:
            log.debug("%s exited with %d", self._tool, result.returncode)  # its input is words
            raise InjectionError(self._failure(result))

    def _failure(self, result: subprocess.CompletedProcess[bytes]) -> str:
        """One sentence for a failed run. ydotool 0.1.8 echoes its arguments on stdout, so
        stdout is searched for known phrases only, never quoted."""
        stderr = result.stderr.decode("utf-8", "replace").strip()
        said = f"{stderr}\n{result.stdout.decode('utf-8', 'replace')}".lower()
        if "ydotoold is running" in said or "failed to connect socket" in said:
            return MESSAGE_NO_DAEMON
        if "uinput" in said:  # 0.1.8: "failed to open uinput device"; dotool: "open /dev/uinput"
            return MESSAGE_NO_UINPUT
        if "permissions to access the socket" in said:
            return "ydotool may not use ydotoold's socket: run ydotoold as yourself"
        last = stderr.splitlines()[-1] if stderr else f"exit {result.returncode}"
        return f"{self._tool} failed: {last}"
