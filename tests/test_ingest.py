"""Indexing against real embedded Chroma, with the deterministic embedder."""

from dataclasses import replace

import pytest

from rag.errors import DocumentNotFound, IndexMismatch
from rag.fakes import HashingEmbedder
from rag.services import Services, open_store
from rag.settings import Settings
from rag.types import Article

ARTICLE = Article(article_id="doc-1", title="Doc", text="First sentence here. Second one follows.\n\nA new paragraph.")


def test_reindexing_an_unchanged_article_changes_nothing(services: Services) -> None:
    before = services.store.count()
    first = services.indexer.index(ARTICLE)
    again = services.indexer.index(ARTICLE)
    assert (first.status, again.status) == ("added", "unchanged")
    assert services.store.count() == before + first.chunks


def test_an_edited_article_replaces_its_old_chunks(services: Services) -> None:
    services.indexer.chunk_chars = 30
    services.indexer.index(ARTICLE)
    edited = replace(ARTICLE, text="Completely different text now.")
    outcome = services.indexer.index(edited)
    assert outcome.status == "updated"
    assert [c.text for c in services.store.chunks("doc-1")] == ["Completely different text now."]


def test_deleting_an_article_removes_every_chunk(services: Services) -> None:
    services.indexer.index(ARTICLE)
    assert services.indexer.delete("doc-1") > 0
    assert services.store.chunks("doc-1") == []
    with pytest.raises(DocumentNotFound, match="doc-1"):
        services.indexer.delete("doc-1")


def test_metadata_survives_the_round_trip(services: Services) -> None:
    services.indexer.index(replace(ARTICLE, published="2025-09-04", source="AP", url="https://x/y"))
    [summary] = [s for s in services.store.articles() if s.article_id == "doc-1"]
    assert (summary.published, summary.source, summary.url, summary.title) == ("2025-09-04", "AP", "https://x/y", "Doc")


def test_an_index_built_by_another_embedder_is_refused(services: Services, settings: Settings) -> None:
    with pytest.raises(IndexMismatch, match="fake-hashing-256"):
        open_store(settings, "another-embedder")


def test_chroma_is_never_asked_to_embed_text_itself(services: Services) -> None:
    # Chroma's default embedding function would try to download a model: ours refuses loudly.
    with pytest.raises(Exception, match="passes embeddings explicitly"):
        services.store._collection.query(query_texts=["anything"], n_results=1)


def test_the_store_reopens_with_what_was_indexed(services: Services, settings: Settings) -> None:
    count = services.store.count()
    assert open_store(settings, HashingEmbedder().name).count() == count > 0


def test_many_articles_are_indexed_in_groups_with_one_outcome_each(services: Services) -> None:
    articles = [Article(f"zz-{i}", f"Story {i}", f"Sentence number {i} about the harbour. " * (1 + i % 3))
                for i in range(40)]
    indexer = replace(services.indexer, batch_chunks=8)
    outcomes = list(indexer.index_all(articles))
    assert [(o.article_id, o.status) for o in outcomes] == [(f"zz-{i}", "added") for i in range(40)]
    assert all(services.store.chunk_hashes(a.article_id) for a in articles)
    assert {o.status for o in indexer.index_all(articles)} == {"unchanged"}


def test_two_versions_of_one_article_in_one_batch_leave_only_the_second(services: Services) -> None:
    long = Article("zz-twice", "Twice", "The first version is long. " * 60)
    short = replace(long, text="The second version is short.")
    outcomes = list(services.indexer.index_all([long, short]))
    assert [o.status for o in outcomes] == ["added", "updated"]
    assert [c.text for c in services.store.chunks("zz-twice")] == ["The second version is short."]
