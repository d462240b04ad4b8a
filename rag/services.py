"""Wire the real components together from settings: the one place models are loaded."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rag.conversation import ModelRewriter
from rag.embedding import Embedder, SentenceTransformerEmbedder
from rag.errors import BadRequest
from rag.evidence import EvidenceSelector
from rag.gate import Gate
from rag.generation import Generator, LlamaGenerator
from rag.grounding import VETO_CHECKS, Judge, ModelJudge, RuleJudge
from rag.ingest import Indexer
from rag.lexical import LexicalIndex
from rag.modelfile import DEFAULT_MODEL, resolve_model_path
from rag.pipeline import AnswerPolicy, Pipeline
from rag.rerank import CrossEncoderReranker, Reranker
from rag.retrieval import MODES, Retriever
from rag.settings import Settings
from rag.store import ChromaStore
from rag.timeref import parse_day
from rag.untrusted import InjectionDetector
from rag.verification import CHECK_NAMES, Verifier

if TYPE_CHECKING:
    from rag.remote import RemoteGenerator

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the API and the eval suite need, loaded once."""

    settings: Settings
    store: ChromaStore
    indexer: Indexer
    pipeline: Pipeline
    model_file: str


def open_store(settings: Settings, embedder_name: str, fresh: bool = False) -> ChromaStore:
    return ChromaStore.open(settings.index_dir, settings.chroma_url, settings.collection, embedder_name, fresh)


def open_lexical(settings: Settings, store: ChromaStore) -> LexicalIndex:
    """BM25 over the store's chunks, saved beside the embedded index (per collection)."""
    return LexicalIndex(store, settings.index_dir / "bm25" / settings.collection)


def retrieval_mode(settings: Settings) -> Literal["dense", "lexical", "hybrid"]:
    if settings.retrieval not in MODES:
        raise BadRequest(f"RAG_RETRIEVAL={settings.retrieval!r}: use one of {', '.join(MODES)}")
    return settings.retrieval  # type: ignore[return-value]


def load_embedder(settings: Settings) -> Embedder:
    """The embedder named by RAG_EMBED_MODEL (served by RAG_EMBED_URL when set); `fake-hashing` is the
    deterministic one for dry runs."""
    if settings.embed_url:
        from rag.remote_embedding import RemoteEmbedder

        return RemoteEmbedder(settings.embed_url, settings.embed_model, settings.embed_timeout,
                              settings.embed_retries, settings.embed_batch)
    if settings.embed_model == "fake-hashing":
        from rag.fakes import HashingEmbedder

        return HashingEmbedder()
    return SentenceTransformerEmbedder(settings.embed_model, cache_dir=settings.model_cache)


def load_generator(settings: Settings) -> LlamaGenerator | RemoteGenerator:
    """The model at RAG_LLM_URL when set, else the GGUF run in-process."""
    if settings.llm_url:
        from rag.remote import RemoteGenerator

        return RemoteGenerator(settings.llm_url, settings.llm_model, settings.llm_timeout, settings.llm_retries)
    path = resolve_model_path(settings.llm_path, settings.model_cache)
    name = DEFAULT_MODEL.name if settings.llm_path is None else None
    return LlamaGenerator(path, name=name, n_ctx=settings.llm_context, n_threads=settings.llm_threads,
                          judge_context=settings.judge_context, flash_attn=settings.flash_attn,
                          judge_cache_mb=settings.judge_cache_mb)


def policy_from(settings: Settings) -> AnswerPolicy:
    return AnswerPolicy(top_k=settings.top_k, max_top_k=settings.max_top_k, min_relevance=settings.min_relevance,
                        max_tokens=settings.max_tokens, max_question_chars=settings.max_question_chars,
                        grammar=settings.grammar, as_of=_checked_as_of(settings.as_of),
                        context_tokens=settings.llm_context, max_passage_chars=2 * settings.chunk_chars,
                        quote_fallback=settings.quote_fallback)


def _checked_as_of(as_of: str | None) -> str | None:
    if as_of is None:
        return None
    if parse_day(as_of) is None:
        raise BadRequest(f"RAG_AS_OF={as_of!r} is not an ISO date (YYYY-MM-DD)")
    return as_of


def load_reranker(settings: Settings) -> Reranker | None:
    return CrossEncoderReranker(threads=settings.llm_threads) if settings.rerank else None


def make_judge(kind: str, generator: Generator, off: frozenset[str] = frozenset()) -> Judge:
    checks = tuple(c for c in VETO_CHECKS if c.name not in off)
    if kind == "rules":
        return RuleJudge(checks=checks)
    if kind == "model":
        return ModelJudge(generator, checks=checks)
    raise BadRequest(f"RAG_JUDGE={kind!r}: use 'model' or 'rules'")


def checks_off(raw: str) -> frozenset[str]:
    """The verification checks `RAG_CHECKS_OFF` names, each a known one."""
    names = frozenset(name.strip() for name in raw.split(",") if name.strip())
    if unknown := sorted(names - set(CHECK_NAMES)):
        raise BadRequest(f"RAG_CHECKS_OFF names unknown checks {', '.join(unknown)}: the checks are "
                         f"{', '.join(CHECK_NAMES)}")
    return names


def build_services(settings: Settings, embedder: Embedder, generator: Generator, reranker: Reranker | None = None,
                   model_file: str = "") -> Services:
    """Assemble services around given models (real or fake)."""
    store = open_store(settings, embedder.name)
    lexical = open_lexical(settings, store)
    indexer = Indexer(embedder, store, settings.chunk_chars, lexical=lexical)
    retriever = Retriever(embedder, store, reranker, settings.rerank_candidates, lexical,
                          retrieval_mode(settings), recency=settings.recency, window_floor=settings.min_relevance)
    evidence = EvidenceSelector(reranker) if settings.evidence else None
    off = checks_off(settings.checks_off)
    verifier = Verifier(make_judge(settings.judge, generator, off), reranker, settings.min_answer_relevance,
                        quote=settings.quote, off=off)
    detector = InjectionDetector.load(embedder) if settings.injection_detector else None
    if settings.rewrite not in ("rules", "model"):
        raise BadRequest(f"RAG_REWRITE={settings.rewrite!r}: use 'rules' or 'model'")
    rewriter = ModelRewriter(generator) if settings.rewrite == "model" else None
    pipeline = Pipeline(retriever, generator, policy_from(settings), verifier,
                        gate=Gate(settings.max_queue, settings.queue_timeout), evidence=evidence, detector=detector,
                        rewriter=rewriter)
    return Services(settings, store, indexer, pipeline, model_file)


def load_services(settings: Settings) -> Services:
    """The real thing: sentence-transformers, Chroma and llama.cpp."""
    embedder = load_embedder(settings)
    generator = load_generator(settings)
    services = build_services(settings, embedder, generator, load_reranker(settings), model_file=str(generator.path))
    if services.indexer.lexical is not None:
        services.indexer.lexical.refresh()  # caught up with the store before the first search, not during it
    return services
