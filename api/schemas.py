"""Request and response bodies: pydantic at the HTTP boundary only."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag.conversation import Turn
from rag.filters import SearchFilter
from rag.types import Answer, Chunk, Conflict, Hit

MAX_HISTORY_TURNS = 50
# An unpaired surrogate ("\\ud800" in JSON) cannot be encoded, so it would fail deep in the tokenizer; a NUL
# or another control character is no part of a question. Both are refused naming the field.
_NOT_TEXT = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def checked_text(value: object) -> object:
    """`value` when every string in it is valid text; ValueError (a 422 naming the field) otherwise."""
    if isinstance(value, str):
        found = _NOT_TEXT.search(value)
        if found:
            kind = "an unpaired surrogate" if "\ud800" <= found.group() <= "\udfff" else "a control character"
            raise ValueError(f"contains {kind} (U+{ord(found.group()):04X}) at position {found.start()}")
    elif isinstance(value, list | tuple):
        for item in value:
            checked_text(item)
    elif isinstance(value, dict):
        for item in value.values():
            checked_text(item)
    return value


class TextIn(BaseModel):
    """A request body whose strings must be valid text."""

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: object) -> object:
        return checked_text(value)


class TurnIn(TextIn):
    """One earlier message of a conversation."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str


class SearchFilters(TextIn):
    """News-aware filters shared by /ask and /search; dates are inclusive, undated articles never match them."""

    published_after: str | None = Field(None, description="Only articles published on or after this ISO date.",
                                        examples=["2025-09-01"])
    published_before: str | None = Field(None, description="Only articles published on or before this ISO date.",
                                         examples=["2025-09-30"])
    source: str | None = Field(None, description="Only articles from this outlet (case-insensitive).")
    as_of: str | None = Field(None, description=(
        "The day the question is asked (ISO date): 'this week' and 'latest' are read relative to it, and "
        "an article published after it is no evidence. Default: today by the server's clock (RAG_AS_OF "
        "pins it)."), examples=["2026-01-22"])

    def to_filter(self) -> SearchFilter:
        return SearchFilter.checked(self.published_after, self.published_before, self.source, self.as_of)


class AskRequest(SearchFilters):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in plain words.", examples=[
        "How many countries formally committed to the reassurance force in September 2025?"])
    top_k: int | None = Field(None, description="How many passages to retrieve (default RAG_TOP_K).")
    history: list[TurnIn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS, description=(
        "Earlier turns, oldest first. A follow-up such as 'and what did Germany say?' is rewritten into a "
        "standalone question for retrieval and the model; the answer reports it as `rewritten_question`."))

    def turns(self) -> list[Turn]:
        return [Turn(t.role, t.content) for t in self.history]


class StreamRequest(AskRequest):
    draft: bool = Field(False, description=(
        "Also send the model's draft as it is written (`token` events), before it is verified: text the service "
        "does not stand behind yet. Off, only verified sentences are sent."))


class SearchRequest(SearchFilters):
    model_config = ConfigDict(extra="forbid")
    query: str
    top_k: int | None = None


class DocumentIn(TextIn):
    """One article as JSON; `id` is derived from `url` when omitted."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    title: str | None = None
    text: str
    published: str | None = Field(None, description="ISO date, YYYY-MM-DD")
    url: str | None = None
    source: str | None = None


class CitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    n: int
    article_id: str
    title: str
    published: str | None
    source: str | None
    url: str | None
    chunk_id: str
    text: str
    start: int = Field(description="Offset of the cited passage in the article's clean text.")
    end: int
    page: int | None = Field(None, description="For a PDF, the page the cited passage starts on.")


class CorroboratingPassage(BaseModel):
    """The same passage in another article (another outlet's copy of a quote)."""

    chunk_id: str
    article_id: str
    title: str
    published: str | None
    source: str | None
    start: int
    end: int

    @classmethod
    def from_chunk(cls, c: Chunk) -> CorroboratingPassage:
        return cls(chunk_id=c.chunk_id, article_id=c.article_id, title=c.title, published=c.published,
                   source=c.source, start=c.start, end=c.end)


class PassageOut(BaseModel):
    rank: int
    score: float = Field(description="Relevance used for ranking: the reranker's probability (0-1), "
                                     "or the cosine similarity when reranking is off. When no passage was "
                                     "relevant enough whole, the better of that and its best sentence's.")
    similarity: float = Field(description="Cosine similarity of the passage's embedding to the query's.")
    chunk_id: str
    article_id: str
    title: str
    published: str | None
    source: str | None
    url: str | None
    text: str
    start: int
    end: int
    shown: str | None = Field(None, description="The part of the passage the model was given, when evidence "
                                                "selection (RAG_EVIDENCE) narrowed it; the answer is checked "
                                                "against the whole passage.")
    untrusted: bool = Field(False, description="The passage held text addressed to AI systems or dictating the "
                                                "answer; that text (`withheld`) was never shown to the model nor "
                                                "counted as evidence.")
    withheld: list[tuple[int, int]] = Field(default_factory=list, description=(
        "Offsets into `text` of the sentences withheld as instructions."))
    corroborated_by: list[CorroboratingPassage] = Field(
        default_factory=list, description="Near-identical passages from other articles, folded into this one.")

    @classmethod
    def from_hit(cls, rank: int, hit: Hit) -> PassageOut:
        c = hit.chunk
        return cls(rank=rank, score=round(hit.score, 4), similarity=round(hit.similarity, 4), chunk_id=c.chunk_id,
                   article_id=c.article_id, title=c.title, published=c.published, source=c.source, url=c.url,
                   text=c.text, start=c.start, end=c.end, shown=None if hit.shown is None else hit.shown_text,
                   untrusted=hit.untrusted, withheld=[list(span) for span in hit.withheld],  # type: ignore[misc]
                   corroborated_by=[CorroboratingPassage.from_chunk(d) for d in hit.duplicates])


class SideOut(BaseModel):
    value: str = Field(description="What this side says, as its passage words it.")
    cited: int = Field(description="The passage `[n]` that says it.")


class ConflictOut(BaseModel):
    kind: str = Field(description="account: the same account with another name, place, date or figure; "
                                  "figure: another figure for the same thing.")
    sides: list[SideOut] = Field(description="Each side of the disagreement, with the passage that gives it.")
    sentence: str = Field(description="The sentence of the answer that names the disagreement.")

    @classmethod
    def from_conflict(cls, conflict: Conflict) -> ConflictOut:
        return cls(kind=conflict.kind, sentence=conflict.sentence(),
                   sides=[SideOut(value=conflict.value, cited=conflict.cited),
                          SideOut(value=conflict.other_value, cited=conflict.other)])


class SentenceOut(BaseModel):
    """What verification made of one sentence the model wrote."""

    model_config = ConfigDict(from_attributes=True)
    text: str = Field(description="The sentence as it stands in the answer, with its markers ('' when removed).")
    claim: str = Field(description="The sentence the model wrote, without citation markers.")
    verdict: str = Field(description="supported (as cited), repaired (re-cited to the passage that supports it), "
                                     "quoted (replaced by the source sentence stating its facts) "
                                     "or removed (no retrieved passage supports it; not in the answer)")
    support: float = Field(description="The judge's support score, 0-1, against the passages now cited.")
    cited: list[int]
    reason: str = Field(description="Why a sentence was repaired, quoted or removed.")
    vetoes: list[str] = Field(default_factory=list,
                              description="The named verification checks that rejected the sentence against a "
                                          "passage or removed it (docs/how-it-works.md).")


class UsageOut(BaseModel):
    prompt_tokens: int
    completion_tokens: int


class AnswerOut(BaseModel):
    question: str = Field(description="The question as asked.")
    rewritten_question: str | None = Field(None, description="The standalone question retrieval and the model "
                                                             "were given, when `history` made the follow-up one; "
                                                             "null when the question was used as asked.")
    answer: str = Field(description="The answer, with [n] markers pointing at `citations`.")
    abstained: bool = Field(description="True when the articles do not hold the answer.")
    citations: list[CitationOut]
    passages: list[PassageOut] = Field(description="The passages the model was given, cited or not (evidence "
                                                   "selection leaves out those with no sentence bearing on the "
                                                   "question); on an abstention before generating, the closest.")
    sentences: list[SentenceOut] = Field(description="Every sentence the model wrote, with its verdict.")
    timings: dict[str, float] = Field(description="Seconds per stage: retrieve, select, first_token, generate, "
                                                  "verify, total.")
    usage: UsageOut
    model: str
    as_of: str | None = Field(None, description="The day the question was answered for (ISO date).")
    evidence_date: str | None = Field(None, description="The publication date of the newest article cited.")
    undated_evidence: bool = Field(False, description="True when a cited article has no publication date.")
    time_window: tuple[str, str] | None = Field(None, description=(
        "The publication dates (first, last) the question's time words point at ('this week', 'in March'), "
        "relative to `as_of`; null when it has none."))
    conflicts: list[ConflictOut] = Field(default_factory=list, description=(
        "Where the retrieved passages disagree on what the answer states (a name, place, date or figure), each "
        "side with its passage; the answer names each one too."))
    about_present: bool = Field(False, description=(
        "True when the question asks about now ('this week', 'latest', 'currently'): only articles of "
        "`time_window` answer it."))

    @classmethod
    def from_answer(cls, answer: Answer) -> AnswerOut:
        return cls(question=answer.question, rewritten_question=None, answer=answer.answer, abstained=answer.abstained,
                   as_of=answer.as_of, evidence_date=answer.evidence_date, undated_evidence=answer.undated_evidence,
                   time_window=answer.time_window, about_present=answer.about_present,
                   conflicts=[ConflictOut.from_conflict(c) for c in answer.conflicts],
                   citations=[CitationOut.model_validate(c) for c in answer.citations],
                   passages=[PassageOut.from_hit(i, h) for i, h in enumerate(answer.passages, start=1)],
                   sentences=[SentenceOut.model_validate(s) for s in answer.sentences],
                   timings={k: round(v, 4) for k, v in answer.timings.items()},
                   usage=UsageOut(prompt_tokens=answer.usage.prompt_tokens,
                                  completion_tokens=answer.usage.completion_tokens),
                   model=answer.model)


class SearchOut(BaseModel):
    query: str
    passages: list[PassageOut]


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    article_id: str
    title: str
    published: str | None
    source: str | None
    url: str | None
    origin: str
    chunks: int


class DocumentDetail(DocumentSummary):
    text: str = Field(description="The article's clean text; chunk offsets point into it.")
    chunk_spans: list[tuple[str, int, int]] = Field(description="(chunk_id, start, end) of each chunk.")


class IndexedDocument(BaseModel):
    article_id: str
    status: str = Field(description="added, updated or unchanged")
    chunks: int


class IndexedDocuments(BaseModel):
    documents: list[IndexedDocument]


class DeletedDocument(BaseModel):
    article_id: str
    chunks_removed: int


class Health(BaseModel):
    status: str
    model_loaded: bool
    model: str
    model_file: str
    index_chunks: int
    index_articles: int
    store_mode: str = Field(description="embedded or server")


class ErrorOut(BaseModel):
    detail: str
    code: str
