import pytest

from rag.articles import make_article, read_path
from rag.chunking import chunk_article, reassemble, sentence_spans
from rag.errors import BadArticle
from tests.conftest import SEED_DIR


@pytest.mark.parametrize("path", sorted(SEED_DIR.glob("*.txt")), ids=lambda p: p.stem)
def test_chunk_offsets_point_at_the_chunk_text_and_rebuild_the_article(path) -> None:  # type: ignore[no-untyped-def]
    [article] = read_path(path)
    chunks = chunk_article(article, max_chars=600)
    assert chunks
    for chunk in chunks:
        assert article.text[chunk.start:chunk.end] == chunk.text
        assert chunk.chunk_id == f"{article.article_id}:{chunk.start}-{chunk.end}"
    assert reassemble(chunks) == article.text


def test_chunks_hold_whole_sentences_within_the_size_limit() -> None:
    article = make_article("a", "One short sentence. " * 40 + "\n\nU.S. officials met on Sept. 4. They agreed.")
    chunks = chunk_article(article, max_chars=120)
    assert all(len(c.text) <= 120 for c in chunks)
    ends = {s.end for s in sentence_spans(article.text)}
    assert all(c.end in ends for c in chunks)


def test_abbreviations_do_not_split_sentences() -> None:
    text = "U.S. officials met on Sept. 4 in Paris. They agreed."
    assert [text[s.start:s.end] for s in sentence_spans(text)] == ["U.S. officials met on Sept. 4 in Paris.",
                                                                   "They agreed."]


def test_chunk_ids_are_deterministic() -> None:
    [article] = read_path(SEED_DIR / "001_0d6942e559b954e6.txt")
    assert [c.chunk_id for c in chunk_article(article)] == [c.chunk_id for c in chunk_article(article)]


@pytest.mark.parametrize("max_chars", [200, 600, 5000])
def test_a_text_that_fits_one_chunk_is_chunked_as_its_sentences_would_be(max_chars: int) -> None:
    """The one-chunk shortcut skips sentence splitting; on real article text its chunk is the one packing
    the sentences makes."""
    texts = [p.read_text() for p in sorted(SEED_DIR.glob("*.txt"))]
    texts += [paragraph for text in texts for paragraph in text.split("\n\n")]
    texts += ["  One sentence.  Another one. ", "\n\nFirst paragraph.\n\nSecond paragraph ends here\n", "No full stop"]
    for text in texts:
        try:
            article = make_article("a", text, title="A title")
        except BadArticle:  # boilerplate alone ("ALSO READ: ..."), which cleaning removes
            continue
        spans = sentence_spans(article.text)
        if not spans or spans[-1].end - spans[0].start > max_chars:
            continue
        [chunk] = chunk_article(article, max_chars)
        assert (chunk.start, chunk.end) == (spans[0].start, spans[-1].end)
        assert chunk.text == article.text[chunk.start:chunk.end]


def test_the_one_chunk_shortcut_keeps_a_tail_sentence_splitting_would_drop() -> None:
    """pysbd leaves a punctuation-only tail out of every sentence (" ?!"); the shortcut's chunk is the
    whole text, so nothing of a short article is lost (its chunk id differs from the packing's)."""
    article = make_article("a", "Shares rose 3% on Tuesday. ?!", title="A title")
    spans = sentence_spans(article.text)
    assert spans[-1].end < len(article.text)
    [chunk] = chunk_article(article, 600)
    assert chunk.text == article.text


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces_with_exact_offsets() -> None:
    text = "Short opener. " + " ".join(f"word{i}" for i in range(3000)) + " end."
    article = make_article("long", text)
    chunks = chunk_article(article, 600)
    assert len(chunks) > 20 and max(len(c.text) for c in chunks) <= 600
    assert all(article.text[c.start:c.end] == c.text and not c.text.startswith(" ") for c in chunks)
    assert reassemble(chunks) == article.text
    unbroken = chunk_article(make_article("solid", "x" * 1500), 600)  # no space to cut at: cut at the bound
    assert [len(c.text) for c in unbroken] == [600, 600, 300]


def test_sentences_are_found_alike_when_threads_chunk_at_once() -> None:
    """Uploads are chunked in the server's worker threads, several at a time."""
    import threading

    from rag.articles import make_article

    articles = [make_article(f"a{i}", " ".join(f"Report {i} says part {n} is done." for n in range(40 + 7 * i)))
                for i in range(6)]
    alone = {a.article_id: chunk_article(a, 600) for a in articles}
    together: dict[str, list[object]] = {}

    def chunk(article: object) -> None:
        for _ in range(5):
            together[article.article_id] = chunk_article(article, 600)  # type: ignore[attr-defined]

    threads = [threading.Thread(target=chunk, args=(a,)) for a in articles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert together == alone
