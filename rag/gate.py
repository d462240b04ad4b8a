"""Admission to the model: one answer at a time, a bounded queue behind it, and Busy beyond the bound.

A request that may need the model first takes a `Ticket` (raising `Busy` at once when
`1 + max_queue` requests already hold one), then waits for its turn — at most `wait_timeout`
seconds — before generating and verifying. Refusing early keeps requests from piling up behind a
model that answers one question in seconds, and tells clients when to come back.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rag.errors import Busy


class Gate:
    """Counts admitted requests and serialises their turns on the model."""

    def __init__(self, max_queue: int = 4, wait_timeout: float = 120.0) -> None:
        self.max_queue = max_queue
        self.wait_timeout = wait_timeout
        self._turn = threading.Lock()
        self._count = threading.Lock()
        self._admitted = 0
        self._running = 0
        self._mean_seconds = 10.0  # running mean of one turn; a guess until the first answer

    @property
    def waiting(self) -> int:
        """Requests admitted but not yet running: the queue depth."""
        return self._admitted - self._running

    @property
    def running(self) -> int:
        return self._running

    def admit(self) -> Ticket:
        """A place in the queue, or Busy (with a Retry-After estimate) when it is full — or when the
        questions ahead would take longer than `wait_timeout` at the mean pace (refused now, not later)."""
        with self._count:
            if self._admitted >= 1 + self.max_queue:
                raise Busy(f"the model is busy: {self._admitted} questions are in progress or queued "
                           f"(RAG_MAX_QUEUE={self.max_queue}); retry later", self.retry_after())
            if self._admitted and self._admitted * self._mean_seconds > self.wait_timeout:
                raise Busy(f"the model is busy: the {self._admitted} questions ahead would take about "
                           f"{self._admitted * self._mean_seconds:.0f} s, more than RAG_QUEUE_TIMEOUT="
                           f"{self.wait_timeout:.0f}; retry later", self.retry_after())
            self._admitted += 1
        return Ticket(self)

    def retry_after(self) -> int:
        """Seconds until a place is likely to free up: the queue ahead times the mean turn."""
        return max(1, math.ceil(self._mean_seconds * max(1, self.waiting)))

    def _leave(self) -> None:
        with self._count:
            self._admitted -= 1

    @contextmanager
    def _hold(self) -> Iterator[None]:
        if not self._turn.acquire(timeout=self.wait_timeout):
            raise Busy(f"waited {self.wait_timeout:.0f} s for the model without getting a turn "
                       "(RAG_QUEUE_TIMEOUT); retry later", self.retry_after())
        started = time.perf_counter()
        with self._count:
            self._running += 1
        try:
            yield
        finally:
            with self._count:
                self._running -= 1
            self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * (time.perf_counter() - started)
            self._turn.release()


class Ticket:
    """One admitted request. `turn()` waits for the model; `release()` (idempotent) gives the place back.

    A ticket dropped unreleased (a stream the client never read) releases itself when collected."""

    def __init__(self, gate: Gate) -> None:
        self._gate: Gate | None = gate

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self._gate is None:
            raise RuntimeError("this ticket was already released")
        with self._gate._hold():
            yield

    def release(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate._leave()

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()
