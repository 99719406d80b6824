"""CancellationToken is a one-way, thread-safe flag with its own exception type.

Cancellation must be told apart from failure without matching error strings, so
the token raises :class:`Cancelled` and nothing else.
"""

from __future__ import annotations

import threading

import pytest

from app.core.engine.cancellation import CancellationToken, Cancelled


def test_new_token_is_not_cancelled_and_does_not_raise() -> None:
    token = CancellationToken()
    assert not token.cancelled
    token.raise_if_cancelled()


def test_cancel_sets_the_flag_and_raise_if_cancelled_raises_cancelled() -> None:
    token = CancellationToken()
    token.cancel()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_cancel_is_idempotent_and_one_way() -> None:
    token = CancellationToken()
    token.cancel()
    token.cancel()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()
    assert token.cancelled


def test_tokens_are_independent() -> None:
    cancelled, untouched = CancellationToken(), CancellationToken()
    cancelled.cancel()
    assert not untouched.cancelled
    untouched.raise_if_cancelled()


def test_job_thread_stops_with_cancelled_when_requester_cancels() -> None:
    token = CancellationToken()
    job_ready = threading.Event()
    go_on = threading.Event()
    outcome: list[str] = []

    def job() -> None:
        token.raise_if_cancelled()  # not cancelled yet: passes
        job_ready.set()
        if not go_on.wait(timeout=10):
            outcome.append("timed out")
            return
        try:
            token.raise_if_cancelled()
        except Cancelled:
            outcome.append("cancelled")
        else:
            outcome.append("ran on")

    worker = threading.Thread(target=job)
    worker.start()
    assert job_ready.wait(timeout=10)
    token.cancel()
    go_on.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert outcome == ["cancelled"]
