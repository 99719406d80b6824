"""Delivering dictated text into the focused application: the rules, without Qt or X.

The clipboard and the GUI thread belong to ``app.ui.dictation.delivery_service``; the
keyboard is a :class:`KeyInjector` (``x11_keyboard.X11KeyInjector`` for real,
``tests.fakes.fake_keyboard.FakeKeyboard`` in tests). What lives here is what
can be decided and tested without either: waiting for the keys held to be released
(Handy #595: Ctrl still held turned the text into shortcuts), before a text and part
way through it, and the window a text may go into. The paste keys are in
``paste_keys``, the messages in ``delivery_messages``, the order of requests in
``delivery_queue``. "Type as I speak" is shaped in ``app.core.text.live_shaping`` and
queued in ``app.core.output.live_typing``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from app.core.output.paste_keys import paste_chord_for

log = logging.getLogger(__name__)

# "erase" sends one BackSpace per character of its text: only "scratch that" in
# type-as-I-speak mode asks for it, to remove words it had already typed. "keys" presses
# the chord its text names ("ctrl+enter"): a profile's keys after the text.
DeliveryMethod = Literal["paste", "type", "clipboard", "erase", "keys"]
DELIVERY_METHODS: tuple[DeliveryMethod, ...] = ("paste", "type", "clipboard", "erase", "keys")
BACKSPACE: tuple[str, ...] = ("backspace",)

MODIFIER_RELEASE_TIMEOUT_S = 2.0
# A profile's keys after a text (Enter) wait longer: a user who presses the hotkey again at
# once holds it for the whole next dictation, and the Enter belongs before that one's text.
KEYS_AFTER_TEXT_TIMEOUT_S = 60.0
MODIFIER_POLL_S = 0.01


class InjectionError(RuntimeError):
    """The keyboard could not deliver keys (no X11, no spare keycode, a key missing)."""

    typed = 0  # characters of the text that had gone out before it (the rest did not)


class KeysPressed(InjectionError):
    """The user pressed keys while a text was being typed: the keyboard stopped before more.

    A Ctrl pressed part way turned the rest of the text into shortcuts (Ctrl+A, then the
    next piece replaced everything). The caller waits until the keys are up and types
    the rest (:func:`inject`).
    """

    def __init__(self, typed: int) -> None:
        super().__init__(f"keys were pressed after {typed} characters")
        self.typed = typed


class OwnWindowFocused(InjectionError):
    """Saytype's own window has the focus: keys sent now would press its own buttons."""


class ModifiersHeld(InjectionError):
    """Modifier keys stayed down past the timeout; injecting now would make shortcuts."""

    def __init__(self, message: str, held: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.held = held  # as KeyInjector.modifiers_down names them


class DeliveryCancelled(InjectionError):
    """The dictation was cancelled while its text waited for the keys held: nothing was sent."""


class PasteNotTaken(InjectionError):
    """The paste keys went out, but no application fetched the text: it stays on the clipboard."""


class NoWindowFocused(InjectionError):
    """No application window would get the keys (the one typed into closed): nothing was sent."""


class FocusMoved(InjectionError):
    """The text, or the keys after it, were for another window than the one with the focus now."""


class KeyInjector(Protocol):
    """Sends keys to the focused window. Called from one worker thread only."""

    def type_text(self, text: str) -> None:
        """Type ``text`` exactly, whatever the keyboard layout.

        A keyboard that can see keys go down part way raises :class:`KeysPressed` before
        sending keys while one is held.
        """

    def send_chord(self, keys: Sequence[str]) -> None:
        """Press ``keys`` (names such as ``"ctrl"``, ``"shift"``, ``"v"``) together."""

    def modifiers_down(self) -> frozenset[str]:
        """Keys physically held now that text must wait for: modifiers, and where the
        keyboard can tell, the hotkey's other keys (empty when none)."""
        ...

    def focused_window_class(self) -> str | None:
        """The focused window's WM_CLASS class, or None when unknown."""
        ...

    def focused_window_pid(self) -> int | None:
        """The process id that owns the focused window, or None when unknown."""
        ...

    def focused_window_id(self) -> str | None:
        """The focused top-level window itself (two terminals share a class, not an id);
        None when unknown."""
        ...


class WindowPin:
    """Keeps a series of requests to one window: the one the first of them went into.

    Type-as-I-speak sends a dictation in pieces; a click elsewhere between two of them
    must not split its words across two apps. Only the delivery worker writes it.
    """

    def __init__(self) -> None:
        self.window_class: str | None = None  # None until a piece went out; "" when unknown
        self.window_id: str | None = None  # the window itself, where the keyboard can tell
        # Held to talk, the first piece too is only for the kind of window the keys were
        # held in (set by the GUI before that piece is asked for; "": wherever the focus is).
        self.first_into = ""

    def __repr__(self) -> str:
        return f"WindowPin({self.window_class!r}, {self.window_id!r})"


@dataclass(frozen=True)
class DeliveryRequest:
    """One piece of text to deliver, in the order it was asked for."""

    request_id: int
    text: str
    method: DeliveryMethod
    paste_keys: tuple[str, ...] = ()  # a profile's paste keys; () picks them by window class
    # Only while a window of this class has the focus ("": any), or the pin's window.
    only_into: str | WindowPin = ""
    copy_on_failure: bool = True  # False: its caller keeps the text (type-as-I-speak's pieces)


ESCAPE_HELD = "key Escape"  # how the X11 keyboard names Esc among the keys held


def wait_for_modifier_release(
    keyboard: KeyInjector,
    timeout_s: float = MODIFIER_RELEASE_TIMEOUT_S,
    on_waiting: Callable[[frozenset[str]], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
    *,
    dictating: Callable[[], bool] = lambda: False,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """Return once no modifier is held; raise :class:`ModifiersHeld` after ``timeout_s``.

    Args:
        keyboard: Reports the modifiers held.
        timeout_s: How long the user may keep them down.
        on_waiting: Called once, with the held modifiers, if any wait is needed.
        clock: Monotonic seconds (a fake in tests).
        pause: Waits between polls (a fake in tests).
        dictating: Whether the hotkey is held for the next dictation: the text then
            waits however long it is held (pressed again while the last text waited,
            it must go out once the keys are up, not onto the clipboard).
        cancelled: Whether the user cancelled meanwhile (Esc): then
            :class:`DeliveryCancelled` is raised, and nothing goes out.
    """
    deadline = clock() + timeout_s
    held = keyboard.modifiers_down()
    if held and on_waiting is not None:
        on_waiting(held)
    while held:
        # Esc while the text waits is Saytype's cancel (its grab) or the app's own (vim
        # leaves insert mode); its cancel can come a moment after the key is up, so the
        # key itself decides: text that followed an Esc would be taken as commands.
        if cancelled() or ESCAPE_HELD in held:
            raise DeliveryCancelled("cancelled while the keys were held")
        if clock() >= deadline and dictating():
            deadline = clock() + timeout_s
        elif clock() >= deadline:
            raise ModifiersHeld(f"keys still held after {timeout_s:.1f} s: {sorted(held)}", held)
        pause(MODIFIER_POLL_S)
        held = keyboard.modifiers_down()


def inject(
    request: DeliveryRequest,
    keyboard: KeyInjector,
    before_paste: Callable[[], None] | None = None,
    modifier_timeout_s: float = MODIFIER_RELEASE_TIMEOUT_S,
    on_waiting: Callable[[frozenset[str]], None] | None = None,
    *,
    own_pid: int | None = None,
    paste: Callable[[tuple[str, ...]], object] | None = None,
    dictating: Callable[[], bool] = lambda: False,
    cancelled: Callable[[], bool] = lambda: False,
) -> str:
    """Send ``request`` into the focused window; return how (``"pasted"`` or ``"typed"``).

    For ``paste`` the text must already be on the clipboard; ``before_paste``
    runs just before the paste keys, so the caller can tell the target's fetch
    from earlier clipboard requests. ``paste``, when given, does the whole
    paste with the chord instead (the Wayland clipboard: put the text, send the
    keys, restore). Nothing is sent while a window of process ``own_pid``
    (Saytype's) has the focus, nor while the hotkey is held (``dictating``: see
    :func:`wait_for_modifier_release`).

    Raises:
        OwnWindowFocused: Saytype's own window has the focus; nothing was sent.
        InjectionError: Nothing (or not all) could be delivered.
    """
    if request.method == "keys":
        modifier_timeout_s = max(modifier_timeout_s, KEYS_AFTER_TEXT_TIMEOUT_S)
    waits = _Waits(modifier_timeout_s, on_waiting, dictating, cancelled)
    waits.until_keys_up(keyboard, typed=0)
    if own_pid is not None and keyboard.focused_window_pid() == own_pid:
        raise OwnWindowFocused("Saytype's own window has the keyboard focus")
    pin = request.only_into if isinstance(request.only_into, WindowPin) else None
    if pin is not None:
        wanted = pin.window_class if pin.window_class is not None else pin.first_into
    else:
        wanted = str(request.only_into)
    focused = _focused_class(keyboard) if wanted or pin is not None else None
    if wanted and focused and focused.casefold() != wanted.casefold():
        raise FocusMoved(f"{focused} has the focus, not {wanted}")
    window = _focused_id(keyboard) if pin is not None else None
    if pin is not None and pin.window_id and window and window != pin.window_id:
        raise FocusMoved(f"another {focused or 'window'} has the focus")  # a second terminal
    if request.method in {"type", "erase", "keys"} and _keys_go_nowhere(keyboard):
        raise NoWindowFocused("no window has the keyboard focus")
    if request.method in {"type", "erase"}:
        window = window or _focused_id(keyboard)
    try:
        how = _send(
            request, keyboard, before_paste=before_paste, paste=paste, window=window, waits=waits
        )
    except InjectionError as error:
        if not error.typed:
            raise
        _pin(pin, focused, window)  # part of it went in: the rest belongs there too
        raise
    _pin(pin, focused, window)
    return how


def _pin(pin: WindowPin | None, focused: str | None, window: str | None) -> None:
    if pin is not None and pin.window_class is None:
        pin.window_class = focused or ""  # unknown (some Wayland routes): no check after
        pin.window_id = window


@dataclass(frozen=True)
class _Waits:
    """How a request waits for the keys held (see :func:`wait_for_modifier_release`)."""

    timeout_s: float
    on_waiting: Callable[[frozenset[str]], None] | None
    dictating: Callable[[], bool]
    cancelled: Callable[[], bool]

    def until_keys_up(self, keyboard: KeyInjector, *, typed: int) -> None:
        """Wait; with ``typed`` characters already in the app, as long as they are held.

        Nothing typed yet, the text can still go to the clipboard after the timeout;
        once its start is in the application, the rest can only follow it.
        """
        timeout_s = math.inf if typed else self.timeout_s
        wait_for_modifier_release(
            keyboard,
            timeout_s,
            self.on_waiting,
            dictating=self.dictating,
            cancelled=self.cancelled,
        )


def _type_around_keys_pressed(
    request: DeliveryRequest, keyboard: KeyInjector, window: str | None, waits: _Waits
) -> None:
    """Type (or erase) ``request``; keys pressed part way pause it until they are up.

    The rest then goes on into the same window, unless the user cancels or the focus
    moved meanwhile. Any failure says how many characters went in (``typed``).
    """
    done = 0
    while True:
        try:
            if request.method == "erase":
                erase_characters(keyboard, len(request.text) - done)
            else:
                keyboard.type_text(request.text[done:])
            return
        except KeysPressed as pressed:
            done += pressed.typed
        except InjectionError as error:
            error.typed += done  # what this try typed before failing, and the tries before
            raise
        log.info("request %d paused after %d characters: keys held", request.request_id, done)
        try:
            waits.until_keys_up(keyboard, typed=done)
            if waits.cancelled():  # Esc let go before the cancel reached us
                raise DeliveryCancelled("cancelled while the keys were held")
            now = _focused_id(keyboard)
            if window and now and now != window:
                raise FocusMoved("the focus moved to another window while the keys were held")
        except InjectionError as error:
            error.typed = done
            raise


def _send(
    request: DeliveryRequest,
    keyboard: KeyInjector,
    *,
    before_paste: Callable[[], None] | None,
    paste: Callable[[tuple[str, ...]], object] | None,
    window: str | None,
    waits: _Waits,
) -> str:
    """Send ``request`` by its method, the checks done; return how."""
    if request.method in {"erase", "type"}:
        _type_around_keys_pressed(request, keyboard, window, waits)
        return "erased" if request.method == "erase" else "typed"
    if request.method == "keys":
        keyboard.send_chord(tuple(request.text.split("+")))
        return "keys"
    chord = request.paste_keys or paste_chord_for(keyboard.focused_window_class())
    log.debug("pasting request %d with %s", request.request_id, "+".join(chord))
    if paste is not None:
        paste(chord)
        return "pasted"
    if before_paste is not None:
        before_paste()
    keyboard.send_chord(chord)
    return "pasted"


def _focused_class(keyboard: KeyInjector) -> str | None:
    """The focused window's class; None when it cannot be told (a window closing meanwhile)."""
    try:
        return keyboard.focused_window_class()
    except Exception:  # Xlib's errors share no base; unknown lets the text through, as before
        log.debug("the focused window's class could not be read", exc_info=True)
        return None


def _keys_go_nowhere(keyboard: KeyInjector) -> bool:
    """Whether keys would reach no window, where the keyboard can tell (X11); else False."""
    nowhere = getattr(keyboard, "keys_go_nowhere", None)
    try:
        return bool(nowhere()) if nowhere is not None else False
    except Exception:  # as _focused_class: unknown lets the text through
        log.debug("where the keys would go could not be read", exc_info=True)
        return False


def _focused_id(keyboard: KeyInjector) -> str | None:
    """The focused window's id; None when it cannot be told."""
    try:
        return keyboard.focused_window_id()
    except Exception:  # as _focused_class: unknown lets the text through
        log.debug("the focused window could not be read", exc_info=True)
        return None


def erase_characters(keyboard: KeyInjector, count: int) -> None:
    """Press BackSpace ``count`` times: the characters before the cursor go.

    Raises:
        KeysPressed: A key went down part way (Ctrl+BackSpace erases a word).
    """
    for done in range(count):
        if keyboard.modifiers_down():
            raise KeysPressed(done)
        keyboard.send_chord(BACKSPACE)
