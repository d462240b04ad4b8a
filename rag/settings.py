"""One settings object, read from `RAG_*` environment variables by the entry points only.

Every field is documented in docs/settings.md, which `python -m tools.docs` writes from this class
(tests/test_docs.py fails when it is stale).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from rag.errors import BadRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-rag"


@dataclass(frozen=True)
class Settings:
    articles_dir: Path = PROJECT_ROOT / "data" / "articles"
    index_dir: Path = PROJECT_ROOT / "data" / "index"
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8001 -> Chroma server mode
    collection: str = "news"
    embed_model: str = "all-MiniLM-L6-v2"  # name of a bundled model, or a path
    llm_path: Path | None = None  # any GGUF; None -> the default model assembled from parts
    model_cache: Path = default_cache()
    llm_threads: int = 2
    # llama.cpp's flash attention: faster prompt processing on CPU (measured by bench.llama_settings).
    flash_attn: bool = False
    llm_context: int = 4096
    max_tokens: int = 256
    top_k: int = 4
    max_top_k: int = 20
    # The day questions are asked on when a request names none (ISO date); unset: today by the clock.
    as_of: str | None = None
    # With no time words in a question, prefer recent articles this much (added to the reranker's 0-1
    # relevance for an article of the question's day, halved every year back; 0: off). Set on RealTimeQA
    # with other changes, not yet measured alone (docs/evaluation.md).
    recency: float = 0.15
    retrieval: str = "hybrid"  # candidates from "dense" vectors, "lexical" BM25, or both fused ("hybrid")
    rerank: bool = True  # cross-encoder reranking of the dense candidates
    rerank_candidates: int = 6  # best MRR on both suites, and fastest (docs/benchmarks.md)
    # Show the model only the sentences of the passages that bear on the question (verification still reads
    # the whole passage). Off: it cut the prompt tokens each answer processes by 44% and the first token by
    # 43% on the seed questions, but correctness fell from 0.746 to 0.698 there (docs/evaluation.md).
    evidence: bool = False
    # Passages scoring below this are not relevant (reranker probability; cosine when rerank is off). When
    # none reaches it, a passage's most relevant sentence, or its relevance to one clause of a question of
    # several, may, with the reranker on (rag.retrieval.Retriever.by_best_part).
    min_relevance: float = 0.20
    # An answer none of whose sentences the reranker scores this relevant to the question is removed:
    # true sentences beside the point are no answer (rag.verification; 0 turns the check off).
    min_answer_relevance: float = 0.6
    # A claim the model judge doubts (P(yes) 0.72-0.82) is replaced by the source sentence that states
    # all its facts, instead of being removed (rag.verification; measured in docs/evaluation.md).
    quote: bool = True
    # When verification removes every sentence the model wrote, answer with the retrieved sentence that the
    # drafts point at and the cross-encoder scores as answering (>= 0.8), quoted and cited (rag.fallback).
    # Off: on RealTimeQA (its development set) it made 5 answers right and 17 wrong (docs/evaluation.md).
    quote_fallback: bool = False
    # How a follow-up is made a standalone question: "rules" (rag.conversation, no model call) or "model"
    # (the generator rewrites it, ~1-2 s per follow-up; measured in docs/evaluation.md).
    rewrite: str = "rules"
    grammar: bool = False  # constrain answers to "sentence [n]." form with a llama.cpp grammar
    # The model judge runs in a llama.cpp context of its own, so the answer prompt's passages stay
    # cached for the next question (measured in docs/benchmarks.md); costs ~0.9 GB more memory.
    judge_context: bool = True
    # Passages the judge has read stay processed, up to this many MB (~8 MB each), so a passage judged for
    # an earlier question is not read again (rag.prefix_states; needs judge_context). Off: it cut
    # verification from 0.92 to 0.35 s p50 on the seed questions, but the judge then computes P(yes) a
    # little differently and accepted 3 of 37 false real answers at 0.8 where the default judge, as
    # measured then, accepted none (docs/benchmarks.md).
    judge_cache_mb: int = 0
    judge: str = "model"  # verification judge: "model" (rules + the generator's yes/no) or "rules"
    # Verification checks turned off, by name (comma-separated; rag.verification.CHECK_NAMES): for
    # measuring what each earns (`python -m eval checks`), not for serving.
    checks_off: str = ""
    # Withhold article sentences that speak to AI systems or dictate the answer, found by a classifier over
    # sentence embeddings (rag.untrusted; precision and recall in docs/evaluation.md). Off: patterns only.
    injection_detector: bool = True
    chunk_chars: int = 600
    max_question_chars: int = 1000
    max_upload_bytes: int = 5_000_000
    max_batch: int = 100  # most articles one request (a .jsonl upload) may index
    max_queue: int = 4  # questions that may wait for the model while one is answered; more get 503
    queue_timeout: float = 120.0  # longest wait for the model before 503
    # An OpenAI-compatible /v1/embeddings server (this service, TEI, vLLM) embeds instead of the in-process
    # model; RAG_EMBED_MODEL is then the model asked for (rag.remote_embedding).
    embed_url: str | None = None
    embed_timeout: float = 60.0  # seconds per request to RAG_EMBED_URL
    embed_retries: int = 2  # retries, with backoff, when RAG_EMBED_URL cannot be reached
    embed_batch: int = 64  # texts per request to RAG_EMBED_URL
    llm_url: str | None = None  # an OpenAI-compatible server (llama.cpp, vLLM) instead of the in-process model
    llm_model: str | None = None  # the model name to ask that server for; None -> the first it lists
    llm_timeout: float = 120.0  # seconds per request to RAG_LLM_URL
    llm_retries: int = 2  # retries, with backoff, when RAG_LLM_URL cannot be reached
    # When set, required (X-API-Key or Authorization: Bearer) by every write endpoint; never printed.
    api_key: str | None = field(default=None, repr=False)
    api_key_reads: bool = False  # also require it for reads (/ask, /search, /documents)
    cors_origins: str = ""  # comma-separated origins allowed by CORS; empty -> no CORS headers at all

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Build settings from `RAG_<FIELD>` variables; unset ones keep their defaults."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get("RAG_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, str(f.type), raw)
        return cls(**values)  # type: ignore[arg-type]


def _convert(name: str, type_name: str, raw: str) -> object:
    try:
        if "Path" in type_name:
            return Path(raw).expanduser()
        if type_name == "bool":
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError
            return raw.lower() in ("1", "true", "yes")
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
    except ValueError:
        raise BadRequest(f"RAG_{name.upper()}={raw!r} is not a valid {type_name}") from None
    return raw
