"""BM25 (tantivy) follows the store write by write, and catches up with it after a crash, another
writer or an index folder of the earlier format; real Chroma, the fake embedder."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rag import lexical_sync
from rag.fakes import HashingEmbedder
from rag.filters import SearchFilter
from rag.ingest import Indexer
from rag.lexical import LexicalIndex
from rag.lexical_sync import Sync
from rag.services import open_lexical, open_store
from rag.settings import Settings
from rag.store import ChromaStore
from rag.types import Article

FERRY = Article("ferry", "Zanzibar news", "The Zanzibar ferry carried 4123 passengers on Monday.",
                published="2025-09-01", source="Island Times")
QUOKKA = Article("quokka", "Rottnest", "Quokkas are marsupials on Rottnest Island.")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", collection="lexical", embed_model="fake-hashing")


@pytest.fixture
def store(settings: Settings) -> ChromaStore:
    return open_store(settings, HashingEmbedder().name)


def _reads(store: ChromaStore, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the store is read for more than a count, by method name."""
    calls: Counter[str] = Counter()
    for name in ("all_chunks", "chunk_ids", "chunks_by_id"):
        method = getattr(store, name)

        def counted(*args: Any, _name: str = name, _method: Any = method) -> Any:
            calls[_name] += 1
            return _method(*args)

        monkeypatch.setattr(store, name, counted)
    return calls


def _ids(hits: list[Any]) -> list[str]:
    return [hit.chunk.article_id for hit in hits]


def test_adding_replacing_and_deleting_articles_update_bm25_without_reading_the_store(
        settings: Settings, store: ChromaStore, monkeypatch: pytest.MonkeyPatch) -> None:
    lexical = open_lexical(settings, store)
    indexer = Indexer(HashingEmbedder(), store, lexical=lexical)
    indexer.index(QUOKKA)
    reads = _reads(store, monkeypatch)
    indexer.index(FERRY)
    assert _ids(lexical.search("Zanzibar ferry 4123", 3)) == ["ferry"]
    indexer.index(Article("ferry", FERRY.title, "The Zanzibar ferry was cancelled on Monday."))
    assert lexical.search("4123 passengers", 3) == [] and _ids(lexical.search("cancelled", 3)) == ["ferry"]
    indexer.delete("ferry")
    assert lexical.search("Zanzibar ferry", 3) == [] and _ids(lexical.search("quokkas", 3)) == ["quokka"]
    assert reads == Counter()  # every change came from the indexer; no search re-read the store


def test_an_index_reopened_in_step_reads_only_the_store_s_ids(
        settings: Settings, store: ChromaStore, monkeypatch: pytest.MonkeyPatch) -> None:
    indexer = Indexer(HashingEmbedder(), store, lexical=open_lexical(settings, store))
    for article in (FERRY, QUOKKA):
        indexer.index(article)
    reads = _reads(store, monkeypatch)
    assert _ids(open_lexical(settings, store).search("marsupials", 3)) == ["quokka"]
    assert reads == Counter(chunk_ids=1)


def test_another_writer_s_articles_are_caught_up_by_id(settings: Settings, store: ChromaStore,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical_sync, "RECHECK_SECONDS", 0.0)  # every search compares the counts
    lexical = open_lexical(settings, store)
    Indexer(HashingEmbedder(), store, lexical=lexical).index(QUOKKA)
    other = Indexer(HashingEmbedder(), store)  # writes the store and does not tell this index
    other.index(FERRY)
    reads = _reads(store, monkeypatch)
    assert _ids(lexical.search("Zanzibar ferry", 3)) == ["ferry"]
    assert reads == Counter(chunk_ids=1, chunks_by_id=1)  # the new chunk's text alone is read
    other.delete("quokka")
    assert lexical.search("quokkas", 3) == []


def test_a_write_that_dies_before_bm25_s_commit_is_caught_up_from_the_store(
        settings: Settings, store: ChromaStore, monkeypatch: pytest.MonkeyPatch) -> None:
    indexer = Indexer(HashingEmbedder(), store, lexical=open_lexical(settings, store))
    indexer.index(FERRY)
    write = Sync.write

    def dies(self: Sync, *args: Any) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(Sync, "write", dies)
    with pytest.raises(RuntimeError, match="killed"):  # the same chunk ids with other text: counts agree
        indexer.index(Article("ferry", FERRY.title, "The Zanzibar ferry was cancelled on Monday."))
    monkeypatch.setattr(Sync, "write", write)
    pending = settings.index_dir / "bm25" / settings.collection / "pending.json"
    assert pending.exists()
    reopened = open_lexical(settings, store)  # as the next process would
    assert _ids(reopened.search("cancelled", 3)) == ["ferry"] and reopened.search("4123", 3) == []
    assert not pending.exists()


def test_a_folder_of_the_earlier_bm25s_index_is_replaced_by_one_built_from_the_store(
        settings: Settings, store: ChromaStore) -> None:
    Indexer(HashingEmbedder(), store).index(FERRY)
    folder = settings.index_dir / "bm25" / settings.collection
    folder.mkdir(parents=True)
    (folder / "fingerprint.json").write_text('{"fingerprint": "0"}')
    (folder / "params.index.json").write_text("{}")
    assert _ids(open_lexical(settings, store).search("ferry", 3)) == ["ferry"]
    assert sorted(p.name for p in folder.iterdir()) == ["format", "tantivy"]


def test_query_text_of_any_shape_is_searched_as_its_words(store: ChromaStore) -> None:
    Indexer(HashingEmbedder(), store).index(FERRY)
    lexical = LexicalIndex(store)
    for query in ('"Zanzibar" AND ferry:', "(ferry) [4123] {x}", "ZANZIBAR's ferries!", "ferry -Monday^2 ~"):
        assert _ids(lexical.search(query, 3)) == ["ferry"], query
    assert lexical.search("the and of a", 3) == [] and lexical.search("Kraków Ελλάδα", 3) == []
    assert lexical.search("", 3) == [] and lexical.search("ferry", 0) == []


def test_filters_keep_or_drop_undated_chunks_as_the_vector_search_does(store: ChromaStore) -> None:
    indexer = Indexer(HashingEmbedder(), store)
    indexer.index(FERRY)
    indexer.index(Article("undated", "Ferry", "Another Zanzibar ferry, date unknown."))
    lexical = LexicalIndex(store)

    def found(**filters: str) -> set[str]:
        return set(_ids(lexical.search("Zanzibar ferry", 5, SearchFilter(**filters))))

    assert found() == {"ferry", "undated"}
    assert found(published_after="2025-08-01") == found(published_before="2025-12-01") == {"ferry"}
    assert found(published_after="2025-09-02") == set() and found(as_of="2025-08-31") == {"undated"}
    assert found(as_of="2025-09-01") == {"ferry", "undated"}
    assert found(source="island  TIMES") == {"ferry"} and found(source="Other") == set()
    assert all(hit.score > 0 and hit.similarity == 0.0 for hit in lexical.search("ferry", 5))


def test_two_processes_on_one_folder_take_turns_writing_and_see_each_other_s_commits(
        settings: Settings, store: ChromaStore) -> None:
    # Two indexes on one folder stand for two processes (a server and `python -m index`): each opens
    # tantivy's writer for one write only, and a search reloads whatever the other committed.
    server, builder = open_lexical(settings, store), open_lexical(settings, store)
    Indexer(HashingEmbedder(), store, lexical=server).index(QUOKKA)
    assert _ids(builder.search("quokkas", 3)) == ["quokka"]
    Indexer(HashingEmbedder(), store, lexical=builder).index(FERRY)
    assert _ids(server.search("Zanzibar ferry", 3)) == ["ferry"]
    Indexer(HashingEmbedder(), store, lexical=server).delete("ferry")
    assert builder.search("Zanzibar ferry", 3) == []
