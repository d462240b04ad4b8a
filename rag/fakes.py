"""Deterministic stand-ins for the models, for fast tests and dry runs.

Everything around them stays real: chunking, Chroma, prompting, citation handling.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence

from rag.generation import Message

_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Bag of hashed words, L2-normalised: texts sharing words are close, as with a real embedder."""

    def __init__(self, dimension: int = 256) -> None:
        self.name = f"fake-hashing-{dimension}"
        self.dimension = dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for word in _WORD.findall(text.lower()):
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]


class ScriptedGeneration:
    def __init__(self, text: str, prompt_tokens: int, delay: float = 0.0) -> None:
        self._text = text
        self._delay = delay
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = 0
        self._delay = delay

    def __iter__(self) -> Iterator[str]:
        for piece in re.findall(r"\S+\s*|\s+", self._text):
            if self._delay:
                time.sleep(self._delay)
            self.completion_tokens += 1
            if self._delay:
                time.sleep(self._delay)  # a slow model, for tests of queueing and responsiveness
            yield piece


class ScriptedGenerator:
    """Replies with what `reply(messages)` returns, word by word, as a streaming model would."""

    def __init__(self, reply: Callable[[Sequence[Message]], str] | str, delay: float = 0.0) -> None:
        self.name = "fake-scripted"
        self.delay = delay  # seconds per word
        self._reply = reply if callable(reply) else (lambda _messages: reply)
        self.delay = delay  # seconds before each word, so a browser test can watch the stream
        self.calls: list[Sequence[Message]] = []
        self.grammars: list[str | None] = []  # the grammar each call was given

    def yes_probability(self, messages: Sequence[Message], reusable: str = "") -> float:
        """Yes exactly when every content word of the statement is in the passage (a strict stand-in)."""
        match = re.search(r"Passage:\n(.*)\n\nStatement: (.*)\n\n", messages[-1]["content"], re.DOTALL)
        if not match:
            return 0.5
        passage, claim = (set(_WORD.findall(t.lower())) for t in match.groups())
        return 0.9 if claim <= passage else 0.1

    def generate(self, messages: Sequence[Message], max_tokens: int, grammar: str | None = None) -> ScriptedGeneration:
        self.calls.append(messages)
        self.grammars.append(grammar)
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        return ScriptedGeneration(self._reply(messages), prompt_tokens, self.delay)


def quote_source(n: int, extra: str = "") -> Callable[[Sequence[Message]], str]:
    """A reply that repeats the first sentence of source [n] of the prompt and cites it, then `extra`."""

    def reply(messages: Sequence[Message]) -> str:
        prompt = messages[-1]["content"]
        match = re.search(rf"^\[{n}\] .*\n(.+?[.!?])(?:\s|$)", prompt, re.MULTILINE)
        sentence = match.group(1) if match else "Nothing."
        return f"{sentence[:-1]} [{n}]{sentence[-1]} {extra}".strip()

    return reply
