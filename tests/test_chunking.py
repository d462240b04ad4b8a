import pytest

from rag.articles import make_article, read_path
from rag.chunking import chunk_article, reassemble, sentence_spans
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
