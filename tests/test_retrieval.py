"""Hybrid retrieval over real Chroma and real BM25 (tantivy), with the fake embedder."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from rag.errors import BadRequest
from rag.fakes import HashingEmbedder
from rag.filters import SearchFilter
from rag.ingest import Indexer
from rag.lexical import LexicalIndex
from rag.retrieval import question_parts, reciprocal_rank_fusion
from rag.services import Services, open_store
from rag.settings import Settings
from rag.timeref import time_frame
from rag.types import Article, Chunk, Hit

SEPTEMBER = "003_9141dd36a55c9439"


def _hit(cid: str, article: str = "a", text: str = "x", score: float = 0.5) -> Hit:
    return Hit(Chunk(cid, article, text, 0, len(text), 0, "t"), score, score)


def test_rrf_rewards_a_passage_both_rankings_agree_on() -> None:
    dense = [_hit("a"), _hit("b"), _hit("c")]
    lexical = [_hit("c"), _hit("d")]
    # c is in both; b and d tie at rank 2, in the order first seen
    assert [h.chunk.chunk_id for h in reciprocal_rank_fusion([dense, lexical])] == ["c", "a", "b", "d"]


def test_lexical_index_follows_every_add_update_and_delete(services: Services) -> None:
    lexical = services.pipeline.retriever.lexical
    assert lexical is not None
    article = Article("zz-new", "Zanzibar news", "The Zanzibar ferry carried 4123 passengers on Monday.")
    services.indexer.index(article)
    assert [h.chunk.article_id for h in lexical.search("Zanzibar ferry 4123", 3)][:1] == ["zz-new"]
    services.indexer.index(replace(article, text="The Zanzibar ferry was cancelled on Monday."))
    top = lexical.search("4123 passengers", 3)
    assert all(h.chunk.article_id != "zz-new" for h in top)
    services.indexer.delete("zz-new")
    assert all(h.chunk.article_id != "zz-new" for h in lexical.search("Zanzibar ferry", 5))


def test_single_characters_and_numbers_are_searchable(tmp_path: Path) -> None:
    store = open_store(Settings(index_dir=tmp_path, collection="numbers"), "fake-hashing-256")
    Indexer(HashingEmbedder(), store).index(Article("n", "Numbers", "Exactly 7 ships left. Nothing else happened."))
    assert LexicalIndex(store).search("7 ships", 1)[0].chunk.article_id == "n"


def test_hybrid_search_finds_an_exact_name_dense_search_blurs(services: Services) -> None:
    retriever = services.pipeline.retriever
    for mode in ("dense", "lexical", "hybrid"):
        hits = replace(retriever, mode=mode).search("Keir Starmer", 4)
        assert hits and all(isinstance(h.score, float) for h in hits)
    lexical_top = replace(retriever, mode="lexical").search("Keir Starmer", 1)[0]
    assert "Starmer" in lexical_top.chunk.text


def test_date_and_source_filters_apply_to_dense_and_lexical_results(services: Services) -> None:
    after = SearchFilter.checked(published_after="2025-09-01")
    for mode in ("dense", "lexical", "hybrid"):
        hits = replace(services.pipeline.retriever, mode=mode).search("reassurance force countries", 8, after)
        assert hits and {h.chunk.published >= "2025-09-01" for h in hits if h.chunk.published} == {True}
    nobody = SearchFilter.checked(source="No Such Outlet")
    assert services.pipeline.search("reassurance force", 4, nobody) == []


def test_bad_filters_are_rejected_by_name() -> None:
    with pytest.raises(BadRequest, match="published_after"):
        SearchFilter.checked(published_after="last week")
    with pytest.raises(BadRequest, match="later than"):
        SearchFilter.checked(published_after="2025-10-01", published_before="2025-09-01")


class _ByOrder:
    """A reranker that scores passages as the test says."""

    name = "by-order"

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def score(self, query: str, passages: list[str]) -> list[float]:
        return [next((s for key, s in self.scores.items() if key in p), 0.1) for p in passages]


def test_a_question_naming_a_month_prefers_articles_published_then(services: Services) -> None:
    hits = services.pipeline.search("How many countries committed to the reassurance force?", 8)
    march = next(h for h in hits if h.chunk.published and h.chunk.published.startswith("2025-03"))
    september = next(h for h in hits if h.chunk.article_id == SEPTEMBER)
    reranker = _ByOrder({march.chunk.text[:40]: 0.80, september.chunk.text[:40]: 0.70})
    # The reranker alone orders here (weight 1.0): the blend with the fused order has its own test.
    retriever = replace(services.pipeline.retriever, reranker=reranker, rerank_weight=1.0)
    plain = retriever.search("How many countries committed to the reassurance force?", 2)
    named = "How many countries committed to the reassurance force in September?"
    dated = retriever.search(named, 2, frame=time_frame(named, dt.date(2025, 12, 1)))
    assert plain[0].chunk.chunk_id == march.chunk.chunk_id
    assert dated[0].chunk.chunk_id == september.chunk.chunk_id
    assert dated[0].score == pytest.approx(0.70)  # the preference orders; it does not inflate relevance


def test_a_question_about_the_present_keeps_to_its_window_when_it_holds_a_relevant_passage(
        services: Services) -> None:
    question = "How many countries committed to the reassurance force this week?"
    hits = services.pipeline.search("How many countries committed to the reassurance force?", 8)
    march = next(h for h in hits if h.chunk.published and h.chunk.published.startswith("2025-03"))
    september = next(h for h in hits if h.chunk.article_id == SEPTEMBER)
    reranker = _ByOrder({march.chunk.text[:40]: 0.95, september.chunk.text[:40]: 0.30})
    retriever = replace(services.pipeline.retriever, reranker=reranker, rerank_weight=1.0)
    in_september = retriever.search(question, 8, frame=time_frame(question, dt.date(2025, 9, 6)))
    assert in_september[0].chunk.article_id == SEPTEMBER
    assert not any((h.chunk.published or "").startswith("2025-03") for h in in_september)
    in_march = retriever.search(question, 8, frame=time_frame(question, dt.date(2025, 3, 29)))
    assert in_march[0].chunk.chunk_id == march.chunk.chunk_id


def test_an_article_published_after_the_question_is_no_evidence(services: Services) -> None:
    hits = services.pipeline.search("How many countries committed to the reassurance force?", 8,
                                    SearchFilter(as_of="2025-04-01"))
    assert hits and not any(h.chunk.published and h.chunk.published > "2025-04-01" for h in hits)


def test_near_duplicate_passages_fold_into_one_hit_as_corroboration(services: Services) -> None:
    quote = ("The prime minister said the coalition of the willing would stand by Ukraine for as long as it takes, "
             "and that 26 countries had now signed up to the force.")
    services.indexer.index(Article("outlet-a", "Outlet A report", quote, published="2025-09-05", source="A"))
    services.indexer.index(Article("outlet-b", "Outlet B report", quote, published="2025-09-05", source="B"))
    hits = services.pipeline.search("coalition of the willing stand by Ukraine as long as it takes", 4)
    copies = [h for h in hits if h.chunk.article_id in ("outlet-a", "outlet-b")]
    assert len(copies) == 1 and len(hits) == 4
    assert [d.article_id for d in copies[0].duplicates] == [
        ({"outlet-a", "outlet-b"} - {copies[0].chunk.article_id}).pop()]


def test_a_near_copy_that_changes_a_name_is_another_account_not_a_copy(services: Services) -> None:
    quote = ("The prime minister said the coalition of the willing would meet at the Elysee Palace on Thursday, "
             "and that 26 countries had now signed up to the force.")
    services.indexer.index(Article("outlet-a", "Outlet A report", quote, published="2025-09-05", source="A"))
    services.indexer.index(Article("outlet-b", "Outlet B report", quote.replace("Elysee", "Matignon"),
                                   published="2025-09-05", source="B"))
    hits = services.pipeline.search("Where would the coalition of the willing meet on Thursday?", 4)
    both = [h for h in hits if h.chunk.article_id in ("outlet-a", "outlet-b")]
    assert len(both) == 2 and not any(h.duplicates for h in both)


def test_the_reranker_blends_with_the_fused_order_instead_of_overriding_it(services: Services) -> None:
    query = "How many countries committed to the reassurance force?"
    fused = replace(services.pipeline.retriever, reranker=None).search(query, 8)
    first, later = fused[0], fused[3]
    close = _ByOrder({first.chunk.text[:40]: 0.60, later.chunk.text[:40]: 0.62})
    clear = _ByOrder({first.chunk.text[:40]: 0.60, later.chunk.text[:40]: 0.99})
    assert replace(services.pipeline.retriever, reranker=close).search(query, 1)[0].chunk == first.chunk
    reranked = replace(services.pipeline.retriever, reranker=clear).search(query, 1)[0]
    assert reranked.chunk == later.chunk and reranked.score == pytest.approx(0.99)


def test_a_passage_is_rescored_by_the_best_of_its_own_and_its_best_sentences_relevance(
        services: Services) -> None:
    def passage(text: str, score: float, shown: tuple[int, int] | None = None) -> Hit:
        return Hit(Chunk(f"c{score}", "a", text, 0, len(text), 0, "Title"), score, 0.5, shown=shown)

    class Asked(_ByOrder):
        def __init__(self, scores: dict[str, float]) -> None:
            super().__init__(scores)
            self.queries: list[str] = []

        def score(self, query: str, passages: list[str]) -> list[float]:
            self.queries.append(query)
            return super().score(query, passages)

    hits = [passage("Drones hit the airfield. Illia Novikov reported from Kyiv.", 0.05, shown=(0, 24)),
            passage("The summit opened on Thursday.", 0.3), passage("", 0.02)]
    reranker = Asked({"Novikov": 0.98, "summit": 0.2})
    retriever = replace(services.pipeline.retriever, reranker=reranker)
    rescored = retriever.by_best_part("Who reported from Kyiv?", hits)
    assert [hit.score for hit in rescored] == [0.98, 0.3, 0.02]  # own 0.3 beats its sentence's 0.2; no sentence: own
    assert rescored[0].shown == (0, 24) and rescored[0].chunk == hits[0].chunk
    assert reranker.queries == ["Who reported from Kyiv?"]  # one call for every sentence of every passage
    assert replace(services.pipeline.retriever, reranker=None).by_best_part("Who?", hits) == hits
    assert retriever.by_best_part("Who?", []) == []
    assert retriever.by_best_part("Who?", [hits[2]]) == [hits[2]] and len(reranker.queries) == 1  # nothing to score


def test_a_question_of_several_clues_divides_into_clauses_long_enough_to_ask_alone() -> None:
    question = ("Which company is at the center of concerns from 'The Age' for manipulating search results, "
                "is mentioned by TechCrunch for its video platform, and is likely to win a court case?")
    assert question_parts(question) == ["Which company is at the center of concerns from 'The Age' for manipulating "
                                        "search results", "is mentioned by TechCrunch for its video platform",
                                        "is likely to win a court case"]
    assert question_parts("Who reported from Kyiv, Ukraine?") == []  # "Ukraine" alone is too short: one part
    assert question_parts("Did the 10,000 troops of the force arrive; did the new aid package land?") == [
        "Did the 10,000 troops of the force arrive", "did the new aid package land"]
    assert question_parts("Who hosted the summit in Paris While the talks went on elsewhere in Europe?") == [
        "Who hosted the summit in Paris", "the talks went on elsewhere in Europe"]
    assert question_parts("Which outlet wrote about the airfield strike but ignored the Black Sea deal?") == [
        "Which outlet wrote about the airfield strike", "ignored the Black Sea deal"]
    assert question_parts("How many countries committed to the reassurance force?") == []


def test_a_passage_answering_one_clause_of_the_question_is_scored_by_that_clause(services: Services) -> None:
    class ByClause:
        name = "by-clause"

        def __init__(self) -> None:
            self.queries: list[str] = []

        def score(self, query: str, passages: list[str]) -> list[float]:
            self.queries.append(query)
            return [0.97 if query.startswith("is accused") and "publishers" in p else 0.01 for p in passages]

    hits = [Hit(Chunk(f"c{n}", "a", text, 0, len(text), 0, "Title"), 0.01, 0.5)
            for n, text in enumerate(["News publishers sued Google over search.", "Apple sold phones."])]
    reranker = ByClause()
    retriever = replace(services.pipeline.retriever, reranker=reranker)
    question = "Which company runs a video site, is accused by news publishers of harming them, and makes phones?"
    assert [hit.score for hit in retriever.by_best_part(question, hits)] == [0.97, 0.01]
    # One call for the sentences against the whole question, then one per part of four words or more.
    assert reranker.queries == [question, "Which company runs a video site",
                                "is accused by news publishers of harming them"]
