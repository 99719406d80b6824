"""The space a dictation cancelled while it typed as spoken never typed, owed to the next one.

Each dictation ends with a space for the next to follow (Settings → Text). One
cancelled after its first words were typed stops there, without it, and the next
dictation's words ran into them ("…by FridayI would like…"). Typing that space
at the cancel would send a key after the user said stop, so it waits: it goes in
just before the next dictation's first words, and only into the window the
cancelled words are in (a click elsewhere drops it), unless the user typed there
meanwhile (Enter: the next line must not begin with it). A later dictation owes nothing.
"""

from __future__ import annotations

from typing import Any

from app.core.output.text_delivery import WindowPin
from app.ui.dictation.dictation_run import DictationRun


class OwedSpace:
    """Remembers where a space is owed; types it before the next dictation's words."""

    def __init__(self, delivery: Any) -> None:
        self._delivery = delivery
        self._window: WindowPin | None = None
        self._armed = False  # the dictation right after the cancel has begun
        self._request: int | None = None

    def owe(self, cancelled: DictationRun | None) -> None:
        """``cancelled`` stopped, perhaps after words typed as spoken: is a space owed?"""
        live = cancelled.live if cancelled is not None else None
        profile = cancelled.profile if cancelled is not None else None
        trailing = profile is not None and profile.shaping_options().trailing_space
        typed = live.typed if live is not None else ""
        owed = trailing and bool(typed) and not typed[-1].isspace()
        self._window = live.window if owed and live is not None else None
        self._armed = False

    def forget(self) -> None:
        """The user typed a key of their own (where keys are seen: X11): nothing is owed."""
        self._window = None

    def next_dictation(self) -> None:
        """A dictation begins: the one after the cancel may pay; any later one may not."""
        if self._armed:
            self._window = None
        self._armed = self._window is not None

    def pay(self) -> None:
        """Before the dictation's first words: the space, into the cancelled words' window."""
        window, self._window = self._window, None
        if window is not None and self._armed:
            # Typed whatever the dictation's method: one key, and no clipboard to borrow.
            self._request = self._delivery.deliver(
                " ", "type", clipboard_on_failure=False, only_into=window
            )

    def answered(self, request_id: int) -> bool:
        """Whether ``request_id`` is the space's (its outcome concerns no dictation)."""
        if self._request is None or request_id != self._request:
            return False
        self._request = None
        return True
