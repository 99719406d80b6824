"""The dictation-first gate that file jobs wait at between segments."""

from __future__ import annotations

import threading

from app.core.engine.cancellation import CancellationToken
from app.core.engine.pause_gate import PauseGate


def test_open_gate_never_blocks() -> None:
    assert PauseGate().wait(timeout_s=0)


def test_closed_gate_blocks_until_released() -> None:
    gate = PauseGate()
    gate.close()
    passed = threading.Event()
    waiter = threading.Thread(target=lambda: gate.wait() and passed.set())
    waiter.start()
    assert not passed.wait(0.2)  # still held
    gate.release()
    waiter.join(5)
    assert passed.is_set()


def test_overlapping_dictations_keep_it_closed_until_the_last_ends() -> None:
    gate = PauseGate()
    gate.close()
    gate.close()
    gate.release()
    assert not gate.is_open
    gate.release()
    assert gate.is_open
    gate.release()  # an extra release never goes negative
    gate.close()
    assert not gate.is_open


def test_cancel_wakes_a_waiting_job() -> None:
    gate = PauseGate()
    gate.close()
    cancel = CancellationToken()
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(gate.wait(cancel)))
    waiter.start()
    cancel.cancel()
    waiter.join(5)
    assert result == [False]


def test_a_hold_closes_and_releases_once_whatever_it_is_told_twice() -> None:
    from app.core.engine.pause_gate import GateHold

    gate = PauseGate()
    hold, other = GateHold(gate), GateHold(gate)
    hold.set(True)
    hold.set(True)
    other.set(True)
    hold.set(False)
    assert not gate.is_open  # the other still holds it
    other.set(False)
    other.set(False)
    assert gate.is_open
