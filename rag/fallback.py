"""When verification removed every sentence the model wrote: a retrieved sentence that answers, quoted.

The small model judge doubts many true paraphrases, and the relevance check removes true sentences
that restate too little of the question ("Dua Lipa got married on Sunday at London's Old Marylebone
Town Hall." at relevance 0.52). Abstaining then hides an answer the articles hold. Instead, the
sentence of a retrieved passage that the removed drafts point at (it shares a word they add to the
question) and that the cross-encoder scores as answering the question is given, word for word, in
quotation marks and cited: what the answer says is then the source's own text, and it says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.chunking import sentence_spans
from rag.grounding import content_words
from rag.injection import REMOVED, neutralise
from rag.rerank import Reranker
from rag.timeref import TimeFrame
from rag.types import CheckedSentence, Hit
from rag.verification import MIN_QUOTE_RELEVANCE

# The cross-encoder's probability that the quoted sentence answers the question: the floor any quote
# must reach, for the same reason (a quote was not written to answer).
MIN_RELEVANCE = MIN_QUOTE_RELEVANCE


def quoted_answer(question: str, drafts: Sequence[CheckedSentence], hits: Sequence[Hit], frame: TimeFrame,
                  reranker: Reranker | None, min_relevance: float = MIN_RELEVANCE) -> CheckedSentence | None:
    """The quote that answers in place of `drafts` (all removed), or None."""
    asked = set(content_words(question))
    pointers = {word for d in drafts for word in content_words(d.claim)} - asked
    if reranker is None or not pointers:
        return None
    found: list[tuple[int, str]] = []
    for n, hit in enumerate(hits, start=1):
        if frame.present and frame.holds(hit.chunk.published) is False:
            continue  # a question about now is not answered from another time
        text = neutralise(hit.evidence_text)
        for span in sentence_spans(text):
            sentence = text[span.start:span.end].strip()
            if REMOVED not in sentence and pointers & set(content_words(sentence)) and len(sentence.split()) >= 4:
                found.append((n, sentence))
    if not found:
        return None
    scores = reranker.score(question, [sentence for _, sentence in found])
    best = max(range(len(found)), key=lambda i: scores[i])
    if scores[best] < min_relevance:
        return None
    n, sentence = found[best]
    return CheckedSentence(f"“{sentence.rstrip()}” [{n}]", sentence, "quoted", round(scores[best], 4), (n,),
                           f"every drafted sentence was removed; a sentence of [{n}] answers the question "
                           f"(relevance {scores[best]:.2f}) and is quoted")
