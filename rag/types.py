"""The domain: plain frozen dataclasses shared by every stage of the pipeline."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

INDEX_FORMAT = "2"  # 2: chunk metadata gained published_day and source_key, for filters


@dataclass(frozen=True)
class Article:
    """One news article, its text already cleaned of scraping noise."""

    article_id: str
    title: str
    text: str
    published: str | None = None  # ISO date, YYYY-MM-DD
    source: str | None = None  # the outlet
    url: str | None = None
    origin: str = ""  # where it came from: a file path, or "api"
    # For a PDF: (offset in `text`, page number) where each page with text begins; () for other formats.
    pages: tuple[tuple[int, int], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The page number the character at `offset` is on; None when the article has no pages."""
        number = None
        for start, page in self.pages:
            if start > offset:
                break
            number = page
        return number

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything that ends up in the index, to skip unchanged articles."""
        # INDEX_FORMAT is part of it: when what the index stores per chunk changes, every article re-indexes.
        parts = (INDEX_FORMAT, self.title, self.text, self.published or "", self.source or "", self.url or "")
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of an article; `text == article.text[start:end]`."""

    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int
    position: int  # order within the article
    title: str
    published: str | None = None
    source: str | None = None
    url: str | None = None
    page: int | None = None  # for a PDF: the page the chunk starts on


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk. `score` ranks it: the reranker's relevance probability when reranking
    is on, else `similarity`, the dense cosine similarity to the query. When no passage reached the
    relevance floor, it is the best of that, the passage's best sentence's probability and the
    passage's probability against the question's best-matching clause (`Retriever.by_best_part`)."""

    chunk: Chunk
    score: float
    similarity: float
    # The same passage carried by other articles (another outlet's copy of a quote): kept out of the
    # top k so they do not crowd out other evidence, but still there to corroborate it.
    duplicates: tuple[Chunk, ...] = ()
    # Offsets into `chunk.text` of the part the model was shown, when evidence selection narrowed the
    # passage (rag.evidence); None: all of it. Verification and citations use the whole chunk.
    shown: tuple[int, int] | None = None
    # Offsets into `chunk.text` of sentences withheld as orders to AI systems (rag.untrusted): neither the
    # model nor the verifier reads them. A passage holding one is untrusted.
    withheld: tuple[tuple[int, int], ...] = ()

    @property
    def untrusted(self) -> bool:
        return bool(self.withheld)

    @property
    def evidence_text(self) -> str:
        """The passage as evidence: its text with withheld sentences replaced by WITHHELD."""
        return self._between(0, len(self.chunk.text))

    @property
    def shown_text(self) -> str:
        """What the model was shown of the passage (withheld sentences replaced)."""
        return self.evidence_text if self.shown is None else self._between(*self.shown)

    def _between(self, low: int, high: int) -> str:
        text, pieces, cursor = self.chunk.text, [], low
        for start, end in sorted(self.withheld):
            if end > low and start < high:
                pieces += [text[cursor:max(start, low)], WITHHELD]
                cursor = min(end, high)
        return "".join([*pieces, text[cursor:high]])


@dataclass(frozen=True)
class Citation:
    """A `[n]` marker of an answer resolved to the passage it points at."""

    n: int
    article_id: str
    title: str
    published: str | None
    source: str | None
    url: str | None
    chunk_id: str
    text: str
    start: int
    end: int
    page: int | None = None  # for a PDF: the page the cited passage starts on


# What stands in a passage for text withheld as instructions: by the detector (`Hit.withheld`) or by the
# patterns of rag.injection, which imports it as REMOVED.
WITHHELD = "[instruction-like text removed]"


_MARKERS = re.compile(r"\s*\[\d+\]")
Verdict = Literal["supported", "repaired", "quoted", "removed"]


@dataclass(frozen=True)
class CheckedSentence:
    """One sentence of an answer and what verification made of it."""

    text: str  # as it appears in the answer, with its [n] markers ("" when removed)
    claim: str  # the sentence the model wrote, without markers
    verdict: Verdict  # supported as cited, repaired (re-cited), quoted (replaced by a source sentence), or removed
    support: float  # the judge's score for the claim against the passages it now cites
    cited: tuple[int, ...]
    reason: str = ""
    # The named checks that rejected this sentence against some passage, or removed it, in order
    # (`rag.verification.CHECK_NAMES`): a check is measured by what turning it off changes.
    vetoes: tuple[str, ...] = ()

    @property
    def stated(self) -> str:
        """What the answer says in this sentence: the claim, or the source sentence quoted in its place."""
        return _MARKERS.sub("", self.text).strip() if self.verdict == "quoted" else self.claim


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Conflict:
    """Two retrieved passages disagreeing on what the answer states: [cited] gives `value` where [other]
    gives `other_value` (rag.conflicts)."""

    cited: int
    value: str
    other: int
    other_value: str
    kind: str = "figure"  # "figure" (differing figures), or "account" (one value swapped in the same account)

    def sentence(self) -> str:
        if self.kind == "figure":
            return (f"The sources disagree on this figure: [{self.cited}] gives {self.value}, "
                    f"while [{self.other}] gives {self.other_value}.")
        return (f"The sources disagree: [{self.cited}] says “{self.value}”, "
                f"while [{self.other}] says “{self.other_value}”.")


@dataclass(frozen=True)
class Answer:
    """What the pipeline returns for one question."""

    question: str
    answer: str
    citations: tuple[Citation, ...]
    abstained: bool
    model: str
    usage: Usage = field(default_factory=Usage)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    passages: tuple[Hit, ...] = ()  # what retrieval found, cited or not
    sentences: tuple[CheckedSentence, ...] = ()  # every sentence the model wrote, with its verdict
    as_of: str | None = None  # the day the question was answered for (ISO)
    evidence_date: str | None = None  # the newest cited article's publication date
    undated_evidence: bool = False  # a cited article has no publication date
    time_window: tuple[str, str] | None = None  # the publication window the question's time words name
    about_present: bool = False  # the question asks about now ("this week", "latest"): the window is required
    conflicts: tuple[Conflict, ...] = ()  # where the retrieved passages disagree on what the answer states


@dataclass(frozen=True)
class ArticleSummary:
    """An indexed article as the store knows it."""

    article_id: str
    title: str
    published: str | None
    source: str | None
    url: str | None
    origin: str
    chunks: int
