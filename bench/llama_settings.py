"""`python -m bench.llama_settings`: llama.cpp settings for the default model on this machine.

Loads the model once per variant (llama.cpp's defaults; flash attention) and, taking turns so
that the machine's drift falls on every variant alike, times processing one seed-question prompt
from an empty KV cache and decoding a fixed number of tokens after it. Writes a table into
docs/benchmarks.md between markers, with the command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from typing import Any

from bench.speed import DOC, write_section
from rag.settings import Settings

VARIANTS: dict[str, dict[str, Any]] = {
    "llama.cpp defaults": {},
    "flash attention (RAG_FLASH_ATTN=1)": {"flash_attn": True},
}
DECODE_TOKENS = 32


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.llama_settings", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    tokens, rows = measure(args.rounds)
    table = report(tokens, rows, args.rounds)
    write_section(DOC, "llama-settings-table", table)
    print(table)


def measure(rounds: int) -> tuple[int, dict[str, dict[str, list[float]]]]:
    """The prompt's length in tokens, and per variant its prompt and decode rates (tokens/s), a value a round."""
    from llama_cpp import Llama

    from rag.modelfile import resolve_model_path

    settings = Settings.from_env()
    path = str(resolve_model_path(settings.llm_path, settings.model_cache))
    models = {name: Llama(model_path=path, n_ctx=settings.llm_context, n_threads=settings.llm_threads,
                          n_threads_batch=settings.llm_threads, verbose=False, **options)
              for name, options in VARIANTS.items()}
    prompt = models["llama.cpp defaults"].tokenize(_seed_prompt().encode("utf-8"), special=True)
    rows: dict[str, dict[str, list[float]]] = {name: {"prompt": [], "decode": []} for name in models}
    for _ in range(rounds):
        for name, llm in models.items():
            llm.reset()
            started = time.perf_counter()
            llm.eval(prompt)
            rows[name]["prompt"].append(len(prompt) / (time.perf_counter() - started))
            started = time.perf_counter()
            for _token in range(DECODE_TOKENS):
                llm.eval([llm.sample(temp=0.0)])
            rows[name]["decode"].append(DECODE_TOKENS / (time.perf_counter() - started))
    return len(prompt), rows


def _seed_prompt() -> str:
    """A realistic prompt: the system message and the first seed article's opening as sources."""
    from rag.prompting import SYSTEM_PROMPT

    article = next(iter(sorted(Settings.from_env().articles_dir.glob("*.txt")))).read_text(encoding="utf-8")
    return f"{SYSTEM_PROMPT}\n\nSources:\n[1] {article[:1600]}\n\nQuestion: Who said what at the summit?"


def report(tokens: int, rows: dict[str, dict[str, list[float]]], rounds: int) -> str:
    base = statistics.median(rows["llama.cpp defaults"]["prompt"])
    lines = [f"Written by `python -m bench.llama_settings --rounds {rounds}` on {dt.date.today().isoformat()}: "
             f"a {tokens}-token prompt from an empty cache, then {DECODE_TOKENS} decoded tokens; medians of "
             f"{rounds} rounds, the variants taking turns.", "",
             "| llama.cpp setting | prompt tokens/s | decode tokens/s | prompt speed vs defaults |",
             "|---|---|---|---|"]
    for name, row in rows.items():
        prompt, decode = statistics.median(row["prompt"]), statistics.median(row["decode"])
        lines.append(f"| {name} | {prompt:.1f} | {decode:.1f} | {prompt / base:.2f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
