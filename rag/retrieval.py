"""Retrieval: dense and BM25 candidates fused by reciprocal rank, reranked by a cross-encoder,
ordered with a preference for the time the question names (or, when it names none, for recent
articles), near-duplicates folded together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rag.chunking import sentence_spans
from rag.conflicts import differs_in_a_value
from rag.embedding import Embedder
from rag.filters import NO_FILTER, SearchFilter
from rag.lexical import LexicalIndex
from rag.rerank import Reranker
from rag.store import ChromaStore
from rag.timeref import TimeFrame
from rag.types import Hit

Mode = Literal["dense", "lexical", "hybrid"]
MODES: tuple[Mode, ...] = ("dense", "lexical", "hybrid")
RRF_K = 60  # the constant of Cormack et al. (2009): damps the weight of the very first ranks
# Added to the reranker's probability of passages published in the window a question's time words
# name: enough to put September's article above March's when both answer, not enough to lift an
# irrelevant one. A passage outside the window gets less the farther it is (halved every
# WINDOW_HALF_LIFE days, from half), so the closest articles come first when none is inside.
TIME_PREFERENCE = 0.15
WINDOW_HALF_LIFE = 30
# With no time words, a mild preference for recent articles (relative to the day the question is
# asked): this much for an article of that day, halved every RECENCY_HALF_LIFE days (RAG_RECENCY).
# Set on RealTimeQA, its development set, together with other changes; not yet measured on and off
# alone (docs/evaluation.md).
RECENCY = 0.15
RECENCY_HALF_LIFE = 365
DUPLICATE_OVERLAP = 0.8  # share of the shorter passage's word trigrams found in the other one
# The final order blends the reranker (this share) with the candidate's place in the fused list (the
# rest), instead of letting the reranker alone decide: on MultiHop-RAG the ms-marco cross-encoder
# alone ranked worse than fusion (MRR@10 0.804 vs 0.868); the blend keeps 0.864 there and the
# reranker's Hits@4 of 1.0 on the seed questions (python -m eval retrieval, docs/benchmarks.md).
RERANK_WEIGHT = 0.7


@dataclass
class Retriever:
    embedder: Embedder
    store: ChromaStore
    reranker: Reranker | None = None
    candidates: int = 12  # how many fused candidates the reranker scores
    lexical: LexicalIndex | None = None
    mode: Mode = "hybrid"
    rerank_weight: float = RERANK_WEIGHT  # 1.0: the reranker alone orders the candidates
    recency: float = RECENCY  # 0: no preference for recent articles when a question names no time
    # A window holding a passage this relevant is kept to: dated passages outside it are left out.
    window_floor: float = 0.2

    def search(self, query: str, top_k: int, filters: SearchFilter = NO_FILTER,
               frame: TimeFrame | None = None) -> list[Hit]:
        """The `top_k` best chunks for `query` that pass `filters`, best first, preferring those of
        the publication window of `frame` (the question's time words) or, without one, recent ones.

        `score` is the reranker's relevance probability when reranking, else the dense similarity
        (computed for lexical-only candidates too), so one threshold means the same in every mode.
        """
        vector = self.embedder.embed_query(query)
        pool = max(top_k, self.candidates)
        with self.store.reading():  # every candidate from one version of the index
            candidates = self._candidates(query, vector, pool, filters)
            if frame is not None and frame.windowed:  # the window's own best candidates, however old the rest
                candidates = _merged(self._candidates(query, vector, pool, _within(filters, frame)), candidates)
        if self.reranker is not None:
            scores = self.reranker.score(query, [hit.chunk.text for hit in candidates])
            candidates = [replace(hit, score=score) for hit, score in zip(candidates, scores)]

        def preference(place: int, hit: Hit) -> float:
            relevance = hit.score + self._time_bonus(hit, frame)
            if self.reranker is None:  # the fused order, moved by the time bonus alone
                return (1 - place / len(candidates)) + relevance - hit.score
            return self.rerank_weight * relevance + (1 - self.rerank_weight) * (1 - place / len(candidates))

        order = sorted(range(len(candidates)), key=lambda i: preference(i, candidates[i]), reverse=True)
        return _distinct(self._kept_to_window([candidates[i] for i in order], frame), top_k)

    def _time_bonus(self, hit: Hit, frame: TimeFrame | None) -> float:
        if frame is None:
            return 0.0
        if frame.windowed:
            distance = frame.distance(hit.chunk.published)
            if distance is None:  # undated: neither in the window nor out of it
                return 0.0
            return TIME_PREFERENCE if distance == 0 else TIME_PREFERENCE * 0.5 * 0.5 ** (distance / WINDOW_HALF_LIFE)
        age = frame.age(hit.chunk.published)
        return 0.0 if age is None else self.recency * 0.5 ** (max(age, 0) / RECENCY_HALF_LIFE)

    def _kept_to_window(self, ranked: list[Hit], frame: TimeFrame | None) -> list[Hit]:
        """`ranked` without its dated passages from outside the window of a question about the present,
        when the window holds a relevant passage; as it is otherwise (the closest articles are then
        preferred by the bonus)."""
        if frame is None or not frame.windowed or not frame.present:
            return ranked
        if not any(frame.holds(h.chunk.published) and h.score >= self.window_floor for h in ranked):
            return ranked
        return [h for h in ranked if frame.holds(h.chunk.published) is not False]

    def by_best_part(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """`hits`, each scored by the best of its own relevance, its most relevant sentence's, and its
        relevance to the part of the question it answers best (`question_parts`).

        The cross-encoder reads a passage whole, and one sentence answering among unrelated ones
        scores low: "Illia Novikov contributed to this report from Kyiv, Ukraine." after two
        sentences on an airfield strike scored 0.055 as a passage, under the "nothing relevant"
        floor, and 0.98 alone. It reads the question whole too, and a question strung from several
        clues, one per article ("Which company is at the center of concerns from 'The Age' for
        manipulating search results…, is mentioned by 'TechCrunch' for…, is likely to win…?"),
        scores ~0 against every passage, since none answers all of it; against its clause
        "is also accused of manipulating search results for ad revenue" the passage that answers
        scores 1.00. The pipeline asks this only when no passage reaches the floor, so it costs
        nothing on the questions that do (on those that do not, one cross-encoder call over the
        sentences of the top-k passages and one per question part, counted in the "retrieve"
        timing). The order is left as retrieved. Without a reranker the hits are returned as they
        are: a cosine similarity is not on the reranker's scale."""
        if self.reranker is None or not hits:
            return list(hits)
        best = [hit.score for hit in hits]
        sentences = [[hit.chunk.text[s.start:s.end] for s in sentence_spans(hit.chunk.text)] for hit in hits]
        flat = [sentence for own in sentences for sentence in own]
        scores = self.reranker.score(query, flat) if flat else []
        at = 0
        for i, own in enumerate(sentences):
            best[i] = max([best[i], *scores[at:at + len(own)]])
            at += len(own)
        for part in question_parts(query):
            best = [max(b, s) for b, s in zip(best, self.reranker.score(part, [hit.chunk.text for hit in hits]))]
        return [replace(hit, score=score) for hit, score in zip(hits, best)]

    def _candidates(self, query: str, vector: list[float], pool: int, filters: SearchFilter) -> list[Hit]:
        dense = self.store.query(vector, pool, filters) if self.mode != "lexical" else []
        if self.mode == "dense" or self.lexical is None:
            return dense
        lexical = self.lexical.search(query, pool, filters)
        fused = lexical if self.mode == "lexical" else reciprocal_rank_fusion([dense, lexical])[:pool]
        known = {hit.chunk.chunk_id: hit.similarity for hit in dense}
        missing = [hit.chunk.chunk_id for hit in fused if hit.chunk.chunk_id not in known]
        known |= self.store.similarities(vector, missing)
        # A chunk BM25 still holds but the store no longer does was deleted meanwhile: it is left out.
        return [Hit(hit.chunk, known[hit.chunk.chunk_id], known[hit.chunk.chunk_id]) for hit in fused
                if hit.chunk.chunk_id in known]


# Where a question strung from several clues divides: commas (not those inside a figure, "10,000"),
# semicolons and the conjunctions that join its clauses ("…, is mentioned by 'TechCrunch' for …, and
# is accused by …"). An "and" inside a name ("Trade and Industry") splits it too; the parts are
# only asked as well as the whole question, never instead of it.
_PART_BREAK = re.compile(r"(?<!\d),|,(?!\d)|;|\b(?:and|while|whereas|but|as well as)\b", re.IGNORECASE)
MIN_PART_WORDS = 4  # shorter pieces ("as reported", "the U.S.") say too little to be asked alone


def question_parts(question: str) -> list[str]:
    """The clauses of a question of several parts, each long enough to ask alone; [] for a question
    of one part (that is the question itself, already asked)."""
    parts = [part.strip(" ?.!") for part in _PART_BREAK.split(question)]
    parts = [part for part in parts if len(part.split()) >= MIN_PART_WORDS]
    return parts if len(parts) > 1 else []


def _within(filters: SearchFilter, frame: TimeFrame) -> SearchFilter:
    """`filters` narrowed to the frame's publication window."""
    assert frame.start is not None and frame.end is not None
    start, end = frame.start.isoformat(), frame.end.isoformat()
    after = max(start, filters.published_after) if filters.published_after else start
    before = min(end, filters.published_before) if filters.published_before else end
    return replace(filters, published_after=after, published_before=max(after, before))


def _merged(first: Sequence[Hit], second: Sequence[Hit]) -> list[Hit]:
    seen = {hit.chunk.chunk_id for hit in first}
    return [*first, *(hit for hit in second if hit.chunk.chunk_id not in seen)]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hit]], k: int = RRF_K) -> list[Hit]:
    """Hits of several rankings merged by the sum of 1/(k + rank); the first copy of each hit is kept."""
    fused: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.chunk.chunk_id] = fused.get(hit.chunk.chunk_id, 0.0) + 1.0 / (k + rank)
            first.setdefault(hit.chunk.chunk_id, hit)
    order = sorted(fused, key=lambda cid: fused[cid], reverse=True)
    return [replace(first[cid], score=fused[cid]) for cid in order]


def _distinct(ranked: Sequence[Hit], top_k: int) -> list[Hit]:
    """The first `top_k` hits that are not near-copies of a better one from another article; a copy
    is attached to the hit it copies as a corroborating duplicate. A near-copy that gives another name,
    number or date is another account, not a copy: it stays a hit, so a disagreement can be seen."""
    kept: list[Hit] = []
    shingles: list[set[tuple[str, ...]]] = []
    for hit in ranked:
        own = _trigrams(hit.chunk.text)
        twin = next((i for i, other in enumerate(shingles)
                     if kept[i].chunk.article_id != hit.chunk.article_id and _overlap(own, other) >= DUPLICATE_OVERLAP
                     and not differs_in_a_value(kept[i].chunk.text, hit.chunk.text)), None)
        if twin is not None:
            kept[twin] = replace(kept[twin], duplicates=kept[twin].duplicates + (hit.chunk,))
        elif len(kept) < top_k:
            kept.append(hit)
            shingles.append(own)
    return kept


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(max(len(words) - 2, 1))}


def _overlap(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / max(min(len(a), len(b)), 1)

