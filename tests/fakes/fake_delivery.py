"""A DeliveryService stand-in that records what would be typed or pasted.

Each request completes on the next event-loop turn (or fails, when told to),
like the real service that finishes asynchronously after the paste.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.output.text_delivery import WindowPin


class FakeDelivery(QObject):
    """Records deliveries in order: ``delivered_texts`` and ``clipboard``."""

    delivered = Signal(int, str)
    failed = Signal(int, str)
    sent = Signal(int)

    def __init__(self, fail_with: str | None = None, *, hold: bool = False) -> None:
        super().__init__()
        self.fail_with = fail_with
        self.hotkey_held = threading.Event()  # as DeliveryService's: set while the hotkey is down
        self.hold = hold  # requests wait for release_held(), as a slow paste or typing does
        self._held: list[tuple[int, str, str]] = []
        self.requests: list[tuple[int, str, str]] = []  # id, text, method
        self.paste_keys: list[tuple[str, ...]] = []  # per request: a profile's, or ()
        self.only_into: list[str | WindowPin] = []  # per request: the window it is for
        self._targets: list[tuple[str, str | None]] = []  # what each asked for, when asked
        self.delivered_texts: list[str] = []
        self.keys_pressed: list[str] = []  # chords pressed after a text ("enter")
        self.clipboard: str | None = None
        # The focused window (class, id), as the real service pins a dictation's text to it.
        self.focused: tuple[str, str | None] = ("", None)
        self.method = "paste"
        self.cancelled = 0
        self._next = 1
        self._pending: set[int] = set()
        self._no_clipboard: set[int] = set()
        self._typed_part: dict[int, int] = {}  # failed request -> characters typed first

    def set_options(self, method: str = "paste", restore_delay_ms: int = 500) -> None:
        self.method = method

    def deliver(
        self,
        text: str,
        method: str | None = None,
        *,
        clipboard_on_failure: bool = True,
        paste_keys: tuple[str, ...] = (),
        only_into: str | WindowPin = "",
    ) -> int:
        request_id, self._next = self._next, self._next + 1
        self.paste_keys.append(paste_keys)
        self.only_into.append(only_into)
        if isinstance(only_into, WindowPin):
            unpinned = only_into.window_class is None
            wanted = only_into.first_into if unpinned else only_into.window_class
            self._targets.append((wanted or "", only_into.window_id))
        else:
            self._targets.append((only_into, None))
        if not clipboard_on_failure:
            self._no_clipboard.add(request_id)
        self.requests.append((request_id, text, method or self.method))
        self._pending.add(request_id)
        if self.hold:
            self._held.append((request_id, text, method or self.method))
        else:
            QTimer.singleShot(0, lambda: self._complete(request_id, text, method or self.method))
        return request_id

    def target(self, index: int) -> tuple[str, str | None]:
        """Request ``index``'s window as asked: (the class it must have, the window or None)."""
        return self._targets[index]

    @property
    def held_requests(self) -> list[tuple[int, str, str]]:
        """The requests waiting for :meth:`release_held` or :meth:`fail_held`."""
        return list(self._held)

    def release_held(self) -> None:
        """Complete the requests held so far (with ``hold``)."""
        held, self._held = self._held, []
        for request_id, text, method in held:
            self._complete(request_id, text, method)

    def _complete(self, request_id: int, text: str, method: str) -> None:
        if request_id not in self._pending:
            return  # cancelled before it started
        self._pending.discard(request_id)
        if self.fail_with is not None:
            if request_id not in self._no_clipboard:
                self.clipboard = text
            self.failed.emit(request_id, self.fail_with)
            return
        self.sent.emit(request_id)
        pin = self.only_into[request_id - 1]
        if isinstance(pin, WindowPin) and pin.window_class is None and method != "keys":
            pin.window_class, pin.window_id = self.focused
        if method == "keys":
            self.keys_pressed.append(text)
        else:
            self.delivered_texts.append(text)
        how = {"type": "typed", "keys": "keys"}.get(method, "pasted")
        self.delivered.emit(request_id, how)

    def copy_to_clipboard(self, text: str) -> None:
        self.clipboard = text

    def cancel_pending(self) -> list[int]:
        """Drop what has not started; held requests are under way and still answer."""
        self.cancelled += 1
        held = {request_id for request_id, _text, _method in self._held}
        dropped = sorted(self._pending - held)
        self._pending &= held
        return dropped

    def fail_held(self, message: str, typed: int = 0) -> None:
        """Fail the requests held so far, as a cancelled wait for the hotkey's keys does.

        ``typed``: characters of each that reached the app first (keys pressed part way).
        """
        held, self._held = self._held, []
        for request_id, text, _method in held:
            self._pending.discard(request_id)
            if typed:
                self.delivered_texts.append(text[:typed])
                self._typed_part[request_id] = typed
            self.failed.emit(request_id, message)

    def typed_before_failure(self, request_id: int) -> int:
        return self._typed_part.get(request_id, 0)

    def is_busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self) -> None:
        self._pending.clear()

    @property
    def typed(self) -> str:
        """Everything delivered, joined as the focused app would show it."""
        return "".join(self.delivered_texts)
