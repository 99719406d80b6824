"""The dictation state machine: every transition, and cancel from each state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.dictation_session import DictationSession, DictationState, StateChange

S = DictationState


def _session_in(state: DictationState) -> DictationSession:
    """A session driven through real transitions into ``state`` (job id 7)."""
    session = DictationSession()
    if state is S.IDLE:
        return session
    session.start(7)
    if state is S.ERROR:
        session.fail(7, "boom")
    if state in {S.FINISHING, S.DELIVERING}:
        session.finish()
    if state is S.DELIVERING:
        session.final_received(7)
    assert session.state is state
    return session


Event = Callable[[DictationSession], object]

EVENTS: dict[str, Event] = {
    "start": lambda s: s.start(8),
    "finish": lambda s: s.finish(),
    "final": lambda s: s.final_received(7),
    "stale_final": lambda s: s.final_received(99),
    "delivered": lambda s: s.delivered(),
    "cancel": lambda s: s.cancel(),
    "fail": lambda s: s.fail(None, "mic unplugged"),
    "stale_fail": lambda s: s.fail(99, "old job"),
    "dismiss": lambda s: s.dismiss_error(),
}

# (state, event) → state after; pairs not listed leave the state unchanged.
TRANSITIONS = {
    (S.IDLE, "start"): S.LISTENING,
    (S.ERROR, "start"): S.LISTENING,
    (S.ERROR, "dismiss"): S.IDLE,
    (S.LISTENING, "finish"): S.FINISHING,
    (S.LISTENING, "final"): S.DELIVERING,  # a mic failure finishes without a release
    (S.LISTENING, "cancel"): S.IDLE,
    (S.LISTENING, "fail"): S.ERROR,
    (S.FINISHING, "final"): S.DELIVERING,
    (S.FINISHING, "cancel"): S.IDLE,
    (S.FINISHING, "fail"): S.ERROR,
    (S.DELIVERING, "delivered"): S.IDLE,
    (S.DELIVERING, "cancel"): S.IDLE,
    (S.DELIVERING, "fail"): S.ERROR,
}


@pytest.mark.parametrize("state", list(S), ids=lambda s: s.value)
@pytest.mark.parametrize("event", list(EVENTS))
def test_every_state_and_event(state: DictationState, event: str) -> None:
    session = _session_in(state)
    changes: list[StateChange] = []
    session._on_change = changes.append
    EVENTS[event](session)
    expected = TRANSITIONS.get((state, event), state)
    assert session.state is expected
    assert len(changes) == (0 if expected is state else 1)


@pytest.mark.parametrize("state", [S.LISTENING, S.FINISHING, S.DELIVERING], ids=str)
def test_cancel_returns_the_job_to_cancel_and_clears_it(state: DictationState) -> None:
    session = _session_in(state)
    assert session.cancel() == 7
    assert session.job_id is None
    assert session.final_received(7) is False  # a late final of the cancelled job is dropped


def test_cancel_while_idle_or_in_error_has_no_job() -> None:
    assert DictationSession().cancel() is None
    assert _session_in(S.ERROR).cancel() is None


def test_failure_keeps_its_message_until_the_next_start() -> None:
    session = _session_in(S.LISTENING)
    session.fail(7, "The microphone was unplugged.")
    assert session.error == "The microphone was unplugged."
    session.start(9)
    assert session.error is None
    assert session.job_id == 9


def test_observer_sees_old_and_new_state_in_order() -> None:
    changes: list[StateChange] = []
    session = DictationSession(on_change=changes.append)
    session.start(1)
    session.finish()
    session.final_received(1)
    session.delivered()
    assert [(c.old, c.new) for c in changes] == [
        (S.IDLE, S.LISTENING),
        (S.LISTENING, S.FINISHING),
        (S.FINISHING, S.DELIVERING),
        (S.DELIVERING, S.IDLE),
    ]
    assert [c.reason for c in changes] == ["start", "finish", "final", "delivered"]


@given(st.lists(st.sampled_from(list(EVENTS)), max_size=40))
def test_random_event_orders_never_break_the_invariants(events: list[str]) -> None:
    session = DictationSession()
    for name in events:
        EVENTS[name](session)
        assert (session.job_id is not None) == session.active
        assert (session.error is not None) == (session.state is S.ERROR)
