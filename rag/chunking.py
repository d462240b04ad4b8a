"""Split an article's clean text into chunks of whole sentences, keeping exact character offsets."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rag.types import Article, Chunk


@dataclass(frozen=True)
class Span:
    start: int
    end: int


_PER_THREAD = threading.local()


def _segmenter():  # type: ignore[no-untyped-def]
    """This thread's pysbd segmenter: a Segmenter keeps the text it is splitting on itself, so two threads
    sharing one (two uploads at once) corrupt each other's sentences; one article came out with none."""
    segmenter = getattr(_PER_THREAD, "segmenter", None)
    if segmenter is None:
        import pysbd

        # clean=False keeps the text untouched so that char_span offsets stay exact.
        segmenter = _PER_THREAD.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


def sentence_spans(text: str) -> list[Span]:
    """Sentences as (start, end) offsets into `text`; paragraphs never share a sentence."""
    spans: list[Span] = []
    offset = 0
    for paragraph in text.split("\n"):
        if paragraph.strip():
            spans.extend(_paragraph_sentences(paragraph, offset))
        offset += len(paragraph) + 1
    return spans


def _paragraph_sentences(paragraph: str, offset: int) -> list[Span]:
    spans = []
    for piece in _segmenter().segment(paragraph):
        # pysbd spans carry trailing whitespace; trim both ends so `text[start:end]` is the sentence.
        start, end = piece.start, piece.end
        while start < end and paragraph[start].isspace():
            start += 1
        while end > start and paragraph[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append(Span(offset + start, offset + end))
    return spans


def bounded(spans: list[Span], text: str, max_chars: int) -> list[Span]:
    """`spans`, with each one longer than `max_chars` cut at the last space before the bound (or at the
    bound, when there is none): one 28,000-character "sentence" must not become one chunk, since no
    prompt could hold it."""
    out: list[Span] = []
    for span in spans:
        start = span.start
        while span.end - start > max_chars:
            cut = text.rfind(" ", start + 1, start + max_chars + 1)
            cut = cut if cut > start else start + max_chars
            out.append(Span(start, len(text[:cut].rstrip())))
            start = cut
            while start < span.end and text[start].isspace():
                start += 1
        if span.end > start:
            out.append(Span(start, span.end))
    return out


def chunk_article(article: Article, max_chars: int = 600) -> list[Chunk]:
    """Pack consecutive sentences into chunks of at most `max_chars`; a longer sentence is cut into
    pieces of at most `max_chars` (`bounded`)."""
    text = article.text
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    if 0 < end - start <= max_chars:
        # The whole text fits one chunk: no need to find its sentences. On article text this is the
        # chunk packing them makes (first sentence's start to last one's end); where sentence
        # splitting would drop a punctuation-only tail (" ?!"), the chunk keeps it. (Most MultiHop-RAG
        # articles are this short; sentence splitting was ~10% of indexing them.)
        return [_make_chunk(article, 0, start, end)]
    groups: list[list[Span]] = []
    for span in bounded(sentence_spans(article.text), text, max_chars):
        if groups and span.end - groups[-1][0].start <= max_chars:
            groups[-1].append(span)
        else:
            groups.append([span])
    return [_make_chunk(article, position, group[0].start, group[-1].end)
            for position, group in enumerate(groups)]


def _make_chunk(article: Article, position: int, start: int, end: int) -> Chunk:
    return Chunk(
        chunk_id=f"{article.article_id}:{start}-{end}",
        article_id=article.article_id,
        text=article.text[start:end],
        start=start,
        end=end,
        position=position,
        title=article.title,
        published=article.published,
        source=article.source,
        url=article.url,
        page=article.page_at(start),
    )


def reassemble(chunks: list[Chunk]) -> str:
    """An article's clean text rebuilt from its chunks, exact at every chunk offset.

    `clean_text` separates sentences by one space and paragraphs by one blank line, so the gap
    between consecutive chunks is either " " or "\\n\\n".
    """
    parts: list[str] = []
    cursor = 0
    for chunk in sorted(chunks, key=lambda c: c.start):
        gap = chunk.start - cursor
        parts.append("\n\n" if gap == 2 else " " * gap)
        parts.append(chunk.text)
        cursor = chunk.end
    return "".join(parts)
