"""Knowing when another X client has fetched the keymap we just changed (RECORD).

``x11_keyboard`` borrows spare keycodes for characters the layout lacks. A
target resolves a key event with the keymap it holds when it processes the
event, so a keycode must not get another keysym until the target has fetched
the map that its pending keys need. The RECORD extension lets us see other
clients' requests in server order: :class:`FetchWatch` records our own
``ChangeKeyboardMapping`` and the focused client's ``GetKeyboardMapping`` /
XKB ``GetMap`` requests, and reports when fetches after our change have
covered every changed keycode. :class:`FixedDelay` stands in without RECORD.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from typing import Any, Literal

from app.core.output.text_delivery import InjectionError

log = logging.getLogger(__name__)

# Grace period when the target's keymap fetch cannot be observed.
_FALLBACK_SETTLE_S = 0.15
# Upper bound on waiting for an observed fetch (a target that never refreshes).
_FETCH_TIMEOUT_S = 1.0

_CORE_CHANGE_KEYBOARD_MAPPING = 100
_CORE_GET_KEYBOARD_MAPPING = 101
_XKB_GET_MAP = 8
_XKB_KEY_SYMS = 1 << 1  # XkbKeySymsMask in GetMap's full/partial masks


class FixedDelay:
    """Fallback when the target's keymap fetch cannot be observed."""

    def __init__(self) -> None:
        self._since = time.monotonic()

    def wait(self) -> None:
        remaining = _FALLBACK_SETTLE_S - (time.monotonic() - self._since)
        if remaining > 0:
            time.sleep(remaining)  # no signal to wait on: a grace period for the client

    def close(self) -> None:
        """Nothing to release."""


class FetchWatch:
    """Sees, through RECORD, the focused client fetch the keymap after our next change.

    It records our own ``ChangeKeyboardMapping`` and the focus owner's
    ``GetKeyboardMapping`` / XKB ``GetMap`` requests, in server order: once
    fetches recorded after our change have covered every changed keycode, the
    target holds the changed map for all of them.
    """

    def __init__(
        self, display: Any, display_name: str | None, xkb_opcode: int | None, keycodes: set[int]
    ) -> None:
        record = _xlib("Xlib.ext.record")
        self._display = display
        self._own_base = int(display.display.info.resource_id_base)
        focus = display.get_input_focus().focus
        target = focus.id if focus and not isinstance(focus, int) else record.AllClients
        xkb = (xkb_opcode, xkb_opcode, _XKB_GET_MAP, _XKB_GET_MAP) if xkb_opcode else (0, 0, 0, 0)
        self._context = display.record_create_context(
            0,
            [target, self._own_base],
            [
                {
                    "core_requests": (_CORE_CHANGE_KEYBOARD_MAPPING, _CORE_GET_KEYBOARD_MAPPING),
                    "core_replies": (0, 0),
                    "ext_requests": xkb,
                    "ext_replies": (0, 0, 0, 0),
                    "delivered_events": (0, 0),
                    "device_events": (0, 0),
                    "errors": (0, 0),
                    "client_started": False,
                    "client_died": False,
                }
            ],
        )
        display.sync()
        self._xkb_opcode = xkb_opcode
        self._uncovered = set(keycodes)
        self._changed = False
        self._started = threading.Event()
        self._fetched = threading.Event()
        self._data_display = _xlib("Xlib.display").Display(display_name)
        self._thread = threading.Thread(target=self._run, name="keymap-fetch-watch", daemon=True)
        self._thread.start()
        if not self._started.wait(_FETCH_TIMEOUT_S):
            self.close()
            raise InjectionError("RECORD did not start")

    def _run(self) -> None:
        try:
            self._data_display.record_enable_context(self._context, self._on_record)
        except Exception:
            log.debug("RECORD context ended with an error", exc_info=True)
        finally:
            self._started.set()

    def _on_record(self, reply: Any) -> None:
        record = _xlib("Xlib.ext.record")
        if reply.category == record.StartOfData:
            self._started.set()
        if reply.category != record.FromClient or not reply.data:
            return
        opcode = reply.data[0]
        if reply.id_base == self._own_base:
            self._changed = self._changed or opcode == _CORE_CHANGE_KEYBOARD_MAPPING
        elif self._changed:
            self._uncovered.difference_update(
                self._fetched_keycodes(bytes(reply.data), reply.client_swapped)
            )
            if not self._uncovered:
                self._fetched.set()

    def _fetched_keycodes(self, request: bytes, swapped: bool) -> set[int] | range:
        """Keycodes whose keysyms a recorded fetch request asks for.

        Xlib's XKB code fetches only the keys named by the notifies it has seen
        so far, so a fetch counts only for the keycodes it covers.
        """
        if request[0] == _CORE_GET_KEYBOARD_MAPPING and len(request) >= 6:
            return range(request[4], request[4] + request[5])
        if request[0] == self._xkb_opcode and len(request) >= 14 and request[1] == _XKB_GET_MAP:
            order: Literal["little", "big"] = "little" if sys.byteorder == "little" else "big"
            if swapped:
                order = "big" if order == "little" else "little"
            full = int.from_bytes(request[6:8], order)
            partial_parts = int.from_bytes(request[8:10], order)
            if full & _XKB_KEY_SYMS:
                return range(256)
            if partial_parts & _XKB_KEY_SYMS:
                return range(request[12], request[12] + request[13])
        return set()

    def wait(self) -> None:
        """Block until the target's fetch is seen (or a timeout for a target that never asks)."""
        if not self._fetched.wait(_FETCH_TIMEOUT_S):
            log.debug("no keymap fetch by the target within %.1f s", _FETCH_TIMEOUT_S)

    def close(self) -> None:
        """End the recording and release the context and its connection."""
        self._display.record_disable_context(self._context)
        self._display.sync()
        self._thread.join(_FETCH_TIMEOUT_S)
        self._display.record_free_context(self._context)
        self._display.sync()
        self._data_display.close()


def _xlib(module: str) -> Any:
    """Import a python-xlib module (no type stubs exist, so it is typed Any)."""
    return importlib.import_module(module)
