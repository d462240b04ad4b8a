"""When verification removed every draft: the retrieved sentence the drafts point at, quoted, or nothing."""

from __future__ import annotations

import datetime as dt

from rag.fallback import quoted_answer
from rag.timeref import time_frame
from rag.types import CheckedSentence, Chunk, Hit

QUESTION = "Where did Dua Lipa get married this week?"


class Scores:
    name = "fixed"

    def __init__(self, score: float) -> None:
        self.value = score

    def score(self, query: str, passages: list[str]) -> list[float]:
        return [self.value if "Marylebone" in p else 0.1 for p in passages]


def _hit(published: str) -> Hit:
    text = "The singer wore white. Dua Lipa married at Old Marylebone Town Hall in London on Sunday."
    return Hit(Chunk("a:0-90", "a", text, 0, len(text), 0, "Wedding", published), 0.9, 0.5)


def _removed(claim: str) -> CheckedSentence:
    return CheckedSentence("", claim, "removed", 0.0, (1,), "does not answer the question (relevance 0.52)")


def test_the_sentence_the_draft_points_at_is_quoted_and_cited() -> None:
    frame = time_frame(QUESTION, dt.date(2026, 6, 2))
    quote = quoted_answer(QUESTION, [_removed("She married at Marylebone Town Hall.")], [_hit("2026-06-01")],
                          frame, Scores(0.95))  # type: ignore[arg-type]
    assert quote is not None and quote.verdict == "quoted" and quote.cited == (1,)
    assert quote.text.startswith("“Dua Lipa married at Old Marylebone Town Hall") and quote.text.endswith("[1]")


def test_no_quote_below_the_relevance_floor_from_outside_the_window_or_without_a_pointer() -> None:
    frame = time_frame(QUESTION, dt.date(2026, 6, 2))
    draft = [_removed("She married at Marylebone Town Hall.")]
    assert quoted_answer(QUESTION, draft, [_hit("2026-06-01")], frame, Scores(0.5)) is None  # type: ignore[arg-type]
    assert quoted_answer(QUESTION, draft, [_hit("2019-06-01")], frame, Scores(0.95)) is None  # type: ignore[arg-type]
    assert quoted_answer(QUESTION, [_removed("Dua Lipa got married.")], [_hit("2026-06-01")], frame,
                         Scores(0.95)) is None  # type: ignore[arg-type]
