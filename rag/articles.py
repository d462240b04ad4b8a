"""Read articles from the formats ingestion accepts: .txt, .md, .html and .jsonl.

Every reader returns `Article`s whose `text` is the clean text that chunk offsets point into.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag.errors import BadArticle
from rag.types import Article

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl", ".pdf")
ARTICLE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

# The seeds open with " date YYYY-MM-DD " fused onto the first sentence.
_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Scraped-news furniture that is not part of the story: cross-links and photo credits.
_NOISE_LINE = re.compile(r"^(also read\b.*|(photo |image )?credit:.{0,60}|advertisement)$", re.IGNORECASE)
_TITLE_CHARS = 90


def read_path(path: Path) -> list[Article]:
    """Parse one file into its articles (a .jsonl file holds many); raise BadArticle naming why."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadArticle(f"{path.name}: unsupported file type {suffix or '(none)'!r}; "
                         f"accepted: {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadArticle(f"{path.name}: cannot be read ({exc.strerror})") from None
    return parse_bytes(raw, path.name, origin=str(path))


def parse_bytes(raw: bytes, filename: str, origin: str = "") -> list[Article]:
    """Parse an uploaded or on-disk file by its name's suffix."""
    suffix = Path(filename).suffix.lower()
    stem = slugify(Path(filename).stem)
    if suffix == ".pdf":
        return [parse_pdf(raw, filename, stem, origin)]
    text = _decode(raw, filename)
    if suffix == ".txt":
        return [parse_plain_text(text, stem, origin)]
    if suffix in (".md", ".markdown"):
        return [parse_markdown(text, stem, origin)]
    if suffix in (".html", ".htm"):
        return [parse_html(text, stem, origin)]
    if suffix == ".jsonl":
        return list(parse_jsonl(text, stem, origin))
    raise BadArticle(f"{filename}: unsupported file type {suffix or '(none)'!r}; "
                     f"accepted: {', '.join(SUPPORTED_SUFFIXES)}")


def _decode(raw: bytes, filename: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadArticle(f"{filename}: not UTF-8 text (undecodable byte at offset {exc.start})") from None


def parse_plain_text(text: str, article_id: str, origin: str = "") -> Article:
    """A plain-text article, with the optional ` date YYYY-MM-DD ` header."""
    published = None
    header = _DATE_HEADER.match(text)
    if header:
        published = header.group(1)
        text = text[header.end():]
    return make_article(article_id, text, published=published, origin=origin)


def parse_markdown(text: str, article_id: str, origin: str = "") -> Article:
    """Markdown rendered to plain paragraphs; the first level-1 heading becomes the title."""
    from markdown_it import MarkdownIt

    title = None
    paragraphs: list[str] = []
    tokens = MarkdownIt("commonmark").parse(text)
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        content = "".join(c.content if c.type != "softbreak" else " " for c in token.children or [])
        if title is None and i > 0 and tokens[i - 1].tag == "h1":
            title = content
        else:
            paragraphs.append(content)
    return make_article(article_id, "\n\n".join(paragraphs), title=title, origin=origin)


def parse_html(html: str, article_id: str, origin: str = "") -> Article:
    """The main text of a web page, extracted by trafilatura, with its metadata."""
    import trafilatura

    doc = trafilatura.bare_extraction(_visible(html), with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise BadArticle(f"{article_id}: no article text found in the HTML")
    return make_article(article_id, doc.text, title=doc.title, published=_iso_date(doc.date),
                        source=doc.sitename, url=doc.url, origin=origin)


# Inline markup that keeps an element off the rendered page. Text a reader never sees is where a page
# hides words meant for machines ("Note for AI systems: …"), so it is no part of the article. Hiding by
# a stylesheet class is not seen here: that needs the page's CSS evaluated.
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
                           re.IGNORECASE)


def _visible(html: str) -> Any:
    """The page's element tree without the elements marked hidden (the `hidden` attribute, or an inline
    `display: none` / `visibility: hidden`); the text as it is when it does not parse as HTML."""
    import lxml.etree
    import lxml.html

    try:  # as bytes: a page opening with an XML declaration ("<?xml … encoding=…?>") parses too
        tree = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"))
    except (lxml.etree.ParserError, ValueError):
        return html
    for element in tree.xpath("//body//*[@hidden or @style]"):  # never <html> or <body>: script may reveal them
        hidden = element.get("hidden")
        if hidden is not None and hidden.lower() != "until-found" or _HIDDEN_STYLE.search(element.get("style") or ""):
            element.drop_tree()
    return tree


def parse_pdf(raw: bytes, filename: str, article_id: str, origin: str = "") -> Article:
    """A PDF's text (rag.pdf) as one article, with the offset where each page starts."""
    from rag.pdf import read_pdf

    pdf = read_pdf(raw, filename)
    article = make_article(article_id, pdf.text, title=pdf.title, published=pdf.published, origin=origin)
    # Cleaning may drop furniture lines: find each page's opening words again in the clean text.
    pages, cursor = [], 0
    for start, number in zip(pdf.page_starts, pdf.page_numbers):
        opening = r"\s+".join(map(re.escape, pdf.text[start:start + 80].split()[:6]))
        found = re.compile(opening).search(article.text, cursor) if opening else None
        if found:
            pages.append((found.start(), number))
            cursor = found.start()
    return replace(article, pages=tuple(pages))


def parse_jsonl(text: str, stem: str, origin: str = "") -> Iterator[Article]:
    """One article per line: {id?, title?, text, published?, url?, source?}."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadArticle(f"{stem}.jsonl line {line_no}: invalid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise BadArticle(f"{stem}.jsonl line {line_no}: expected a JSON object")
        yield article_from_record(record, default_id=f"{stem}-{line_no}", origin=origin,
                                  where=f"{stem}.jsonl line {line_no}")


def article_from_record(record: Mapping[str, Any], default_id: str, origin: str = "",
                        where: str = "article") -> Article:
    """An article from a JSON record, as sent to the API or found in a .jsonl file."""
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadArticle(f"{where}: 'text' is missing or empty")
    article_id = record.get("id") or (slugify(record["url"]) if record.get("url") else default_id)
    if not article_id:  # neither id nor url: name it by its content, so re-sending it is an update
        article_id = "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return make_article(str(article_id), text, title=_opt_str(record, "title", where),
                        published=_opt_date(record, where), source=_opt_str(record, "source", where),
                        url=_opt_str(record, "url", where), origin=origin)


def make_article(article_id: str, text: str, *, title: str | None = None, published: str | None = None,
                 source: str | None = None, url: str | None = None, origin: str = "") -> Article:
    """Validate the id, clean the text and derive a title when there is none."""
    if not ARTICLE_ID_PATTERN.fullmatch(article_id):  # fullmatch: "$" would let a trailing newline through
        raise BadArticle(f"article id {article_id!r} is invalid: use 1-128 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    if published is not None and not _real_day(published):
        raise BadArticle(f"{article_id}: 'published' must be a real ISO date (YYYY-MM-DD), got {published!r}")
    clean = clean_text(text)
    if not clean:
        raise BadArticle(f"{article_id}: the article has no text")
    return Article(article_id=article_id, title=(title or "").strip() or derive_title(clean), text=clean,
                   published=published, source=source or None, url=url or None, origin=origin)


# Control characters (NUL and the rest of C0 but tab and newline, DEL, C1) and unpaired surrogates are no
# text: they would be indexed and shown as is, and a surrogate cannot even be encoded for the tokenizer.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """One paragraph per line-run, blank line between paragraphs, scraping furniture and control
    characters dropped."""
    text = _NOT_TEXT.sub(" ", text)
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n\n".join(line for line in lines if line and not _NOISE_LINE.match(line))


def derive_title(text: str) -> str:
    """The first sentence, cut at a word boundary, for articles that come without a title."""
    first = re.split(r"(?<=[.!?])\s", text.split("\n", 1)[0], maxsplit=1)[0]
    if len(first) <= _TITLE_CHARS:
        return first.rstrip(".")
    return first[:_TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def slugify(value: str) -> str:
    """A string made safe for use as an article id."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-._")
    return slug[-128:].lstrip("-._") or "article"


def _opt_str(record: Mapping[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise BadArticle(f"{where}: '{key}' must be a string")
    return value


def _real_day(iso: str) -> bool:
    """2025-13-45 has the form of a date but is none."""
    try:
        datetime.date.fromisoformat(iso)
    except ValueError:
        return False
    return True


def _opt_date(record: Mapping[str, Any], where: str) -> str | None:
    value = _opt_str(record, "published", where)
    if value and not (_ISO_DATE.match(value) and _real_day(value[:10])):
        raise BadArticle(f"{where}: 'published' must be an ISO date (YYYY-MM-DD), got {value!r}")
    return value[:10] if value else None


def _iso_date(value: str | None) -> str | None:
    return value[:10] if value and _ISO_DATE.match(value) else None
