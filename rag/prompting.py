"""The prompt: a fixed system message (reused from the KV cache) and numbered sources."""

from __future__ import annotations

from collections.abc import Sequence

from rag.generation import Message
from rag.types import Hit

NOT_FOUND = "The articles do not say."

SYSTEM_PROMPT = f"""You answer questions about news articles using only the numbered sources you are given.
Rules:
- Answer in one to three short sentences.
- End every sentence with the number of the source that supports it in square brackets, like [2].
- Copy names, numbers and dates exactly as the source gives them.
- Never use knowledge that is not in the sources.
- If the sources do not contain the answer, reply exactly: {NOT_FOUND}"""


def build_messages(question: str, hits: Sequence[Hit]) -> list[Message]:
    """Chat messages for one question; source `[n]` is `hits[n - 1]`."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Sources:\n{format_sources(hits)}\n\nQuestion: {question}"},
    ]


def format_sources(hits: Sequence[Hit]) -> str:
    return "\n\n".join(_format_source(n, hit) for n, hit in enumerate(hits, start=1))


def _format_source(n: int, hit: Hit) -> str:
    chunk = hit.chunk
    label = chunk.title + (f", published {chunk.published}" if chunk.published else "")
    return f"[{n}] ({label})\n{chunk.text}"
