"""Delivers text into the focused application: clipboard work in the GUI thread, keys on a worker.

Requests are served one at a time, in order (type-as-I-speak commits, the final, a
profile's Enter: a paste ends only once the target fetched the text, so Enter follows it).
The keyboard (a :class:`KeyInjector`) runs on one worker thread only, so typing never
freezes the GUI; it waits there for the hotkey's modifiers to be released.

Paste mode saves every MIME format of CLIPBOARD and PRIMARY, puts the text on
both (xterm's Shift+Insert pastes PRIMARY), sends the paste keys for the
focused application, and restores the old contents only after the target has
*fetched* the text: Qt serves X selection requests through
``QMimeData.retrieveData``, which :class:`WatchedMimeData` reports. Restoring
on a timer alone pasted the old clipboard in Handy (#502). When no application
fetched it within ``restore_delay_ms``, the paste went nowhere (a closed window,
the desktop): the text stays on the clipboard and ``failed`` says so, as for any
delivery that fails.

In a Wayland session (a route with ``wayland_clipboard``) the delivery thread
does all of a paste itself, Qt-free (``core/output/wayland_clipboard.py``):
Qt's clipboard works there only while Saytype's window has the focus.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from app.core.output.delivery_messages import (
    MESSAGE_INJECTION_FAILED,
    MESSAGE_NOT_TAKEN,
    MESSAGE_OWN_WINDOW,
    NOT_SENT,
    not_sent_message,
)
from app.core.output.delivery_queue import DeliveryQueue, checked_method
from app.core.output.delivery_route import X11_ROUTE, DeliveryRoute
from app.core.output.text_delivery import (
    MODIFIER_RELEASE_TIMEOUT_S,
    DeliveryMethod,
    DeliveryRequest,
    InjectionError,
    KeyInjector,
    WindowPin,
    inject,
)
from app.core.output.wayland_clipboard import TEXT_FORMATS
from app.ui.dictation.clipboard_keeper import keep_clipboard_after_quit
from app.ui.dictation.qt_clipboard import BorrowedClipboard, clipboard_modes

log = logging.getLogger(__name__)

_FETCH_MARGIN_MS = 100  # from the target's last fetch (of maybe several formats) to the restore
# Typing idle this long: give borrowed keycodes back (the target is long done with them).
_RELEASE_KEYCODES_AFTER_MS = 2000


class DeliveryService(QObject):
    """Queues texts and delivers them by paste, typing, or the clipboard only.

    Signals:
        delivered(id, how): ``how`` is ``"pasted"``, ``"typed"`` or ``"clipboard"``.
        failed(id, message): a user-facing message; the text is on the clipboard.
        waiting_for_release(id): modifiers are held; the request waits for them.
    """

    delivered = Signal(int, str)
    failed = Signal(int, str)
    sent = Signal(
        int
    )  # the request's keys went out (a paste then waits to give back the clipboard)
    waiting_for_release = Signal(int)
    # id, how, error message ("" when it worked), characters typed before a failure
    _worker_done = Signal(int, str, str, int)
    _worker_waiting = Signal(int)

    def __init__(
        self,
        keyboard: KeyInjector | None = None,
        parent: QObject | None = None,
        modifier_timeout_s: float = MODIFIER_RELEASE_TIMEOUT_S,
        own_window_active: Callable[[], bool] | None = None,
        route: DeliveryRoute = X11_ROUTE,
    ) -> None:
        """Create the service; ``keyboard=None`` opens ``route``'s keyboard on first use.

        ``own_window_active`` tells whether one of Saytype's windows has the
        focus: keys are never sent then (they would press Saytype's own buttons).
        """
        super().__init__(parent)
        self._route = route
        self._wayland_clipboard = route.open_wayland_clipboard()  # used on the worker only
        self._own_window_active = own_window_active or (lambda: False)
        self._keyboard = keyboard
        self._owns_keyboard = keyboard is None
        self._modifier_timeout_s = modifier_timeout_s
        self._method: DeliveryMethod = "paste"
        self._restore_delay_ms = 500
        self._queue = DeliveryQueue()
        self._current: DeliveryRequest | None = None
        self._typed_before_failure = (0, 0)  # the last failed request, and its part typed
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="text-delivery")
        self._stopping = threading.Event()
        self._cancel_current = threading.Event()  # the dictation was cancelled (Esc)
        self._armed = threading.Event()  # set just before the paste keys go out
        self.hotkey_held = threading.Event()  # held for a dictation: waiting text waits on
        self._clipboard = BorrowedClipboard()  # the user's, while a paste has it
        self._fetched = False
        self._awaiting_fetch = False
        self._restore_timer = QTimer(self)
        self._restore_timer.setSingleShot(True)
        self._restore_timer.timeout.connect(self._finish_paste)
        self._release_timer = QTimer(self)
        self._release_timer.setSingleShot(True)
        self._release_timer.setInterval(_RELEASE_KEYCODES_AFTER_MS)
        self._release_timer.timeout.connect(self._release_keycodes)
        self._worker_done.connect(self._on_worker_done, Qt.ConnectionType.QueuedConnection)
        self._worker_waiting.connect(self._on_worker_waiting, Qt.ConnectionType.QueuedConnection)
        # wtype's idle keyboard goes up now; the portal may ask the user now, not mid-dictation.
        if keyboard is None and route.name in {"wayland-wtype", "wayland-portal"}:
            self._executor.submit(_quietly, self._worker_keyboard, "opening the keyboard")

    # ---- public API --------------------------------------------------------------------

    def set_options(self, method: str = "paste", restore_delay_ms: int = 500) -> None:
        """Default ``method`` for :meth:`deliver`, and the clipboard restore fallback delay."""
        self._method = checked_method(method)
        self._restore_delay_ms = max(0, int(restore_delay_ms))

    def deliver(
        self,
        text: str,
        method: str | None = None,
        *,
        clipboard_on_failure: bool = True,
        paste_keys: tuple[str, ...] = (),
        only_into: str | WindowPin = "",
    ) -> int:
        """Queue ``text`` for the focused application; return the request id.

        Args:
            text: What to deliver.
            method: ``paste``, ``type``, ``clipboard``, ``erase``, ``keys``; None: the default.
            clipboard_on_failure: Leave the text on the clipboard when it cannot be
                delivered. Type-as-I-speak says no: its caller keeps the pieces and
                puts the whole dictation there instead.
            paste_keys: the keys that paste (a profile's); () picks them by window class.
            only_into: only while a window of this class has the focus (a profile's), or a pin's.
        """
        method = checked_method(method or self._method)
        request = self._queue.add(text, method, paste_keys, only_into, clipboard_on_failure)
        log.debug("queued request %d (%s, %d chars)", request.request_id, request.method, len(text))
        QTimer.singleShot(0, self, self._start_next)
        return request.request_id

    def copy_to_clipboard(self, text: str) -> None:
        """Put ``text`` on the clipboard (and the X11 PRIMARY selection)."""
        if self._wayland_clipboard is not None:  # on the worker, after any paste under way
            formats = dict.fromkeys(TEXT_FORMATS, text.encode("utf-8"))
            own = self._wayland_clipboard.own
            self._executor.submit(_quietly, lambda: own(formats), "copying to the clipboard")
            return
        for mode in clipboard_modes():
            QGuiApplication.clipboard().setText(text, mode)

    @property
    def route(self) -> DeliveryRoute:
        """How keys reach other applications here, and why (for Settings and doctor)."""
        return self._route

    def cancel_pending(self) -> list[int]:
        """Drop queued requests and return their ids; the current one still waiting for
        keys held is cancelled too (it answers ``failed``), one already typing finishes."""
        self._cancel_current.set()  # cleared as the next request starts
        dropped = self._queue.clear()
        if dropped:
            log.info("dropped %d queued deliveries", len(dropped))
        return [request.request_id for request in dropped]

    def typed_before_failure(self, request_id: int) -> int:
        """Characters of failed request ``request_id`` that reached the app before it stopped.

        Keys held part way pause typing; cancelled or moved away then, the start is in.
        """
        failed_id, typed = self._typed_before_failure
        return typed if failed_id == request_id else 0

    def is_busy(self) -> bool:
        """True while a request is being delivered or waits in the queue."""
        return self._current is not None or len(self._queue) > 0

    def shutdown(self) -> None:
        """Drop the queue, give back a pending clipboard, and stop the worker."""
        self.cancel_pending()
        self._stopping.set()
        self._release_timer.stop()
        if self._clipboard.lent:
            self._restore_timer.stop()
            self._clipboard.give_back()
        self._executor.shutdown(wait=True)
        if self._wayland_clipboard is not None:
            self._wayland_clipboard.close()
        keep_clipboard_after_quit()  # X11: what the user had copied outlives Saytype
        self._clipboard.hand_to_qt()
        close = getattr(self._keyboard, "close", None)
        if self._owns_keyboard and close is not None:
            close()
        self._current = None

    # ---- the request in progress -------------------------------------------------------

    @Slot()
    def _start_next(self) -> None:
        if self._current is not None or self._stopping.is_set():
            return
        request = self._queue.pop()
        if request is None:
            return
        if request.method == "paste" and self._pastes_by_typing():
            request = replace(request, method="type")
        self._current = request
        if request.method == "clipboard":
            self.copy_to_clipboard(request.text)
            self._complete(request, "clipboard")
            return
        if self._own_window_active():
            log.info("request %d not sent: Saytype's own window has the focus", request.request_id)
            self._fail(request, MESSAGE_OWN_WINDOW)
            return
        if request.method == "paste" and self._wayland_clipboard is None:
            self._put_on_clipboard(request.text)
        self._cancel_current.clear()
        self._executor.submit(self._work, request)

    def _pastes_by_typing(self) -> bool:
        """Wayland without a clipboard Saytype can set: typing works, a paste would send the
        wrong text (no wl-clipboard; on the uinput route also a compositor without it)."""
        wayland = self._route.name in {"wayland-wtype", "wayland-uinput", "wayland-portal"}
        return wayland and self._wayland_clipboard is None

    def _work(self, request: DeliveryRequest) -> None:
        """Worker thread: never raises; reports through queued signals."""
        try:
            keyboard = self._worker_keyboard()
            how = inject(
                request,
                keyboard,
                before_paste=self._armed.set,
                modifier_timeout_s=self._modifier_timeout_s,
                on_waiting=lambda held: self._waiting(request.request_id, held),
                own_pid=os.getpid(),
                paste=self._wayland_paste(request.text, keyboard),
                dictating=self.hotkey_held.is_set,
                cancelled=self._cancel_current.is_set,
            )
        except NOT_SENT as exc:
            message = not_sent_message(request, exc)
            self._worker_done.emit(request.request_id, "", message, exc.typed)
        except _NoKeyboard as exc:
            message = self._route.no_keyboard_message(exc)
            self._worker_done.emit(request.request_id, "", message, 0)
        except Exception as exc:
            log.exception("delivery %d failed", request.request_id)
            message = MESSAGE_INJECTION_FAILED.format(reason=exc)
            typed = exc.typed if isinstance(exc, InjectionError) else 0
            self._worker_done.emit(request.request_id, "", message, typed)
        else:
            self._worker_done.emit(request.request_id, how, "", 0)

    def _wayland_paste(
        self, text: str, keyboard: KeyInjector
    ) -> Callable[[tuple[str, ...]], object] | None:
        clipboard = self._wayland_clipboard
        if clipboard is None:
            return None
        delay_s = self._restore_delay_ms / 1000
        return lambda chord: clipboard.paste(text, lambda: keyboard.send_chord(chord), delay_s)

    def _worker_keyboard(self) -> KeyInjector:
        if self._stopping.is_set():
            raise InjectionError("shutting down")
        if self._keyboard is None:
            try:
                self._keyboard = self._route.open_keyboard(self._wayland_clipboard)
            except InjectionError as exc:
                raise _NoKeyboard(str(exc)) from exc
        return self._keyboard

    def _waiting(self, request_id: int, held: frozenset[str]) -> None:
        """Worker thread: the text waits until these keys are let go."""
        log.info("delivery %d waits for the keys held: %s", request_id, ", ".join(sorted(held)))
        self._worker_waiting.emit(request_id)

    @Slot(int)
    def _on_worker_waiting(self, request_id: int) -> None:
        self.waiting_for_release.emit(request_id)

    @Slot(int, str, str, int)
    def _on_worker_done(self, request_id: int, how: str, message: str, typed: int) -> None:
        request = self._current
        if request is None or request.request_id != request_id:
            return
        if message:
            self._typed_before_failure = (request_id, typed)
            log.info("delivery %d failed: %s", request_id, message)
            self._fail(request, message)
            return
        self.sent.emit(request_id)
        if request.method == "paste" and self._wayland_clipboard is None:
            self._awaiting_fetch = True
            self._restore_timer.start(
                min(_FETCH_MARGIN_MS, self._restore_delay_ms)
                if self._fetched
                else self._restore_delay_ms
            )
            return
        self._complete(request, how)

    def _fail(self, request: DeliveryRequest, message: str) -> None:
        """Report a request that did not go out, leaving its text on the clipboard."""
        keep_on_clipboard = request.copy_on_failure
        if request.method == "paste" and self._clipboard.lent:  # the text is on it now
            if keep_on_clipboard:
                self._clipboard.keep()
            else:
                self._clipboard.give_back()
        elif keep_on_clipboard and request.method not in {"erase", "keys"}:
            # (the text being erased, or a chord's name, is not worth the user's clipboard)
            self.copy_to_clipboard(request.text)
        self._current = None
        if request.method == "type":  # stopped part way, it may have borrowed keycodes
            self._release_timer.start()
        self.failed.emit(request.request_id, message)
        self._start_next()

    def _complete(self, request: DeliveryRequest, how: str) -> None:
        self._current = None
        if how == "typed":
            self._release_timer.start()
        self.delivered.emit(request.request_id, how)
        self._start_next()

    @Slot()
    def _release_keycodes(self) -> None:
        if self.is_busy():
            self._release_timer.start()
            return
        release = getattr(self._keyboard, "release_borrowed", None)
        if release is not None:
            self._executor.submit(_quietly, release, "giving back borrowed keycodes")

    # ---- clipboard -----------------------------------------------------------------------

    def _put_on_clipboard(self, text: str) -> None:
        self._armed.clear()
        self._fetched = False
        self._awaiting_fetch = False
        self._clipboard.lend(text, self._on_fetch)

    def _on_fetch(self) -> None:
        """GUI thread, inside Qt's selection handling: just note the time."""
        if not self._armed.is_set():
            return  # e.g. a clipboard manager copying the text before we pasted
        self._fetched = True
        if self._awaiting_fetch:
            self._restore_timer.start(min(_FETCH_MARGIN_MS, self._restore_delay_ms))

    @Slot()
    def _finish_paste(self) -> None:
        request = self._current
        self._awaiting_fetch = False
        if not self._fetched and request is not None:
            # The paste keys reached nothing that takes text (a closed window, the desktop):
            # the text stays on the clipboard and history marks it not delivered.
            log.info("no application fetched the pasted text")
            self._fail(request, MESSAGE_NOT_TAKEN)
            return
        self._clipboard.give_back()
        if request is not None:
            self._complete(request, "pasted")


class _NoKeyboard(InjectionError):
    """The route's keyboard could not be opened (no display, no XTEST, no wtype)."""


def _quietly(action: Callable[[], object], what: str) -> None:
    try:
        action()
    except Exception:
        log.exception("%s failed", what)
