"""PDF ingestion over the fixtures of tests/data/pdf (written by its make_fixtures.py): a two-column report
with a running header, footer and a table, and a report whose second page is a scanned image."""

import json
import logging
import re
from pathlib import Path

import pysbd
import pytest
from fastapi.testclient import TestClient

from rag.articles import parse_bytes, read_path
from rag.chunking import chunk_article
from rag.errors import BadArticle

PDFS = Path(__file__).parent / "data" / "pdf"
TRUTH = json.loads((PDFS / "two-column-report.json").read_text())


def _squashed(text: str) -> str:
    return " ".join(text.split())


def test_every_sentence_of_a_two_column_report_is_read_whole_and_in_order() -> None:
    [article] = read_path(PDFS / "two-column-report.pdf")
    text = _squashed(article.text)
    segmenter = pysbd.Segmenter(language="en", clean=False)
    sentences = [s.strip() for paragraph in TRUTH["paragraphs"] for s in segmenter.segment(paragraph)]
    assert len(sentences) == 60
    missing = [s for s in sentences if _squashed(s) not in text]
    assert missing == []
    places = [text.find(f"Update {n}: ") for n in range(1, len(TRUTH["paragraphs"]) + 1)]
    assert places == sorted(places) and places[0] >= 0  # reading order: column by column, page by page


def test_the_running_header_and_footer_are_dropped_and_the_metadata_kept() -> None:
    [article] = read_path(PDFS / "two-column-report.pdf")
    assert "ELWYN GAZETTE" not in article.text and "elwyngazette.example" not in article.text
    assert (article.title, article.published) == (TRUTH["title"], "2026-03-02")
    assert "Dredging March 2026" in _squashed(article.text)  # the table's text is kept, row by row


def test_each_chunk_knows_its_page_and_its_offsets_are_exact() -> None:
    [article] = read_path(PDFS / "two-column-report.pdf")
    chunks = chunk_article(article, 600)
    assert [page for _, page in article.pages] == [1, 2]
    assert {c.page for c in chunks} == {1, 2} and chunks[0].page == 1 and chunks[-1].page == 2
    assert all(article.text[c.start:c.end] == c.text for c in chunks)
    second = article.pages[1][0]
    assert all((c.page == 2) == (c.start >= second) for c in chunks)


def test_a_scanned_page_is_named_and_left_out(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="rag.pdf"):
        [article] = read_path(PDFS / "scanned-page.pdf")
    assert article.text == "The council met on Monday and approved the harbour budget."
    assert "scanned-page.pdf: pages without text (scanned images?), not indexed: 2" in caplog.text


def test_a_pdf_without_any_text_or_not_a_pdf_at_all_is_refused_by_name() -> None:
    import pypdfium2 as pdfium

    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    out = PDFS.parent / "blank.pdf.tmp"
    try:
        blank.save(str(out))
        raw = out.read_bytes()
    finally:
        out.unlink(missing_ok=True)
    with pytest.raises(BadArticle, match=re.escape("blank.pdf: no text on any of its 1 pages")):
        parse_bytes(raw, "blank.pdf")
    with pytest.raises(BadArticle, match="fake.pdf: not a readable PDF"):
        parse_bytes(b"%PDF-1.7 this is no PDF", "fake.pdf")


def test_an_uploaded_pdf_is_answered_from_with_the_cited_page(client: TestClient) -> None:
    pdf = (PDFS / "two-column-report.pdf").read_bytes()
    uploaded = client.post("/documents", files={"file": ("harbour-report.pdf", pdf, "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    [article] = parse_bytes(pdf, "harbour-report.pdf")
    assert chunk_article(article, 600)[-1].text.startswith("Update 28: Local fishermen")  # on page 2
    question = "Who asked for a compensation fund in update 28?"
    body = client.post("/ask", json={"question": question, "as_of": "2026-03-03"}).json()
    cited = [c for c in body["citations"] if c["article_id"] == "harbour-report"]
    assert cited and cited[0]["page"] == 2, (question, body["sentences"])
    assert client.get("/documents/harbour-report").json()["text"][cited[0]["start"]:cited[0]["end"]] == cited[0]["text"]
