"""Evidence selection: pass the model only the sentences that bear on the question, so every
prompt token is worth its ~14 ms of prompt processing on two cores.

Every sentence of every retrieved passage is scored against the question together (by the
cross-encoder), and a sentence is evidence when it scores MIN_SENTENCE_SCORE or more. A passage
holding no evidence is left out; the model is shown the others from their first to their last
evidence sentence (`Hit.shown`). Verification and citations still use the whole passage: a judge
shown only the narrowed span doubts true sentences that lean on its neighbours ("Rubio said
Russia's demands for the Black Sea ceasefire would be evaluated", where the ceasefire is named one
sentence earlier). Measured on and off in docs/evaluation.md.
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

# The cross-encoder's probability that a sentence bears on the question (or, without one, the
# share of the question's words it holds). 0.1 kept every accepted answer that whole passages
# held on the seed questions while halving their tokens; 0.3 lost three (docs/evaluation.md).
MIN_SENTENCE_SCORE = 0.1
# A kept sentence opening with one of these leans on the sentence before it, which is kept too.
_LEANS_BACK = re.compile(r"^(?:it|its|they|their|them|he|his|she|her|this|that|these|those|the (?:move|plan|"
                         r"decision|deal|force|group|country|minister|president|announcement)|but|however|also|"
                         r"meanwhile|instead|such|both|the two|the latter|the former)\b", re.IGNORECASE)
_STOP = frozenset("a an the of to in on at for and or is are was were be by with from as that this what which who "
                  "whom how many much did does do has have had will would when where why".split())


@dataclass
class EvidenceSelector:
    """Narrows passages to their evidence sentences and leaves out passages without any."""

    reranker: Reranker | None = None
    min_score: float = MIN_SENTENCE_SCORE

    def select(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        spans_per_hit = [sentence_spans(hit.chunk.text) for hit in hits]
        sentences = [hit.chunk.text[s.start:s.end] for hit, spans in zip(hits, spans_per_hit) for s in spans]
        scores = self._score(question, sentences)
        # When no sentence reaches the floor, the best one does (with its passage, the only one left); when
        # nothing scores at all (no reranker, no question word in any sentence), every passage passes whole.
        threshold = min(self.min_score, max(scores, default=0.0))
        selected, at = [], 0
        for hit, spans in zip(hits, spans_per_hit):
            own = scores[at:at + len(spans)]
            at += len(spans)
            kept = [i for i, score in enumerate(own) if score >= threshold]
            if not kept:
                continue
            # A chunk holding injected text passes whole: cut mid-way, a fake [SYSTEM] block would lose the
            # opening tag that lets the prompt's filter remove all of it. Short passages are narrowed too:
            # a two-sentence lead ("Over two dozen countries have pledged…") beside the sentence that
            # answers ("We have today 26 countries…") turned the model's "26" into "over two dozen".
            whole = looks_injected(hit.chunk.text)
            selected.append(hit if whole else _narrow(hit, spans, kept[0], kept[-1]))
        return selected

    def _score(self, question: str, sentences: list[str]) -> list[float]:
        if not sentences:
            return []
        if self.reranker is not None:
            return self.reranker.score(question, sentences)
        asked = tokens_of(question) - _STOP
        return [len(asked & tokens_of(s)) / max(len(asked), 1) for s in sentences]


def _narrow(hit: Hit, spans: Sequence[Span], first: int, last: int) -> Hit:
    if first > 0 and _LEANS_BACK.match(hit.chunk.text[spans[first].start:]):
        first -= 1
    start, end = spans[first].start, spans[last].end
    if not hit.chunk.text[:start].strip() and not hit.chunk.text[end:].strip():
        return hit  # all of it: nothing narrowed
    return replace(hit, shown=(start, end))
