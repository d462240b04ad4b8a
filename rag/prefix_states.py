"""Saved llama.cpp states of prompt prefixes, so a passage the judge has read once is not read again.

llama.cpp reuses the part of a new prompt that matches the last one it processed. The judge asks
about one passage at a time, so that covers sentences citing the passage it read last, and nothing
else: on the seed questions, 34 of the 60 passages the judge read had been read for an earlier
question, but only 4 right before (docs/benchmarks.md). A prefix state (the system prompt and
the passage, ~8 MB at ~28 KB a token) is kept here, and restoring it costs milliseconds where
reading the passage again costs a second.
"""

from __future__ import annotations

from collections import OrderedDict


class PrefixStates:
    """Sequence states keyed by the prompt tokens they hold; the least recently used go first once
    their bytes pass `capacity_bytes`."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self._bytes = 0

    def get(self, tokens: tuple[int, ...]) -> bytes | None:
        state = self._states.get(tokens)
        if state is not None:
            self._states.move_to_end(tokens)
        return state

    def put(self, tokens: tuple[int, ...], state: bytes) -> None:
        if len(state) > self.capacity_bytes:
            return
        if tokens in self._states:
            self._bytes -= len(self._states.pop(tokens))
        self._states[tokens] = state
        self._bytes += len(state)
        while self._bytes > self.capacity_bytes:
            _, oldest = self._states.popitem(last=False)
            self._bytes -= len(oldest)

    def __contains__(self, tokens: object) -> bool:
        return tokens in self._states

    def __len__(self) -> int:
        return len(self._states)

    @property
    def size_bytes(self) -> int:
        return self._bytes
