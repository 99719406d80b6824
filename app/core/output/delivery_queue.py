"""The order of delivery requests: ids, first in first out, a final never before its commits."""

from __future__ import annotations

from collections import deque

from app.core.output.text_delivery import (
    DELIVERY_METHODS,
    DeliveryMethod,
    DeliveryRequest,
    WindowPin,
)


class DeliveryQueue:
    """FIFO of delivery requests with ids; a final never overtakes earlier commits."""

    def __init__(self) -> None:
        self._pending: deque[DeliveryRequest] = deque()
        self._next_id = 1

    def add(
        self,
        text: str,
        method: DeliveryMethod,
        paste_keys: tuple[str, ...] = (),
        only_into: str | WindowPin = "",
        copy_on_failure: bool = True,
    ) -> DeliveryRequest:
        """Queue ``text``; the request's id grows by one per call."""
        if method not in DELIVERY_METHODS:
            raise ValueError(f"unknown delivery method {method!r}")
        request = DeliveryRequest(
            self._next_id, text, method, paste_keys, only_into, copy_on_failure
        )
        self._next_id += 1
        self._pending.append(request)
        return request

    def pop(self) -> DeliveryRequest | None:
        """The oldest queued request, or None."""
        return self._pending.popleft() if self._pending else None

    def clear(self) -> list[DeliveryRequest]:
        """Drop every queued request and return them."""
        dropped = list(self._pending)
        self._pending.clear()
        return dropped

    def __len__(self) -> int:
        return len(self._pending)


def checked_method(method: str) -> DeliveryMethod:
    """``method`` as a :data:`DeliveryMethod`; ValueError for any other word."""
    for known in DELIVERY_METHODS:
        if method == known:
            return known
    raise ValueError(f"unknown delivery method {method!r}; use one of {DELIVERY_METHODS}")
