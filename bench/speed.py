"""`python -m bench.speed`: the service against raw llama.cpp on the same prompts.

1. Time indexing against the embedder's raw encode throughput on the same chunk texts, for the
   seed articles and the MultiHop-RAG corpus; then index the seed articles (`python -m index build`).
2. Start the real server (`python -m api`) on a free loopback port; cold start is process start to
   the first complete answer. Ask each question through `POST /ask/stream`: time to first token
   (first `token` event) and total (the verified `answer` event).
3. Stop the server, load the same GGUF with llama-cpp-python alone, and run each question's exact
   prompt (the passages the service gave the model, formatted by the model's own chat template)
   with the same limits, in the same order: time to first token and total. When the service shares
   one llama.cpp context between answers and judge (`RAG_JUDGE_CONTEXT=0`), an untimed one-token
   prompt sharing only the system message first leaves the raw KV cache as the judge leaves it.
   With `--lookup`, the raw run is repeated with prompt-lookup speculative decoding. When evidence
   selection (RAG_EVIDENCE) narrowed passages, it is also repeated with those passages whole. (The
   passages it left out are not in the answer, so this is not all a pipeline without it would send.)
4. Write the table into docs/benchmarks.md between markers, with the command, and every
   question's service and raw timings to bench/results/speed-rows.json, so a ratio can be broken
   down after the fact.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from eval.cli import CI_SUBSET
from eval.datasets import seed_questions
from eval.metrics import percentile
from rag.settings import PROJECT_ROOT, Settings

DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
ROWS = PROJECT_ROOT / "bench" / "results" / "speed-rows.json"


@dataclass
class Timing:
    question: str
    ttft: float | None = None  # seconds to the first generated token (None: abstained before generating)
    total: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    passages: list[dict[str, Any]] = field(default_factory=list)
    first_verified: float | None = None  # seconds to the first sentence that passed verification


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=len(CI_SUBSET), help="how many seed questions")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md")
    parser.add_argument("--lookup", action="store_true",
                        help="also run the raw prompts with prompt-lookup speculative decoding")
    args = parser.parse_args(argv)
    questions = [q.question for q in seed_questions() if q.answerable][: args.questions]
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        env = {**os.environ, "RAG_INDEX_DIR": str(Path(tmp) / "index"), "RAG_COLLECTION": "bench"}
        build = _index_throughput(env)
        service, cold_start, memory_mb = _service_run(questions, env)
    raw = _raw_run(service)
    lookup = _raw_run(service, lookup=True) if args.lookup else None
    narrowed = any(p.get("shown") for t in service for p in t.passages)
    whole = _raw_run(service, whole=True) if narrowed else None
    report = _report(service, raw, build, cold_start, memory_mb, lookup, whole)
    print(report)
    if not args.no_doc:
        _write(report)
        _write_rows(service, raw)
    return 0


# This VM's speed drifts by a third between back-to-back runs of the same build (docs/benchmarks.md):
# raw encode and indexing take turns this many times, and the medians are reported.
INDEX_ROUNDS = 3


def _index_throughput(env: dict[str, str], rounds: int = INDEX_ROUNDS) -> list[dict[str, Any]]:
    """Chunks/s of indexing (the pieces `python -m index build` runs, in-process) against the
    embedder's raw encode of the same chunk texts, for the seed articles and for the larger
    MultiHop-RAG corpus (326 short articles): medians of `rounds` turns each."""
    from eval.datasets import multihop_corpus
    from rag.articles import read_path
    from rag.chunking import chunk_article
    from rag.ingest import Indexer
    from rag.services import load_embedder, open_store

    settings = Settings.from_env(env)
    embedder = load_embedder(settings)
    corpora = {"seed articles": [a for p in sorted(settings.articles_dir.glob("*.txt")) for a in read_path(p)],
               "MultiHop-RAG corpus": multihop_corpus()}
    results = []
    for name, articles in corpora.items():
        texts = [c.text for a in articles for c in chunk_article(a, settings.chunk_chars)]
        embedder.embed_documents(texts[:4])  # warm-up
        raw, built = [], []
        for turn in range(rounds):
            started = time.perf_counter()
            embedder.embed_documents(texts)
            raw.append(len(texts) / (time.perf_counter() - started))
            collection = f"{settings.collection}-build-{len(results)}-{turn}"
            indexer = Indexer(embedder, open_store(replace(settings, collection=collection), embedder.name,
                                                   fresh=True), settings.chunk_chars)
            started = time.perf_counter()
            for _ in indexer.index_all(articles):
                pass
            built.append(len(texts) / (time.perf_counter() - started))
        results.append({"corpus": name, "chunks": len(texts), "raw_chunks_per_s": statistics.median(raw),
                        "index_chunks_per_s": statistics.median(built), "rounds": rounds,
                        # each turn's pair saw the same drift: the ratio is theirs, not the medians'
                        "ratio": statistics.median(b / r for b, r in zip(built, raw))})
    return results


def _service_run(questions: Sequence[str], env: dict[str, str]) -> tuple[list[Timing], float, tuple[float, float]]:
    import httpx

    subprocess.run([sys.executable, "-m", "index", "build"], env=env, cwd=PROJECT_ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port)], env=env, cwd=PROJECT_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server)
        timings = []
        with httpx.Client(base_url=url, timeout=600) as client:
            for i, question in enumerate(questions):
                timings.append(_ask_stream(client, question))
                if i == 0:
                    cold_start = time.perf_counter() - started
        memory_mb = _memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return timings, cold_start, memory_mb


def _ask_stream(client: Any, question: str) -> Timing:
    timing = Timing(question)
    started = time.perf_counter()
    # With the draft's tokens, so the model's first token can be timed beside raw llama.cpp's.
    with client.stream("POST", "/ask/stream", json={"question": question, "draft": True}) as response:
        response.raise_for_status()
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "token" and timing.ttft is None:
                timing.ttft = time.perf_counter() - started
            elif line.startswith("data: ") and event == "sentence" and timing.first_verified is None:
                timing.first_verified = time.perf_counter() - started
            elif line.startswith("data: ") and event == "answer":
                answer = json.loads(line[6:])
                timing.total = time.perf_counter() - started
                timing.prompt_tokens = answer["usage"]["prompt_tokens"]
                timing.completion_tokens = answer["usage"]["completion_tokens"]
                timing.stages = answer["timings"]
                timing.passages = answer["passages"] if timing.ttft is not None else []
                timing.question = answer["question"]
    return timing


def _raw_run(service: Sequence[Timing], lookup: bool = False, whole: bool = False) -> list[Timing]:
    """The same prompts straight through llama-cpp-python: no retrieval, no verification, no HTTP.
    `lookup`: with prompt-lookup speculative decoding (drafts copied from the prompt's own n-grams).
    `whole`: with the whole passages where evidence selection showed the model only part of them."""
    from llama_cpp import Llama
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    from rag.modelfile import resolve_model_path
    from rag.prompting import build_messages
    from rag.types import Chunk, Hit

    settings = Settings.from_env()
    draft = LlamaPromptLookupDecoding(num_pred_tokens=10) if lookup else None
    # logits_all must be passed with a draft model: llama-cpp-python 0.3.36 turns it on internally but
    # sizes its logits buffer from the argument, and the first prompt past n_batch tokens then fails.
    llm = Llama(model_path=str(resolve_model_path(settings.llm_path, settings.model_cache)), n_ctx=settings.llm_context,
                n_threads=settings.llm_threads, n_threads_batch=settings.llm_threads, draft_model=draft,
                logits_all=lookup, flash_attn=settings.flash_attn, verbose=False)
    raw = []
    for timing in service:
        if timing.ttft is None:
            continue
        hits = [Hit(Chunk(p["chunk_id"], p["article_id"], _prompt_text(p, whole), p["start"], p["end"], 0,
                          p["title"], p["published"], p["source"], p["url"]), p["score"], p["similarity"])
                for p in timing.passages]
        result = Timing(timing.question)
        if not settings.judge_context:
            # Leave llama.cpp's KV cache as the service leaves it between answers when the judge
            # shares its context (the last prompt was a judge question): only the system prompt is
            # shared with the next prompt, where raw llama.cpp would reuse the previous sources.
            llm.create_chat_completion([build_messages(timing.question, hits)[0],
                                        {"role": "user", "content": "Passage: (none)"}], max_tokens=1)
        started = time.perf_counter()
        for chunk in llm.create_chat_completion(build_messages(timing.question, hits), temperature=0.0,
                                                max_tokens=settings.max_tokens, stream=True):
            delta = chunk["choices"][0]["delta"]
            if result.ttft is None and delta.get("content"):
                result.ttft = time.perf_counter() - started
            # As the service counts: a chunk per generated token, not the first (the role) nor the last.
            result.completion_tokens += "content" in delta
        result.total = time.perf_counter() - started
        raw.append(result)
    return raw


def _prompt_text(passage: dict[str, Any], whole: bool) -> str:
    """The passage's text as the model saw it (`shown`, when evidence selection narrowed it), or whole."""
    return passage["text"] if whole or not passage.get("shown") else str(passage["shown"])


def _report(service: list[Timing], raw: list[Timing], build: list[dict[str, Any]], cold: float,
            memory_mb: tuple[float, float], lookup: list[Timing] | None = None,
            whole: list[Timing] | None = None) -> str:
    generated = [t for t in service if t.ttft is not None]
    pairs = list(zip(generated, raw))

    def p(values: Sequence[float]) -> str:
        return f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f}"

    verified = [s.first_verified for s in generated if s.first_verified is not None]
    rows = [
        ("time to first token, s", p([s.ttft or 0 for s in generated]), p([r.ttft or 0 for r in raw]),
         p([(s.ttft or 0) / (r.ttft or 1) for s, r in pairs])),
        *([("time to the first verified sentence, s (the first text a reader sees)", p(verified), "—", "—")]
          if verified else []),
        ("total, s (service: verified answer)", p([s.total for s in generated]), p([r.total for r in raw]),
         p([s.total / r.total for s, r in pairs])),
        ("draft complete, s (service: before verification)",
         p([sum(s.stages.get(k, 0) for k in ("retrieve", "select", "generate")) for s in generated]),
         p([r.total for r in raw]),
         p([sum(s.stages.get(k, 0) for k in ("retrieve", "select", "generate")) / r.total for s, r in pairs])),
        ("prompt tokens", p([s.prompt_tokens for s in generated]), "same prompt", "—"),
        ("completion tokens", p([s.completion_tokens for s in generated]), p([r.completion_tokens for r in raw]), "—"),
        ("decode tokens/s", p([s.completion_tokens / max(_decode_seconds(s), 1e-9) for s in generated]),
         p([r.completion_tokens / max(r.total - (r.ttft or 0), 1e-9) for r in raw]), "—"),
    ]
    if lookup:
        rows += [
            ("raw + prompt-lookup decoding: time to first token, s", "—", p([r.ttft or 0 for r in lookup]),
             f"lookup / raw {p([(lk.ttft or 0) / (r.ttft or 1) for lk, r in zip(lookup, raw)])}"),
            ("raw + prompt-lookup decoding: total, s", "—", p([r.total for r in lookup]),
             f"lookup / raw {p([lk.total / r.total for lk, r in zip(lookup, raw)])}"),
        ]
    if whole:
        rows += [
            ("raw, the same passages whole: time to first token, s", "—",
             p([r.ttft or 0 for r in whole]),
             f"service / this {p([(s.ttft or 0) / (w.ttft or 1) for s, w in zip(generated, whole)])}"),
            ("raw, the same passages whole: total, s", "—", p([r.total for r in whole]),
             f"service / this {p([s.total / w.total for s, w in zip(generated, whole)])}"),
        ]
    stages = sorted({k for s in service for k in s.stages})
    lines = [
        f"Written by `python -m bench.speed --questions {len(service)}{' --lookup' if lookup else ''}` "
        f"(RAG_JUDGE_CONTEXT={int(Settings.from_env().judge_context)}, "
        f"RAG_JUDGE_CACHE_MB={Settings.from_env().judge_cache_mb}, "
        f"RAG_FLASH_ATTN={int(Settings.from_env().flash_attn)}, RAG_EVIDENCE={int(Settings.from_env().evidence)}, "
        f"raw llama.cpp alike) on {dt.date.today().isoformat()} "
        f"({_generated_note(len(generated), len(service))}). "
        "Values are p50 / p95.",
        "",
        "| measure | service | raw llama.cpp | service / raw |",
        "|---|---|---|---|",
        *(f"| {name} | {s} | {r} | {ratio} |" for name, s, r, ratio in rows),
        "",
        f"Verified total, ratio of the p50s: {_p50_ratio([s.total for s in generated], [r.total for r in raw]):.2f} "
        "(the table's ratio is the p50 of per-question ratios). Per-question rows: bench/results/speed-rows.json.",
        "",
        "Service stages, seconds (p50 / p95): "
        + ", ".join(f"{k} {p([s.stages.get(k, 0) for s in generated])}" for k in stages) + ".",
        "",
        f"Cold start (server process start to the first complete answer): {cold:.1f} s. "
        f"Server memory: peak resident {memory_mb[0]:.0f} MB (VmHWM), proportional {memory_mb[1]:.0f} MB (Pss) "
        "after the last answer.",
        *(f"Index build, {b['corpus']} (medians of {b.get('rounds', 1)} turns): {b['index_chunks_per_s']:.1f} "
          f"chunks/s against the embedder's raw "
          f"encode {b['raw_chunks_per_s']:.1f} chunks/s on the same {b['chunks']} chunk texts "
          f"(ratio {b.get('ratio', b['index_chunks_per_s'] / b['raw_chunks_per_s']):.2f}, the median of "
          "the turns' ratios)." for b in build),
    ]
    return "\n".join(lines)


def _p50_ratio(service: Sequence[float], raw: Sequence[float]) -> float:
    return percentile(service, 50) / max(percentile(raw, 50), 1e-9)


def _write_rows(service: Sequence[Timing], raw: Sequence[Timing]) -> None:
    """Per question: the service's timings and stages beside raw llama.cpp's on the same prompt."""
    raw_by_question = {r.question: r for r in raw}

    def row(t: Timing | None) -> dict[str, Any] | None:
        return None if t is None else {k: v for k, v in asdict(t).items() if k not in ("question", "passages")}

    rows = [{"question": s.question, "service": row(s), "raw": row(raw_by_question.get(s.question))}
            for s in service]
    ROWS.parent.mkdir(parents=True, exist_ok=True)
    ROWS.write_text(json.dumps({"date": dt.date.today().isoformat(), "rows": rows}, indent=1) + "\n")


def _decode_seconds(timing: Timing) -> float:
    """Generation after the first token: stages are measured from the request's start, except
    `generate`, which starts when the prompt goes to the model."""
    stages = timing.stages
    generate_started = sum(stages.get(k, 0.0) for k in ("retrieve", "select", "queue"))
    return generate_started + stages.get("generate", 0.0) - stages.get("first_token", 0.0)


def _write(report: str) -> None:
    write_section(DOC, "speed-table", report)


def write_section(doc: Path, name: str, text: str) -> None:
    """Replace what lies between `<!-- name:start -->` and `<!-- name:end -->` in `doc` (appended
    at the end the first time)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    current = doc.read_text() if doc.exists() else "# Performance\n"
    if start not in current:
        current += f"\n{start}\n{end}\n"
    head, rest = current.split(start, 1)
    doc.write_text(f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 600) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server was not ready within {timeout:.0f} s")


def _memory_mb(pid: int) -> tuple[float, float]:
    """(peak resident set, proportional set now). The peak counts the model file's pages once per
    mapping; with the judge's own context the file is mapped twice but its pages are shared, which
    the proportional set (each shared page split among its mappings) shows."""
    def field(path: str, name: str) -> float:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    return field("status", "VmHWM"), field("smaps_rollup", "Pss")


def _generated_note(generated: int, asked: int) -> str:
    if generated == asked:
        return f"all {asked} questions generated"
    return f"{generated} of {asked} questions generated; the rest abstained before generating"


if __name__ == "__main__":
    raise SystemExit(main())
