"""The store's embedder tag: vectors from two embedders never share a collection."""

from __future__ import annotations

import pytest

from rag.articles import read_path
from rag.errors import IndexMismatch
from rag.fakes import HashingEmbedder
from rag.ingest import Indexer
from rag.services import Services, open_store
from rag.settings import Settings
from rag.types import Article


def _an_article(settings: Settings) -> Article:
    return read_path(sorted(settings.articles_dir.glob("*.txt"))[0])[0]


def test_a_fresh_store_re_indexes_cleanly_with_another_embedder(services: Services, settings: Settings) -> None:
    other = HashingEmbedder(dimension=128)  # another name, and even another dimension
    store = open_store(settings, other.name, fresh=True)
    assert store.count() == 0
    assert Indexer(other, store, settings.chunk_chars).index(_an_article(settings)).status == "added"
    assert open_store(settings, other.name).count() == store.count() > 0
    with pytest.raises(IndexMismatch, match="fake-hashing-128"):
        open_store(settings, services.indexer.embedder.name)


def test_an_empty_collection_takes_the_new_embedders_tag(settings: Settings) -> None:
    open_store(settings, "first-embedder")
    embedder = HashingEmbedder()
    store = open_store(settings, embedder.name)  # nothing indexed yet, so no vectors can mix
    Indexer(embedder, store, settings.chunk_chars).index(_an_article(settings))
    with pytest.raises(IndexMismatch, match="built with embedder 'fake-hashing-256'"):
        open_store(settings, "first-embedder")


def test_a_non_empty_collection_with_no_embedder_tag_is_refused(services: Services, settings: Settings) -> None:
    services.store._collection.modify(metadata={"made_by": "another tool"})  # modify() replaces the metadata
    with pytest.raises(IndexMismatch, match="unrecorded embedder"):
        open_store(settings, services.indexer.embedder.name)
