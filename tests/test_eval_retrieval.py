"""The retrieval benchmark's own arithmetic and its table writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import retrieval
from rag.types import Chunk, Hit


def _hit(text: str) -> Hit:
    return Hit(Chunk("c", "a", text, 0, len(text), 0, "t"), 1.0, 1.0)


def test_evidence_recall_counts_each_gold_fact_found_whitespace_free() -> None:
    hits = [_hit("The  force has\n26 members."), _hit("Unrelated.")]
    assert retrieval._evidence_recall(hits, ["force has 26 members", "missing fact"]) == 0.5


def test_the_table_replaces_only_what_is_between_its_markers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "retrieval.md"
    doc.write_text(f"intro\n{retrieval.START}\nold table\n{retrieval.END}\noutro\n")
    monkeypatch.setattr(retrieval, "DOC", doc)
    row = retrieval.Row("seed", "dense", 39, 45, 0.9, 1.0, 0.8, None, 12.0, 30.0)

    class Named:
        name = "all-MiniLM-L6-v2"

    retrieval.write_table([row], Named(), 6)  # type: ignore[arg-type]
    text = doc.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old table" not in text
    assert "| seed | dense | 39 | 45 | 0.900 | 1.000 | 0.800 | — | 12 | 30 |" in text

    class Other:
        name = "bge-small-en-v1.5"

    retrieval.write_table([row], Other(), 6, default=False)  # type: ignore[arg-type]
    retrieval.write_table([row], Other(), 6, default=False)  # type: ignore[arg-type]
    again = doc.read_text()
    assert again.startswith(text) and again.count("## Embedder `bge-small-en-v1.5`") == 1
    assert again.count("| seed | dense | 39 |") == 2


class _Listing:
    """A retriever stand-in returning a fixed ranking, recording how many passages it was asked for."""

    def __init__(self, ids: str, candidates: int = 12) -> None:
        self.hits = [Hit(Chunk(i, "a", f"text {i}", 0, 6, 0, "t"), 1.0, 1.0) for i in ids]
        self.candidates = candidates
        self.asked: list[int] = []

    def search(self, query: str, top_k: int) -> list[Hit]:
        self.asked.append(top_k)
        return self.hits[:top_k]


def test_only_the_candidates_are_reranked_and_the_fused_order_follows() -> None:
    reranked, fused = _Listing("ca", candidates=2), _Listing("abcd")
    hits, _ = retrieval._ranked(reranked, fused, "q", 4)  # type: ignore[arg-type]
    assert [h.chunk.chunk_id for h in hits] == ["c", "a", "b", "d"] and reranked.asked == [2]
