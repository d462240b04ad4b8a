"""The prompt: a fixed system message (reused from the KV cache) and numbered sources."""

from __future__ import annotations

from collections.abc import Sequence

from rag.generation import Message
from rag.injection import neutralise, strip_control_tokens
from rag.types import Hit

NOT_FOUND = "The articles do not say."

# Fixed, so llama.cpp reuses its KV cache across questions. The worked example is what makes the
# 1.5B default model cite reliably (measured: it cited 6/6 probe questions with it, 1/6 without).
SYSTEM_PROMPT = f"""You answer questions about news articles using only the numbered sources the user gives.
Rules:
- Answer the exact question directly in one or two short sentences. If it asks "how many", give the number.
- Use only facts stated in the sources; copy names, numbers and dates exactly as written there.
- Each source shows its publication date. For "this week", "now" or "latest", use the sources closest to today.
- If the sources give different answers, give the one from the most recent source.
- End each sentence with the number of the source it comes from in square brackets.
- If no source answers the question, reply only: {NOT_FOUND}

Example
Sources:
[1] Summit news (2025-01-10)
The ministers met in Oslo on Monday. Norway said it would send 300 engineers to the mission.
[2] Trade talks (2025-01-11)
Sweden declined to join the mission but offered funding.
Question: How many engineers will Norway send?
Answer: Norway will send 300 engineers to the mission [1]."""

JUDGE_QUESTION = "Does the passage state this? Answer yes or no."


def build_messages(question: str, hits: Sequence[Hit], today: str | None = None) -> list[Message]:
    """Chat messages for one question asked on `today` (ISO); source `[n]` is `hits[n - 1]`."""
    dated = f"Today is {today}.\n\n" if today else ""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{dated}Sources:\n{format_sources(hits)}\n\n"
                                    f"Question: {strip_control_tokens(question)}"},
    ]


def format_sources(hits: Sequence[Hit]) -> str:
    return "\n\n".join(_format_source(n, hit) for n, hit in enumerate(hits, start=1))


def _format_source(n: int, hit: Hit) -> str:
    chunk = hit.chunk
    # Article text is data: anything in it that could pass for an instruction or a citation is neutralised.
    return f"[{n}] {neutralise(chunk.title)} ({chunk.published or 'undated'})\n{neutralise(hit.shown_text)}"


def answer_grammar(sources: int) -> str:
    """A llama.cpp GBNF grammar for the answer: the not-found sentence, or one to four sentences that
    each end with markers of sources that exist. (RAG_GRAMMAR; measured in docs/evaluation.md.)"""
    numbers = " | ".join(f'"{n}"' for n in range(1, sources + 1))
    return "\n".join([
        "root ::= notfound | sentence (\" \" sentence){0,3}",
        f"notfound ::= \"{NOT_FOUND}\"",
        'sentence ::= [^\\[\\]\\n]+ " " marker+ "."',
        f'marker ::= "[" ({numbers}) "]"',
    ])


def build_judge_messages(claim: str, passage: str) -> list[Message]:
    """A yes/no support question that shares the answer prompt's system message, so its KV cache is
    reused; its first part, up to the end of `judge_passage_block(passage)`, is the same for every claim
    judged against that passage."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{judge_passage_block(passage)}\n\n"
                                    f"Statement: {strip_control_tokens(claim)}\n\n{JUDGE_QUESTION}"},
    ]


def judge_passage_block(passage: str) -> str:
    return f"Passage:\n{strip_control_tokens(passage)}"
