"""A field that records a hotkey by having the user press it.

Typing a chord's name is error-prone ("Super" or "Meta"? "PgUp" or "Page Up"?),
so the field captures the next key press with its modifiers and stores the
canonical chord string from :mod:`app.core.hotkeys.chord`. A global hotkey must
not swallow ordinary typing, so a character key needs Ctrl, Alt or Super (Shift
alone would block capital letters); only function keys and Pause may stand alone.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from app.core.hotkeys.chord import MODIFIER_ORDER, canonical_chord, everyday_shortcut_problem

log = logging.getLogger(__name__)

PROMPT = "Press the new shortcut…"
_Key = Qt.Key
_NAMED_QT_KEYS = {
    _Key.Key_Space: "space", _Key.Key_Return: "enter", _Key.Key_Enter: "enter",
    _Key.Key_Tab: "tab", _Key.Key_Backtab: "tab", _Key.Key_Escape: "esc",
    _Key.Key_Backspace: "backspace", _Key.Key_Insert: "insert", _Key.Key_Delete: "delete",
    _Key.Key_Home: "home", _Key.Key_End: "end", _Key.Key_PageUp: "page_up",
    _Key.Key_PageDown: "page_down", _Key.Key_Up: "up", _Key.Key_Down: "down",
    _Key.Key_Left: "left", _Key.Key_Right: "right", _Key.Key_Pause: "pause",
    _Key.Key_Print: "print_screen", _Key.Key_Menu: "menu",
    **{_Key(_Key.Key_F1.value + index): f"f{index + 1}" for index in range(24)},
}  # fmt: skip
_MODIFIER_QT_KEYS = {
    _Key.Key_Control, _Key.Key_Shift, _Key.Key_Alt, _Key.Key_AltGr, _Key.Key_Meta,
    _Key.Key_Super_L, _Key.Key_Super_R, _Key.Key_Hyper_L, _Key.Key_Hyper_R, _Key.Key_CapsLock,
}  # fmt: skip
_MODIFIER_OF_KEY = {
    _Key.Key_Control: "ctrl", _Key.Key_Alt: "alt", _Key.Key_Shift: "shift", _Key.Key_Meta: "super",
    _Key.Key_Super_L: "super", _Key.Key_Super_R: "super",
}  # fmt: skip
_QT_MODIFIERS = (
    (Qt.KeyboardModifier.ControlModifier, "ctrl"),
    (Qt.KeyboardModifier.AltModifier, "alt"),
    (Qt.KeyboardModifier.ShiftModifier, "shift"),
    (Qt.KeyboardModifier.MetaModifier, "super"),  # Qt reports the Super key as Meta on X11
)
# With Shift held Qt reports the shifted symbol; the chord names the key (US layout).
_UNSHIFTED = dict(zip('!@#$%^&*()_+{}|:"<>?~', "1234567890-=[]\\;',./`", strict=True))
_DISPLAY_NAMES = {
    "ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "super": "Super", "esc": "Esc",
    "page_up": "Page Up", "page_down": "Page Down", "print_screen": "Print Screen",
}  # fmt: skip
# A click or the label's Alt+letter asks for a new shortcut; Tab only passes through (a
# keyboard user tabbing on to OK had Alt+O recorded as the global hotkey).
_DELIBERATE_FOCUS = (Qt.FocusReason.ShortcutFocusReason, Qt.FocusReason.MouseFocusReason)
# The dialog's page keys turn its pages even while capturing (none makes a sensible hotkey).
_PAGE_KEYS = {_Key.Key_PageUp, _Key.Key_PageDown, _Key.Key_Tab, _Key.Key_Backtab}
_STANDALONE_KEYS = {f"f{number}" for number in range(1, 25)} | {"pause"}


def chord_display_text(chord: str) -> str:
    """Show a canonical chord as people read it: ``"ctrl+shift+space"`` → ``"Ctrl+Shift+Space"``."""
    if not chord:
        return ""
    *modifiers, key = [*chord[:-2].split("+"), "+"] if chord.endswith("++") else chord.split("+")
    return "+".join(_DISPLAY_NAMES.get(name, name.title()) for name in [*modifiers, key])


def _turns_a_page(event: QKeyEvent) -> bool:
    """Ctrl+PgUp, Ctrl+PgDn, Ctrl+Tab or Ctrl+Shift+Tab: the settings dialog's page keys."""
    ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
    return bool(ctrl) and event.key() in _PAGE_KEYS


def _modifier_names(modifiers: Qt.KeyboardModifier) -> list[str]:
    return [name for flag, name in _QT_MODIFIERS if modifiers & flag]


def _key_name(key: int, text: str, shifted: bool) -> str | None:
    """The canonical name of a Qt key, or None when a chord cannot use it."""
    try:
        named = _NAMED_QT_KEYS.get(Qt.Key(key))
    except ValueError:
        named = None
    if named:
        return named
    if 0x21 <= key <= 0x7E or 0xA1 <= key <= 0xFF:
        character = chr(key).lower()
    elif len(text) == 1 and text.isprintable() and not text.isspace():
        character = text.lower()
    else:
        return None
    return _UNSHIFTED.get(character, character) if shifted else character


class ShortcutField(QLineEdit):
    """Shows a hotkey; records a new one from the next key press after a click, Space or the
    label's Alt+letter (Tab only passes through).

    Signals:
        chord_changed(str): the canonical chord after the user recorded a new one.
    """

    chord_changed = Signal(str)
    hint_changed = Signal(str)

    def __init__(self, chord: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chord = canonical_chord(chord) if chord else ""
        self._capturing = False
        self._hint = ""
        self.setReadOnly(True)  # text comes from key presses only, never typing or pasting
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setAccessibleName("Hotkey")
        self.setAccessibleDescription(
            "Press Space or click here, then press the new key combination; Esc cancels."
        )
        self._show_chord()

    def chord(self) -> str:
        """The canonical chord, for example ``"ctrl+shift+space"``; empty when none is set."""
        return self._chord

    def set_chord(self, chord: str) -> None:
        """Show ``chord`` (any spelling :func:`canonical_chord` accepts); emits nothing."""
        self._chord = canonical_chord(chord) if chord else ""
        self._capturing = False
        self._set_hint("")
        self._show_chord()

    def hint(self) -> str:
        """Why the last key press was not accepted; empty when there is nothing to say."""
        return self._hint

    def is_capturing(self) -> bool:
        """Whether the field is waiting for the new shortcut."""
        return self._capturing

    def start_capture(self) -> None:
        """Wait for the next key press; the current chord stays until one is accepted."""
        self._capturing = True
        self._set_hint("")
        self.setText("")

    def cancel_capture(self) -> None:
        """Stop waiting and show the current chord again."""
        self._capturing = False
        self._set_hint("")
        self._show_chord()

    def _show_chord(self) -> None:
        self.setPlaceholderText("")
        self.setText(chord_display_text(self._chord))

    def _set_hint(self, hint: str) -> None:
        changed = hint != self._hint
        self._hint = hint
        self.setPlaceholderText(f"{hint} {PROMPT}" if hint else PROMPT)
        if changed:
            self.hint_changed.emit(hint)

    def event(self, event: QEvent) -> bool:
        # While capturing, claim every key before the dialog's mnemonics and shortcuts see it
        # (as QKeySequenceEdit). Otherwise they stay the dialog's: Ctrl+PgUp that lands the
        # focus here must turn the page again, not become the hotkey.
        if event.type() == QEvent.Type.ShortcutOverride:
            if self._capturing and _turns_a_page(event):  # type: ignore[arg-type]
                self.cancel_capture()
            event.setAccepted(self._capturing)  # the line edit would keep Ctrl+PgUp and others
            return self._capturing
        return super().event(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        # Only a deliberate move here starts capture, not a dialog opening with focus on us.
        if event.reason() in _DELIBERATE_FOCUS:
            self.start_capture()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        self.cancel_capture()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mousePressEvent(event)
        self.start_capture()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        modifiers = _modifier_names(event.modifiers())
        key = event.key()
        if not modifiers and key == _Key.Key_Escape:
            if self._capturing:
                self.cancel_capture()
                event.accept()
            else:
                event.ignore()  # a second Esc closes the dialog as usual
            return
        if not self._capturing:
            # Space asks for a new shortcut, as it presses a button; every other key is the
            # dialog's (Enter its default button, Ctrl+PgUp the page before, Alt+O OK).
            if not modifiers and key == _Key.Key_Space:
                self.start_capture()
                event.accept()
            else:
                event.ignore()
            return
        is_modifier = key in _MODIFIER_QT_KEYS or key == _Key.Key_unknown
        event.accept()
        if is_modifier:
            # On X11 a modifier's own press does not include itself in the modifier state.
            pressed = {*modifiers, _MODIFIER_OF_KEY.get(Qt.Key(key), "")}
            held = "+".join(_DISPLAY_NAMES[name] for name in MODIFIER_ORDER if name in pressed)
            self.setText(f"{held}+…" if held else "")
            return
        name = _key_name(key, event.text(), "shift" in modifiers)
        if name is None:
            self._reject("That key cannot be used in a shortcut.")
        elif name not in _STANDALONE_KEYS and not set(modifiers) - {"shift"}:
            self._reject("Hold Ctrl, Alt or Super with the key.")
        else:
            chord = "+".join([*(m for m in MODIFIER_ORDER if m in modifiers), name])
            problem = everyday_shortcut_problem(chord)
            if problem:
                self._reject(f"{problem}.")
            else:
                self._accept(chord)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self._capturing and not _modifier_names(event.modifiers()):
            self.setText("")  # show the prompt again once every modifier is released
        event.accept()

    def _reject(self, hint: str) -> None:
        self.setText("")
        self._set_hint(hint)

    def _accept(self, chord: str) -> None:
        changed = chord != self._chord
        self._chord = chord
        self._capturing = False
        self._set_hint("")
        self._show_chord()
        log.debug("shortcut recorded: %s", chord)
        if changed:
            self.chord_changed.emit(chord)
