"""`python -m eval followups`: how well follow-up questions are made standalone, on labelled conversations.

Each conversation (eval/data/followup_conversations.jsonl) is an earlier exchange and a follow-up that
leans on it ("How long did it last?"), written so that its answer is a known suite question's: the
seed, held-out and fresh questions over the seed articles, and RealTimeQA's over its archive (asked on
the question's own date). Each way of rewriting is scored by what the follow-up then gets:

- retrieved: the gold answer is in one of the passages the model would be shown (the top-k at or
  above the relevance floor), judged by the answer string alone, as `eval.runner.lost_at` does;
- right (with --answers): the whole answer holds the gold answer.

The rewriters: `asked` (the follow-up as it is), `rules` (rag.conversation, the default), `model`
(the generator writes the standalone question) and `target` (the suite question itself: the ceiling).
Odd-numbered conversations are the development split, even-numbered ones the test split: the model's
prompt was written on the former's kind of questions; both are reported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from eval.datasets import DATA_DIR, Question, questions_by_id, realtimeqa_articles, seed_articles
from eval.metrics import contains_answer, percentile
from rag.conversation import ModelRewriter, Turn, standalone_question
from rag.filters import SearchFilter
from rag.pipeline import Pipeline, without_dating_note
from rag.settings import Settings

CONVERSATIONS_FILE = DATA_DIR / "followup_conversations.jsonl"
REWRITERS = ("asked", "rules", "model", "target")


@dataclass(frozen=True)
class Conversation:
    id: str
    suite: str  # "seed" or "realtimeqa": which articles answer it
    target: Question  # the standalone question the follow-up means; its gold answer is the follow-up's
    split: str
    history: tuple[Turn, ...]
    follow_up: str


@dataclass
class Tally:
    asked: int = 0
    retrieved: int = 0
    right: int = 0
    abstained: int = 0
    seconds: list[float] = field(default_factory=list)  # of the rewrite alone


def conversations(path: Path = CONVERSATIONS_FILE) -> list[Conversation]:
    questions = questions_by_id()
    found = []
    for line in path.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            found.append(Conversation(r["id"], r["suite"], questions[r["target"]], r["split"],
                                      tuple(Turn(t["role"], t["content"]) for t in r["history"]), r["follow_up"]))
    return found


def rewriter(name: str, pipeline: Pipeline) -> Callable[[Conversation], str]:
    limit = pipeline.policy.max_question_chars
    return {
        "asked": lambda c: c.follow_up,
        "rules": lambda c: standalone_question(c.history, c.follow_up, limit),
        "model": lambda c: replace(pipeline, rewriter=ModelRewriter(pipeline.generator)).standalone(c.history,
                                                                                                   c.follow_up),
        "target": lambda c: c.target.question,
    }[name]


def measure(pipeline: Pipeline, asked: Sequence[Conversation], as_of: str | None, answers: bool,
            rewriters: Sequence[str], tallies: dict[tuple[str, str], Tally]) -> list[dict[str, object]]:
    """Each conversation asked each way, counted into `tallies` per (rewriter, split); one row per
    conversation and rewriter, for the report."""
    rows: list[dict[str, object]] = []
    for name in rewriters:
        rewrite = rewriter(name, pipeline)
        for c in asked:
            started = time.perf_counter()
            question = rewrite(c)
            spent = time.perf_counter() - started
            day = c.target.as_of or as_of
            filters = SearchFilter(as_of=day)
            shown = [h.chunk.text for h in pipeline.search(question, filters=filters)
                     if h.score >= pipeline.policy.min_relevance]
            retrieved = contains_answer(" ".join(shown), c.target.accepted, c.target.match)
            tally = tallies.setdefault((name, c.split), Tally())
            tally.asked += 1
            tally.retrieved += retrieved
            tally.seconds.append(spent)
            row: dict[str, object] = {"id": c.id, "rewriter": name, "question": question, "retrieved": retrieved}
            if answers and name != "asked":
                answer = pipeline.ask(question, filters=filters)
                right = not answer.abstained and contains_answer(without_dating_note(answer.answer),
                                                                 c.target.accepted, c.target.match)
                tally.right += right
                tally.abstained += answer.abstained
                row |= {"answer": answer.answer, "right": right}
            rows.append(row)
    return rows


def table(tallies: dict[tuple[str, str], Tally], answers: bool) -> list[str]:
    header = "| rewriter | split | conversations | gold retrieved |" + (" right | abstained |" if answers else "") \
        + " rewrite p50 s |"
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for (name, split), t in sorted(tallies.items(), key=lambda kv: (REWRITERS.index(kv[0][0]), kv[0][1])):
        cells = [name, split, str(t.asked), f"{t.retrieved} ({t.retrieved / t.asked:.0%})"]
        if answers:
            cells += ["—", "—"] if name == "asked" else [f"{t.right} ({t.right / t.asked:.0%})", str(t.abstained)]
        cells.append(f"{percentile(t.seconds, 50):.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def run(out: Path, answers: bool, rewriters: Sequence[str] = REWRITERS) -> list[str]:
    """Both suites' conversations, each over its own index; the table, and the rows in `out`."""
    from eval.cli import suite_day
    from eval.runner import indexed_services

    tallies: dict[tuple[str, str], Tally] = {}
    rows: list[dict[str, object]] = []
    for suite in ("seed", "realtimeqa"):
        asked = [c for c in conversations() if c.suite == suite]
        if not asked:
            continue
        corpus = realtimeqa_articles() if suite == "realtimeqa" else seed_articles(Settings.from_env().articles_dir)
        services = indexed_services(suite, corpus, out)
        own_rows = measure(services.pipeline, asked, suite_day(corpus), answers, rewriters, tallies)
        rows += [{"suite": suite, **row} for row in own_rows]
        del services
    out.mkdir(parents=True, exist_ok=True)
    (out / "followups.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return table(tallies, answers)
