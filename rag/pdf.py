"""Read a PDF into an article: its text in reading order, page by page, with where each page starts.

Extraction is PDFium's (pypdfium2), chosen by measurement over pypdf, pypdf's layout mode and
pdfplumber on a two-column report with a running header, footer and a table (tests/data/pdf): it
kept all 60 sentences whole and in order, as pypdf did, where the others broke 14–17 of them, at
about 1 ms a page against pypdf's 11 (docs/how-it-works.md).

- Lines are joined into paragraphs; a line break ends a paragraph only after a sentence-final mark
  on a short line, or around a short line without one (a heading). A word hyphenated across lines by
  a soft hyphen is joined.
- A running header or footer (a top or bottom line that recurs on most pages, its numbers aside) is
  dropped, so "Page 3 · The Gazette" is no sentence of the story.
- A page with no text left (a scanned image) is no part of the text; the pages without text are
  named in a warning, and a PDF with none is refused by name.
- The title and date come from the PDF's metadata when it has them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from rag.errors import BadArticle

log = logging.getLogger(__name__)

_SOFT_HYPHEN = re.compile(r"[\u00ad\x02]\s*\n\s*")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]$")
_DIGITS = re.compile(r"\d+")
SHORT_LINE = 0.75  # of the page's median line length: a line this short ends its paragraph
EDGE_LINES = 2  # how many lines at a page's top and bottom may be a running header or footer


@dataclass(frozen=True)
class PdfText:
    text: str
    page_starts: tuple[int, ...]  # offset in `text` where each page with text begins
    page_numbers: tuple[int, ...]  # the 1-based page number of each of those pages
    empty_pages: tuple[int, ...]  # pages without text (scanned images)
    title: str | None
    published: str | None


def read_pdf(raw: bytes, filename: str) -> PdfText:
    """The text of a PDF file's pages; BadArticle naming the problem when it is no PDF or has no text."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise BadArticle(f"{filename}: not a readable PDF ({exc})") from None
    try:
        pages = [_lines(document[i].get_textpage().get_text_range()) for i in range(len(document))]
        metadata = document.get_metadata_dict()
    finally:
        document.close()
    pages = _without_running_lines(pages)
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    empty: list[int] = []
    offset = 0
    for number, lines in enumerate(pages, start=1):
        body = _paragraphs(lines)
        if not body:
            empty.append(number)
            continue
        if parts:  # a sentence running on from the page before continues; otherwise a new paragraph
            joint = "\n\n" if _SENTENCE_END.search(parts[-1]) else " "
            parts.append(joint)
            offset += len(joint)
        starts.append(offset)
        numbers.append(number)
        parts.append(body)
        offset += len(body)
    if not parts:
        raise BadArticle(f"{filename}: no text on any of its {len(pages)} pages (scanned images? "
                         "run OCR on it first)")
    if empty:
        log.warning("%s: pages without text (scanned images?), not indexed: %s", filename,
                    ", ".join(map(str, empty)))
    return PdfText("".join(parts), tuple(starts), tuple(numbers), tuple(empty),
                   (metadata.get("Title") or "").strip() or None, _pdf_date(metadata.get("CreationDate", "")))


def _lines(page_text: str) -> list[str]:
    text = _SOFT_HYPHEN.sub("", page_text.replace("\r\n", "\n").replace("\r", "\n"))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Pages without the lines at their top or bottom that recur, numbers aside, on most pages."""
    if len(pages) < 2:
        return pages
    counts = Counter(_DIGITS.sub("#", line) for lines in pages
                     for line in {*lines[:EDGE_LINES], *lines[-EDGE_LINES:]})
    running = {line for line, n in counts.items() if n >= max(2, len(pages) // 2 + 1)}
    out = []
    for lines in pages:
        edge = set(range(min(EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - EDGE_LINES), len(lines)))
        out.append([line for i, line in enumerate(lines) if not (i in edge and _DIGITS.sub("#", line) in running)])
    return out


def _paragraphs(lines: list[str]) -> str:
    """A page's lines as paragraphs separated by blank lines."""
    if not lines:
        return ""
    typical = statistics.median(len(line) for line in lines)
    paragraphs: list[list[str]] = [[]]
    in_heading = False  # a heading wrapped over several short lines stays one paragraph
    for line in lines:
        short = len(line) < SHORT_LINE * typical
        heading = short and not _SENTENCE_END.search(line)
        if heading != in_heading and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line)
        in_heading = heading
        if short and not heading:  # a short line ending a sentence ends its paragraph
            paragraphs.append([])
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def _pdf_date(value: str) -> str | None:
    """A PDF date ("D:20260302090000+00'00'") as an ISO day, or None."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", value or "")
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None
