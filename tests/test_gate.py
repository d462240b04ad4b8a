"""The model's admission gate: one turn at a time, a bounded queue, Busy beyond it."""

from __future__ import annotations

import threading
import time

import pytest

from rag.errors import Busy
from rag.gate import Gate


def test_admission_beyond_one_running_plus_the_queue_is_refused_with_retry_after() -> None:
    gate = Gate(max_queue=1)
    first, second = gate.admit(), gate.admit()
    with pytest.raises(Busy) as refused:
        gate.admit()
    assert refused.value.retry_after >= 1 and "RAG_MAX_QUEUE=1" in refused.value.message
    first.release()
    gate.admit().release()
    second.release()
    assert gate.waiting == 0


def test_release_is_idempotent_and_a_dropped_ticket_gives_its_place_back() -> None:
    gate = Gate(max_queue=0)
    ticket = gate.admit()
    ticket.release()
    ticket.release()
    gate.admit()  # dropped unreleased: collected at once by reference counting
    gate.admit().release()


def test_turns_are_one_at_a_time_and_the_queue_depth_is_visible() -> None:
    gate = Gate(max_queue=2)
    inside = threading.Event()
    leave = threading.Event()

    def hold() -> None:
        with gate.admit() as ticket, ticket.turn():
            inside.set()
            leave.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    waiter = threading.Thread(target=lambda: hold())
    waiter.start()
    time.sleep(0.1)
    assert gate.running == 1 and gate.waiting == 1
    leave.set()
    holder.join(5)
    waiter.join(5)
    assert gate.running == 0 and gate.waiting == 0


def test_waiting_longer_than_the_timeout_is_busy_not_a_hang() -> None:
    gate = Gate(max_queue=1, wait_timeout=0.2)
    gate._mean_seconds = 0.01  # fast answers so far: the second question is admitted, then waits too long
    with gate.admit() as first, first.turn(), gate.admit() as second:
        started = time.perf_counter()
        with pytest.raises(Busy, match="RAG_QUEUE_TIMEOUT"), second.turn():
            pass
        assert time.perf_counter() - started < 2


def test_a_queue_that_would_outlast_the_timeout_at_the_mean_pace_refuses_at_once() -> None:
    gate = Gate(max_queue=4, wait_timeout=15)
    gate._mean_seconds = 20.0  # as measured after slow answers
    first = gate.admit()
    with pytest.raises(Busy, match="would take about 20 s"):
        gate.admit()
    first.release()
    gate.admit().release()
