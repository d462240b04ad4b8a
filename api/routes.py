"""The HTTP endpoints. Each one validates, calls the rag library, and shapes the reply."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import UploadFile

from api.deps import MetricsDep, ServicesDep
from api.observability import Metrics
from api.query import Query
from api.schemas import (
    AnswerOut,
    AskRequest,
    DeletedDocument,
    DocumentDetail,
    DocumentIn,
    DocumentSummary,
    ErrorOut,
    Health,
    IndexedDocument,
    IndexedDocuments,
    PassageOut,
    SearchOut,
    SearchRequest,
    StreamRequest,
)
from api.security import ReadAccess, WriteAccess
from rag.articles import ARTICLE_ID_PATTERN, article_from_record, parse_bytes
from rag.chunking import reassemble
from rag.errors import BadArticle, BadRequest, DocumentNotFound, RagError
from rag.pipeline import AnswerEvent, Event, ProgressEvent, SentenceEvent
from rag.types import Article

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 404, 422, 503)}
router = APIRouter(responses=ERRORS)
log = logging.getLogger(__name__)


@router.post("/ask", response_model=AnswerOut, tags=["answers"])
def ask(body: AskRequest, services: ServicesDep, metrics: MetricsDep, _: ReadAccess) -> AnswerOut:
    """Answer a question from the indexed articles, citing the passages used; `history` makes it a follow-up."""
    query = Query.build(body.question, body.turns(), services)
    answer = services.pipeline.ask(query.standalone, body.top_k, body.to_filter())
    metrics.observe_answer(answer)
    return query.shape(answer)


@router.post("/ask/stream", tags=["answers"], response_class=StreamingResponse, responses={
    200: {"content": {"text/event-stream": {}},
          "description": "`rewrite` ({\"question\", \"rewritten_question\"}, only when `history` changed the "
                         "question); `progress` events, while the model drafts ({\"stage\": \"drafting\", "
                         "\"words\"}) and while the draft is checked ({\"stage\": \"checking\", \"done\", "
                         "\"total\"}); a `sentence` event ({\"text\"}) for each sentence as soon as it has passed "
                         "verification; then one `answer` event (as /ask), or an `error` event ({\"detail\", "
                         "\"code\"}). With `draft`, `token` events ({\"text\"}) carry the unverified draft too."}})
def ask_stream(body: StreamRequest, services: ServicesDep, metrics: MetricsDep, _: ReadAccess) -> StreamingResponse:
    """The same answer as /ask, streamed as server-sent events: verified sentences as each is checked."""
    query = Query.build(body.question, body.turns(), services)
    events = services.pipeline.stream(query.standalone, body.top_k, body.to_filter())  # validates before streaming
    return StreamingResponse(_sse(query, events, metrics, body.draft), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(query: Query, events: Iterator[Event], metrics: Metrics, draft: bool) -> Iterator[str]:
    if query.rewritten:  # first, so a page can show what is being searched for while the model writes
        yield _sse_event("rewrite", {"question": query.asked, "rewritten_question": query.rewritten})
    drafted = ""
    try:
        for event in events:
            if isinstance(event, AnswerEvent):
                metrics.observe_answer(event.answer)
                yield _sse_event("answer", query.shape(event.answer).model_dump())
            elif isinstance(event, SentenceEvent):
                yield _sse_event("sentence", {"text": event.text})
            elif isinstance(event, ProgressEvent):
                yield _sse_event("progress", {"stage": "checking", "done": event.done, "total": event.total})
            elif draft:
                yield _sse_event("token", {"text": event.text})
            else:  # the draft itself stays on the server until it is checked; how long it has grown does not
                words = len(drafted.split())
                drafted += event.text
                if len(drafted.split()) != words:
                    yield _sse_event("progress", {"stage": "drafting", "words": len(drafted.split())})
    except RagError as exc:  # headers are already sent: report the failure in the stream itself
        yield _sse_event("error", {"detail": exc.message, "code": exc.code})
    except Exception:  # anything else too, or the stream would stop without a word; the trace stays in the log
        log.exception("answer stream failed")
        yield _sse_event("error", {"detail": "internal error; see the server log", "code": "internal_error"})


def _sse_event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/search", response_model=SearchOut, tags=["answers"])
def search(body: SearchRequest, services: ServicesDep, _: ReadAccess) -> SearchOut:
    """Ranked passages for a query, with scores and metadata; no language model involved."""
    hits = services.pipeline.search(body.query, body.top_k, body.to_filter())
    return SearchOut(query=body.query, passages=[PassageOut.from_hit(i, h) for i, h in enumerate(hits, start=1)])


@router.get("/documents", response_model=list[DocumentSummary], tags=["documents"])
def list_documents(services: ServicesDep, _: ReadAccess) -> list[DocumentSummary]:
    """Every indexed article, newest first."""
    return [DocumentSummary.model_validate(s) for s in services.store.articles()]


@router.get("/documents/{article_id}", response_model=DocumentDetail, tags=["documents"])
def get_document(article_id: str, services: ServicesDep, _: ReadAccess) -> DocumentDetail:
    """One article with its clean text, which citation offsets point into."""
    chunks = services.store.chunks(_checked_id(article_id))
    summary = next((s for s in services.store.articles() if s.article_id == article_id), None)
    if not chunks or summary is None:
        raise DocumentNotFound(f"no indexed article has id {article_id!r}")
    return DocumentDetail(**DocumentSummary.model_validate(summary).model_dump(), text=reassemble(chunks),
                          chunk_spans=[(c.chunk_id, c.start, c.end) for c in chunks])


@router.post("/documents", status_code=201, response_model=IndexedDocuments, tags=["documents"], openapi_extra={
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": DocumentIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "An article file: .txt, .md, .html, .pdf or .jsonl"}}}}}}})
async def add_document(request: Request, services: ServicesDep, _: WriteAccess) -> IndexedDocuments:
    """Index one article sent as JSON, or an uploaded article file; re-sending an article replaces it."""
    articles = await _articles_from_request(request, services.settings.max_upload_bytes)
    if len(articles) > services.settings.max_batch:
        raise BadArticle(f"{len(articles)} articles in one request; the limit is {services.settings.max_batch} "
                         "(RAG_MAX_BATCH): split the file")
    outcomes = await run_in_threadpool(lambda: list(services.indexer.index_all(articles)))
    return IndexedDocuments(documents=[IndexedDocument(article_id=o.article_id, status=o.status, chunks=o.chunks)
                                       for o in outcomes])


async def _articles_from_request(request: Request, max_bytes: int) -> list[Article]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        if len(form.getlist("file")) > 1:
            raise BadRequest("multipart upload has several 'file' fields: send one file per request")
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadRequest("multipart upload needs a 'file' field holding an article file")
        raw = await upload.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise BadArticle(f"{upload.filename}: larger than the {max_bytes}-byte upload limit")
        return parse_bytes(raw, upload.filename, origin=f"upload:{upload.filename}")
    if content_type.startswith("application/json"):
        raw_body = await request.body()
        if len(raw_body) > max_bytes:
            raise BadArticle(f"the article is larger than the {max_bytes}-byte limit")
        try:
            body = DocumentIn.model_validate_json(raw_body)
        except ValueError as exc:
            raise BadRequest(f"invalid article JSON: {exc}") from None
        return [article_from_record(body.model_dump(), default_id="", origin="api")]
    raise BadRequest(f"unsupported content type {content_type or '(none)'!r}: "
                     "send application/json or multipart/form-data")


@router.delete("/documents/{article_id}", response_model=DeletedDocument, tags=["documents"])
def delete_document(article_id: str, services: ServicesDep, _: WriteAccess) -> DeletedDocument:
    """Remove an article and every chunk of it from the index."""
    return DeletedDocument(article_id=article_id, chunks_removed=services.indexer.delete(_checked_id(article_id)))


def _checked_id(article_id: str) -> str:
    """Ids are names inside the index, never paths; anything else is refused before the store sees it."""
    if not ARTICLE_ID_PATTERN.fullmatch(article_id):
        raise BadRequest(f"article id {article_id[:140]!r} is invalid: use 1-128 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    return article_id


@router.get("/metrics", tags=["operations"], response_class=PlainTextResponse,
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}})
def metrics_endpoint(services: ServicesDep, metrics: MetricsDep) -> Response:
    """Prometheus metrics: requests, latency histograms, stage timings, queue depth, abstentions,
    verification failures."""
    metrics.queue_depth.set(services.pipeline.gate.waiting)
    metrics.generating.set(services.pipeline.gate.running)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/health", response_model=Health, tags=["operations"])
def health(services: ServicesDep) -> Health:
    """Is the model loaded, which one, and how big is the index?"""
    return Health(status="ok", model_loaded=True, model=services.pipeline.generator.name,
                  model_file=Path(services.model_file).name, index_chunks=services.store.count(),
                  index_articles=len(services.store.articles()), store_mode=services.store.mode)
