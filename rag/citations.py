"""Find `[n]` markers in a model's answer and resolve them to the passages they cite."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.types import Citation, Hit

# Small models write [1], [1, 2], [1][2] or [Source 1]; all are read, and rewritten as [1][2].
_MARKER = re.compile(r"\[\s*(?:sources?\s*)?(\d+(?:\s*(?:,|and)\s*(?:sources?\s*)?\d+)*)\s*\]", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


def normalise_markers(answer: str, n_sources: int) -> str:
    """Rewrite every marker as `[a][b]`, dropping numbers that point at no source."""

    def rewrite(match: re.Match[str]) -> str:
        numbers = [int(n) for n in _NUMBER.findall(match.group(1))]
        # Sources are numbered from 1; anything else points nowhere and is dropped.
        return "".join(f"[{n}]" for n in dict.fromkeys(numbers) if 1 <= n <= n_sources)

    text = re.sub(r"(\[(\d+)\])(?:\[\2\])+", r"\1", _MARKER.sub(rewrite, answer))  # [1][1] -> [1]
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()


def cited_numbers(answer: str) -> list[int]:
    """The distinct source numbers an (already normalised) answer cites, in order of first use."""
    return list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", answer)))


def resolve(answer: str, hits: Sequence[Hit]) -> tuple[Citation, ...]:
    """A citation for every marker that points at one of `hits` (marker n is hits[n - 1])."""
    return tuple(to_citation(n, hits[n - 1]) for n in cited_numbers(answer) if 1 <= n <= len(hits))


def to_citation(n: int, hit: Hit) -> Citation:
    chunk = hit.chunk
    return Citation(n=n, article_id=chunk.article_id, title=chunk.title, published=chunk.published,
                    source=chunk.source, url=chunk.url, chunk_id=chunk.chunk_id, text=chunk.text,
                    start=chunk.start, end=chunk.end, page=chunk.page)
