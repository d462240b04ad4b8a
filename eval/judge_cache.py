"""The model judge's yes/no probabilities remembered on disk: each costs about a second, and every
eval run asks the same (claim, passage) pairs again (the judge's own measurement, each run).

Only the model's answer is cached, keyed by model and exact prompt; the rules around it always
run, so a change to them takes effect at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.generation import Generation, Generator, Message


@dataclass
class CachedYesNo:
    """A generator whose `yes_probability` answers come from disk when it has seen the prompt."""

    inner: Generator
    path: Path
    _memory: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = self.inner.name
        if self.path.exists():
            self._memory = json.loads(self.path.read_text())

    def generate(self, messages: Sequence[Message], max_tokens: int) -> Generation:
        return self.inner.generate(messages, max_tokens)

    def yes_probability(self, messages: Sequence[Message], reusable: str = "") -> float:
        # Settings that change how llama.cpp computes P(yes) (flash attention, the passage cache) keep their
        # answers apart: the same prompt gets a slightly different probability under each.
        numerics = getattr(self.inner, "numerics", "")
        key = hashlib.sha1(json.dumps([self.inner.name, list(messages), *([numerics] if numerics else [])])
                           .encode()).hexdigest()
        if key not in self._memory:
            self._memory[key] = self.inner.yes_probability(messages, reusable)
        return self._memory[key]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._memory))

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)
