"""Evidence selection: from each retrieved chunk, pass the model only the sentences that bear on
the question, so every prompt token is worth its ~14 ms of prompt processing on two cores.

A narrowed passage is still one contiguous span of the article (`text == article[start:end]`), so
citation offsets stay exact and the highlight points at the evidence itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.chunking import Span, sentence_spans
from rag.injection import looks_injected
from rag.lexical import tokens_of
from rag.rerank import Reranker
from rag.types import Hit

# A sentence is kept when it scores at least this share of the chunk's best sentence.
KEEP_SHARE = 0.5
# A kept sentence opening with one of these leans on the sentence before it, which is kept too.
_LEANS_BACK = re.compile(r"^(?:it|its|they|their|them|he|his|she|her|this|that|these|those|the (?:move|plan|"
                         r"decision|deal|force|group|country|minister|president|announcement)|but|however|also|"
                         r"meanwhile|instead|such|both|the two|the latter|the former)\b", re.IGNORECASE)
_STOP = frozenset("a an the of to in on at for and or is are was were be by with from as that this what which who "
                  "whom how many much did does do has have had will would when where why".split())


@dataclass
class EvidenceSelector:
    """Narrows chunks to their relevant sentences, scored by the cross-encoder (word overlap without one)."""

    reranker: Reranker | None = None
    min_sentences: int = 3  # chunks this short are passed whole

    def select(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        spans_per_hit = [sentence_spans(hit.chunk.text) for hit in hits]
        sentences = [[hit.chunk.text[s.start:s.end] for s in spans] for hit, spans in zip(hits, spans_per_hit)]
        scores = self._score(question, [s for group in sentences for s in group])
        narrowed, at = [], 0
        for hit, spans in zip(hits, spans_per_hit):
            own = scores[at:at + len(spans)]
            at += len(spans)
            # A chunk holding injected text passes whole: cut mid-way, a fake [SYSTEM] block would lose the
            # opening tag that lets the prompt's filter remove all of it.
            whole = len(spans) < self.min_sentences or looks_injected(hit.chunk.text)
            narrowed.append(hit if whole else _narrow(hit, spans, own))
        return narrowed

    def _score(self, question: str, sentences: list[str]) -> list[float]:
        if not sentences:
            return []
        if self.reranker is not None:
            return self.reranker.score(question, sentences)
        asked = tokens_of(question) - _STOP
        return [float(len(asked & tokens_of(s))) for s in sentences]


def _narrow(hit: Hit, spans: Sequence[Span], scores: Sequence[float]) -> Hit:
    best = max(scores)
    kept = [i for i, score in enumerate(scores) if score >= KEEP_SHARE * best]
    first, last = kept[0], kept[-1]
    text = hit.chunk.text
    if first > 0 and _LEANS_BACK.match(text[spans[first].start:]):
        first -= 1
    start, end = spans[first].start, spans[last].end
    chunk = replace(hit.chunk, text=text[start:end], start=hit.chunk.start + start, end=hit.chunk.start + end)
    return replace(hit, chunk=chunk)
