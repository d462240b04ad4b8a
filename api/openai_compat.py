"""`POST /v1/chat/completions`, `POST /v1/embeddings` and `GET /v1/models`, so clients written for OpenAI
work unchanged (and another instance can embed through this one: RAG_EMBED_URL).

The last user message is the question and earlier user/assistant turns the conversation. The reply's
content is the verified answer followed by a "References:" list; the citations themselves travel in
extension fields (see `openai_schemas.EXTENSION`). A stream sends the *verified* answer once it is
checked, never the draft: a client cannot take back text it has shown, and the draft may hold the
very sentences verification removes.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import MetricsDep, ServicesDep
from api.observability import Metrics
from api.openai_schemas import (
    EXTENSION,
    MAX_EMBEDDING_INPUTS,
    ChatCompletionOut,
    ChatCompletionRequest,
    ChoiceOut,
    CompletionUsage,
    EmbeddingList,
    EmbeddingOut,
    EmbeddingsRequest,
    MessageOut,
    ModelList,
    ModelOut,
)
from api.query import Query
from api.schemas import AnswerOut, ErrorOut
from api.security import ReadAccess
from rag.conversation import Turn
from rag.errors import BadRequest, ModelNotFound, RagError
from rag.pipeline import AnswerEvent, Event
from rag.services import Services

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["openai-compatible"],
                   responses={code: {"model": ErrorOut} for code in (404, 422, 503)})


@router.get("/models", response_model=ModelList)
def list_models(services: ServicesDep, _: ReadAccess) -> ModelList:
    """The one model this server answers with."""
    return ModelList(data=[ModelOut(id=services.pipeline.generator.name)])


@router.post("/embeddings", response_model=EmbeddingList)
def embeddings(body: EmbeddingsRequest, services: ServicesDep, _: ReadAccess) -> EmbeddingList:
    """The service's own embedder's vectors (L2-normalised) for each input, OpenAI-style."""
    embedder = services.pipeline.retriever.embedder
    if body.model and body.model != embedder.name:
        raise ModelNotFound(f"model {body.model!r} is not served here; this server embeds with {embedder.name!r}")
    texts = body.texts()
    if not texts or len(texts) > MAX_EMBEDDING_INPUTS:
        raise BadRequest(f"input holds {len(texts)} texts: send 1 to {MAX_EMBEDDING_INPUTS}")
    if not all(text.strip() for text in texts):
        raise BadRequest("input holds an empty text: every text to embed needs words")
    vectors = embedder.embed_documents(texts)
    return EmbeddingList(data=[EmbeddingOut(index=i, embedding=v) for i, v in enumerate(vectors)], model=embedder.name)


@router.post("/chat/completions", response_model=ChatCompletionOut, description=EXTENSION, responses={
    200: {"content": {"text/event-stream": {}}, "description": "A chat.completion, or with `stream: true` "
          "chat.completion.chunk events ending in `data: [DONE]`; the last chunk carries the extension fields."}})
def chat_completions(body: ChatCompletionRequest, services: ServicesDep, metrics: MetricsDep,
                     _: ReadAccess) -> ChatCompletionOut | StreamingResponse:
    """Answer the last user message of a conversation, OpenAI-style, with citations."""
    query = _query(body, services)
    if body.stream:
        events = services.pipeline.stream(query.standalone, body.top_k, body.to_filter())  # validates here
        stream = _chunks(query, events, services.pipeline.generator.name, metrics)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    answer = services.pipeline.ask(query.standalone, body.top_k, body.to_filter())
    metrics.observe_answer(answer)
    out = query.shape(answer)
    return ChatCompletionOut(id=_new_id(), created=int(time.time()), model=out.model,
                             choices=[ChoiceOut(message=MessageOut(content=with_references(out)))],
                             usage=_usage(out), citations=out.citations, abstained=out.abstained,
                             rewritten_question=out.rewritten_question)


def _query(body: ChatCompletionRequest, services: Services) -> Query:
    turns = [Turn("user" if m.role == "user" else "assistant", m.text())
             for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadRequest("messages: the last user or assistant message must be the user's question")
    return Query.build(turns[-1].content, turns[:-1], services)


def with_references(out: AnswerOut) -> str:
    """The answer text, then one line per citation (a passage): `[1] Title — Outlet, 2025-09-04`."""
    if not out.citations:
        return out.answer
    lines = [f"[{c.n}] {c.title} — {', '.join(p for p in (c.source, c.published) if p) or 'undated'}"
             for c in out.citations]
    return out.answer + "\n\nReferences:\n" + "\n".join(lines)


def _chunks(query: Query, events: Iterator[Event], model: str, metrics: Metrics) -> Iterator[str]:
    chunk_id, created = _new_id(), int(time.time())

    def chunk(delta: dict[str, str], **extra: object) -> str:
        finish = extra.pop("finish_reason", None)
        body = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})  # at once: the client knows the request was taken
    try:
        answer = next(e.answer for e in events if isinstance(e, AnswerEvent))
        metrics.observe_answer(answer)
        out = query.shape(answer)
    except RagError as exc:  # headers are sent: report in the stream, in the shape OpenAI clients raise from
        yield f"data: {json.dumps({'error': {'message': exc.message, 'code': exc.code}})}\n\n"
        return
    except Exception:  # anything else too, or the stream would stop without a word; the trace stays in the log
        log.exception("chat completion stream failed")
        failure = {"error": {"message": "internal error; see the server log", "code": "internal_error"}}
        yield f"data: {json.dumps(failure)}\n\n"
        return
    for piece in re.findall(r"\S+\s*|\s+", with_references(out)):
        yield chunk({"content": piece})
    yield chunk({}, finish_reason="stop", usage=_usage(out).model_dump(), **_extension(out))
    yield "data: [DONE]\n\n"


def _extension(out: AnswerOut) -> dict[str, object]:
    return {"citations": [c.model_dump() for c in out.citations], "abstained": out.abstained,
            "rewritten_question": out.rewritten_question}


def _usage(out: AnswerOut) -> CompletionUsage:
    prompt, completion = out.usage.prompt_tokens, out.usage.completion_tokens
    return CompletionUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"
