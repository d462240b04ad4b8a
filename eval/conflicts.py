"""`python -m eval conflicts`: does the answer name both sides when the sources disagree?

Each case (eval/data/conflict_swaps.jsonl) takes a suite question whose answer an article states, and
adds a copy of that article, as another outlet's report, in which the answer is swapped for another
value of its kind: a name, a place, a date or a figure ("Elysee Palace" → "Matignon Palace"). The
question is then asked over the suite's articles and the copy. Scored:

- both: the answer holds the original answer and the swapped one (it names the disagreement);
- one side: it holds only one of them (it picked a side);
- abstained, or neither.

The swap is made in the sentence that states the answer (the seed questions' gold quote; for RealTimeQA,
the sentence of the article named in the case), so the copy disagrees on exactly one thing. Odd-numbered
cases are the development split, even-numbered ones the test split.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import DATA_DIR, Question, questions_by_id, realtimeqa_articles, seed_articles
from eval.metrics import contains_answer
from rag.articles import make_article
from rag.errors import DocumentNotFound
from rag.filters import SearchFilter
from rag.pipeline import Pipeline, without_dating_note
from rag.settings import Settings
from rag.types import Article

SWAPS_FILE = DATA_DIR / "conflict_swaps.jsonl"


@dataclass(frozen=True)
class Swap:
    id: str
    suite: str
    target: Question
    kind: str  # name, place, date or figure
    old: str
    new: str
    other: tuple[str, ...]  # the swapped side's accepted answers
    split: str
    article: str | None = None  # RealTimeQA: the article and the sentence the swap is made in
    sentence: str | None = None


def swaps(path: Path = SWAPS_FILE) -> list[Swap]:
    questions = questions_by_id()
    return [Swap(r["id"], r["suite"], questions[r["target"]], r["kind"], r["from"], r["to"], tuple(r["other"]),
                 r["split"], r.get("article"), r.get("sentence"))
            for r in map(json.loads, filter(str.strip, path.read_text().splitlines()))]


def swapped_copy(swap: Swap, corpus: Sequence[Article]) -> Article:
    """Another outlet's copy of the article stating the answer, with the answer swapped in that sentence."""
    if swap.article:
        [article] = [a for a in corpus if a.article_id == swap.article]
        sentence = swap.sentence or ""
    else:
        quote = swap.target.quotes[0]
        article = next(a for a in corpus if a.article_id in swap.target.articles and quote in a.text)
        sentence = quote
    if sentence not in article.text or swap.old not in sentence:
        raise ValueError(f"{swap.id}: {swap.old!r} is not in the sentence {sentence[:60]!r} of {article.article_id}")
    text = article.text.replace(sentence, sentence.replace(swap.old, swap.new))
    return make_article(f"{article.article_id}-other", text, title=article.title, published=article.published,
                        source="another outlet", url=None, origin="eval-conflicts")


def outcome(answer_text: str, abstained: bool, swap: Swap) -> str:
    if abstained:
        return "abstained"
    said = without_dating_note(answer_text)
    original = contains_answer(said, swap.target.accepted, swap.target.match)
    swapped = contains_answer(said, swap.other)
    return {(True, True): "both", (True, False): "original only", (False, True): "swapped only"}.get(
        (original, swapped), "neither")


def measure(pipeline: Pipeline, index: object, cases: Sequence[Swap], corpus: Sequence[Article],
            as_of: str | None) -> list[dict[str, object]]:
    """Each case asked with its copy indexed, the copy removed afterwards."""
    rows = []
    for swap in cases:  # a run killed mid-case leaves its copy behind: it goes first
        with contextlib.suppress(DocumentNotFound):
            index.delete(swapped_copy(swap, corpus).article_id)  # type: ignore[attr-defined]
    for swap in cases:
        copy = swapped_copy(swap, corpus)
        index.index(copy)  # type: ignore[attr-defined]
        try:
            answer = pipeline.ask(swap.target.question, filters=SearchFilter(as_of=swap.target.as_of or as_of))
        finally:
            index.delete(copy.article_id)  # type: ignore[attr-defined]
        rows.append({"id": swap.id, "kind": swap.kind, "split": swap.split, "question": swap.target.question,
                     "answer": answer.answer, "outcome": outcome(answer.answer, answer.abstained, swap),
                     "copy_shown": any(h.chunk.article_id == copy.article_id for h in answer.passages),
                     "conflicts": len(answer.conflicts)})
    return rows


def table(rows: Sequence[dict[str, object]]) -> list[str]:
    lines = ["| split | kind | cases | both sides named | original only | swapped only | abstained | neither |"
             " copy shown |", "|---|---|---|---|---|---|---|---|---|"]
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    for row in rows:
        for key in ((str(row["split"]), str(row["kind"])), (str(row["split"]), "all"), ("all", "all")):
            groups.setdefault(key, []).append(row)
    for (split, kind), own in sorted(groups.items()):
        counts = Counter(str(r["outcome"]) for r in own)
        lines.append(f"| {split} | {kind} | {len(own)} | {counts['both']} ({counts['both'] / len(own):.0%}) | "
                     f"{counts['original only']} | {counts['swapped only']} | {counts['abstained']} | "
                     f"{counts['neither']} | {sum(bool(r['copy_shown']) for r in own)} |")
    return lines


def run(out: Path) -> list[str]:
    from eval.cli import suite_day
    from eval.runner import indexed_services

    rows: list[dict[str, object]] = []
    for suite in ("seed", "realtimeqa"):
        cases = [s for s in swaps() if s.suite == suite]
        corpus = realtimeqa_articles() if suite == "realtimeqa" else seed_articles(Settings.from_env().articles_dir)
        services = indexed_services(suite, corpus, out)
        rows += measure(services.pipeline, services.indexer, cases, corpus, suite_day(corpus))
        del services
    out.mkdir(parents=True, exist_ok=True)
    (out / "conflicts.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return table(rows)
