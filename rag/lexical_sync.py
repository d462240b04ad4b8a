"""The BM25 index's tantivy side: kept on disk (or in memory), written by one process at a time, and
caught up from the store whenever the two may disagree.

They may disagree after a crash between the store's write and tantivy's commit, after another
process wrote the store (a Chroma server shared with an index kept elsewhere), or when the folder
holds something else (the earlier bm25s index): then the store's chunk ids (an ids-only read) are
compared with the index's, and only the missing chunks are read and added, the extra ones deleted.
Each write first records the ids it touches (`pending.json`), so a crash that leaves the same ids
with other text is caught up too. When nothing disagrees, a check costs one count of the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rag.store import ChromaStore
from rag.types import Chunk

log = logging.getLogger(__name__)

ANALYZER = "news_english"  # the text field's analyzer, registered on the index under this name
# Bump when the schema or the analyzer changes: a folder of another format is rebuilt from the store.
FORMAT = "tantivy-1"
_HEAP = 50_000_000  # the writer's indexing memory (tantivy's floor is 15 MB per thread)
_BATCH = 10_000  # chunks per commit when catching up, so a long catch-up killed part-way keeps its progress
# How often a search compares the store's chunk count with the index's, for writers that do not tell
# this index (another process on a shared Chroma server): Chroma counts row by row, 4 ms at 100,000
# chunks and more after writes, against ~1 ms for the BM25 search itself (bench/lexical.py).
RECHECK_SECONDS = 5.0


def chunk_key(chunk_id: str) -> int:
    """A chunk id as an unsigned 64-bit number: tantivy reads numbers of every document in bulk (fast
    fields), not strings. Two of a million ids share one with a probability of about 3e-8."""
    return int.from_bytes(hashlib.blake2b(chunk_id.encode(), digest_size=8).digest(), "big")


class Sync:
    """One tantivy index of a store's chunks, and what keeps the two in step."""

    def __init__(self, store: ChromaStore, index: Any, document: Callable[[Chunk], Any],
                 directory: Path | None) -> None:
        self.index = index
        self._store = store
        self._document = document
        self._directory = directory
        self._pending: set[str] = set()  # ids of a write of this process that failed before its commit
        self._checked = time.monotonic()  # when the counts were last compared (opening compares the ids)

    @classmethod
    def open(cls, store: ChromaStore, directory: Path | None, schema: Any, analyzer: Any,
             document: Callable[[Chunk], Any]) -> Sync:
        """The index in `directory` (made or replaced as needed; None: in memory), caught up with `store`."""
        from tantivy import Index

        with _process_lock(directory, wait=True):
            if directory is None:
                index = Index(schema)
            else:
                _clear_unless_current(directory)
                index = Index(schema, path=str(directory / "tantivy"))
                (directory / "format").write_text(FORMAT)
            index.register_tokenizer(ANALYZER, analyzer)
            index.config_reader("Manual")  # reloaded after each commit and before each check, not on a timer
            sync = cls(store, index, document, directory)
            sync._reconcile()
        return sync

    def catch_up(self, wait: bool, now: bool) -> None:
        """Reconcile with the store if the chunk counts differ or a write was left unfinished, checked at
        most every RECHECK_SECONDS unless `now`; `wait`: for another process's write in progress (else
        leave it, its commit is seen on the next check)."""
        self.index.reload()  # another process's commits to this folder (cheap when there are none)
        if not (now or self._pending) and time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        self._checked = time.monotonic()
        if self._store.count() == self.index.searcher().num_docs and not self._unfinished():
            return
        with _process_lock(self._directory, wait) as held:
            if held:
                self.index.reload()
                self._reconcile()

    @contextlib.contextmanager
    def writing(self, ids: Sequence[str]) -> Iterator[None]:
        """Held around one write of the store and of this index: `ids` are recorded until it completes."""
        with _process_lock(self._directory, wait=True):
            self._pending |= set(ids)
            self._save_pending()
            yield
            self._pending -= set(ids)
            self._save_pending()

    def write(self, added: Sequence[Chunk], removed_keys: Iterable[int]) -> None:
        """Replace or add `added`, delete the chunks of `removed_keys`, in one commit."""
        from tantivy import Query

        # A replaced chunk's old version goes too. A delete applies to the documents added before it only,
        # and must be a query: delete_documents_by_term reads a Python int as a signed term.
        gone = {*removed_keys, *(chunk_key(chunk.chunk_id) for chunk in added)}
        writer = self.index.writer(heap_size=_HEAP, num_threads=1)  # one thread: the machine is shared
        try:
            if gone:
                writer.delete_documents_by_query(Query.term_set_query(self.index.schema, "key", sorted(gone)))
            for chunk in added:
                writer.add_document(self._document(chunk))
            writer.commit()
            writer.wait_merging_threads()  # and frees tantivy's writer lock for the next writer
        finally:
            del writer
        self.index.reload()

    def _reconcile(self) -> None:
        wanted = {chunk_key(cid): cid for cid in self._store.chunk_ids()}
        held = self._held_keys()
        pending = self._pending | self._pending_on_disk()
        fetch = sorted({cid for key, cid in wanted.items() if key not in held} | (pending & set(wanted.values())))
        extra = held - wanted.keys()
        if fetch or extra:
            log.info("BM25 index: catching up with the store (%d chunks to add or re-read, %d to delete)",
                     len(fetch), len(extra))
        if extra and not fetch:
            self.write([], extra)
        for i in range(0, len(fetch), _BATCH):
            batch = fetch[i:i + _BATCH]  # an id the store dropped meanwhile goes from here too
            self.write(self._store.chunks_by_id(batch), {*map(chunk_key, batch), *(extra if i == 0 else ())})
        self._pending.clear()
        self._save_pending()

    def _held_keys(self) -> set[int]:
        from tantivy import Query

        searcher = self.index.searcher()
        if searcher.num_docs == 0:
            return set()
        addresses = [address for _, address in searcher.search(Query.all_query(), searcher.num_docs, count=False).hits]
        return {int(key) for key in searcher.fast_field_values("key", addresses) if key is not None}

    def _unfinished(self) -> bool:
        """Whether a write (this process's, or a crashed one's) may have reached the store and not the index."""
        return bool(self._pending) or (self._directory is not None and (self._directory / "pending.json").exists())

    def _pending_on_disk(self) -> set[str]:
        if self._directory is None or not (self._directory / "pending.json").exists():
            return set()
        return set(json.loads((self._directory / "pending.json").read_text()))

    def _save_pending(self) -> None:
        if self._directory is None:
            return
        path = self._directory / "pending.json"
        if not self._pending:
            path.unlink(missing_ok=True)
            return
        staging = path.with_suffix(".tmp")
        with staging.open("w") as out:
            json.dump(sorted(self._pending), out)
            out.flush()
            os.fsync(out.fileno())  # on disk before the store's write begins
        staging.replace(path)


def _clear_unless_current(directory: Path) -> None:
    """Empty `directory` unless it holds a tantivy index of this FORMAT (the bm25s index was kept there)."""
    from tantivy import Index

    marker, path = directory / "format", directory / "tantivy"
    if marker.exists() and marker.read_text() == FORMAT and Index.exists(str(path)) and Index.is_compatible(str(path)):
        return
    if directory.exists():
        log.info("BM25 index: %s holds another format; rebuilding it from the store", directory)
        shutil.rmtree(directory)
    path.mkdir(parents=True)


@contextlib.contextmanager
def _process_lock(directory: Path | None, wait: bool) -> Iterator[bool]:
    """One writer of the folder across processes; yields whether it is held (always, when `wait`)."""
    if directory is None:
        yield True
        return
    import fasteners

    directory.parent.mkdir(parents=True, exist_ok=True)
    lock = fasteners.InterProcessLock(str(directory.parent / f"{directory.name}.lock"))
    held = lock.acquire(blocking=wait)
    try:
        yield bool(held)
    finally:
        if held:
            lock.release()
