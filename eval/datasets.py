"""The question sets: the hand-written seed suite, the MultiHop-RAG subset, and the judge's labelled pairs."""

from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from rag.articles import make_article
from rag.types import Article

DATA_DIR = Path(__file__).resolve().parent / "data"
# The workplace's read-only data sits beside the checkout (../shared); RAG_SHARED_DIR overrides.
SHARED_DIR = Path(os.environ.get("RAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
MULTIHOP_DIR = SHARED_DIR / "data" / "multihop_rag"
REALTIMEQA_DIR = SHARED_DIR / "data" / "realtimeqa"
NULL_ANSWER = "Insufficient information."


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    type: str
    answerable: bool
    accepted: tuple[str, ...]  # a correct answer contains one of these (all of them when match == "all")
    match: str = "any"
    articles: tuple[str, ...] = ()  # gold article ids
    quotes: tuple[str, ...] = ()  # gold supporting text, one per article
    as_of: str | None = None  # the day the question is asked (ISO); None: the suite's own day


@dataclass(frozen=True)
class JudgePair:
    id: str
    article_id: str
    passage: str
    claim: str
    supported: bool
    kind: str
    question: str = ""  # the question the claim answers, for pairs taken from real answers


def seed_questions(path: Path = DATA_DIR / "seed_questions.jsonl") -> list[Question]:
    """The hand-checked questions over data/articles; conflict questions need every figure."""
    questions = []
    for line in path.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            questions.append(Question(r["id"], r["question"], r["type"], r["answerable"], tuple(r["accepted"]),
                                      "all" if r["type"] == "conflict" else "any", tuple(r["articles"]),
                                      tuple(r["quotes"])))
    return questions


def heldout_questions(path: Path = DATA_DIR / "heldout_questions.jsonl") -> list[Question]:
    """Questions over the same articles on facts the seed questions do not ask, written after the
    service's thresholds were tuned on the seed questions: an estimate that was not tuned on."""
    return seed_questions(path)


def fresh_questions(path: Path = DATA_DIR / "fresh_questions.jsonl") -> list[Question]:
    """A second held-out set, written by someone who had not seen the service's checks or its answers,
    after the held-out set had shaped them."""
    return seed_questions(path)


def judge_pairs(path: Path = DATA_DIR / "judge_pairs.jsonl") -> list[JudgePair]:
    """Claims written for the judge: sentences of the seed articles, paraphrases and mutations."""
    return [JudgePair(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def answer_pairs(path: Path = DATA_DIR / "answer_pairs.jsonl") -> list[JudgePair]:
    """Claims the default model wrote in seed-suite runs, labelled by hand, each with its question and
    the passage (title line and chunk) it was judged against: harder than the written pairs, since
    real answers restate the question around the fact they add."""
    return judge_pairs(path)


def role_pairs(path: Path = DATA_DIR / "role_pairs.jsonl") -> list[JudgePair]:
    """Sentences of RealTimeQA's articles with their parties swapped (winner and loser, who sued whom),
    kept, or restated in the other voice: for the roles check (`rag.roles`), written beside it."""
    return judge_pairs(path)


def multihop_corpus(directory: Path = MULTIHOP_DIR) -> list[Article]:
    """One article per evidence URL, its text the facts quoted from it (the subset has no full bodies)."""
    truth = json.loads((directory / "ground_truth.json").read_text())
    by_url: dict[str, dict[str, object]] = {}
    for record in truth.values():
        for evidence in record["evidence_list"]:
            entry = by_url.setdefault(evidence["url"], {"meta": evidence, "facts": []})
            facts = entry["facts"]
            assert isinstance(facts, list)
            if evidence["fact"] not in facts:
                facts.append(evidence["fact"])
    return [make_article(multihop_article_id(url), "\n\n".join(entry["facts"]),  # type: ignore[arg-type]
                         title=entry["meta"]["title"], published=entry["meta"]["published_at"][:10],  # type: ignore[index]
                         source=entry["meta"]["source"], url=url, origin="multihop_rag")  # type: ignore[index]
            for url, entry in by_url.items()]


def multihop_article_id(url: str) -> str:
    return "mh-" + hashlib.sha1(url.encode()).hexdigest()[:12]


def multihop_questions(directory: Path = MULTIHOP_DIR, sample: int | None = None, seed: int = 7) -> list[Question]:
    """All 500 questions, or a fixed sample (the same for a given size and seed)."""
    queries = json.loads((directory / "queries.json").read_text())["queries"]
    truth = json.loads((directory / "ground_truth.json").read_text())
    questions = []
    for q in queries:
        record = truth[str(q["id"])]
        answerable = record["answer"] != NULL_ANSWER
        evidence = record["evidence_list"]
        questions.append(Question(f"mh{q['id']}", q["question"], q["question_type"], answerable,
                                  (record["answer"],) if answerable else (),
                                  articles=tuple(dict.fromkeys(multihop_article_id(e["url"]) for e in evidence)),
                                  quotes=tuple(e["fact"] for e in evidence)))
    if sample is not None and sample < len(questions):
        questions = sorted(random.Random(seed).sample(questions, sample), key=lambda q: int(q.id[2:]))
    return questions


def realtimeqa_articles(directory: Path = REALTIMEQA_DIR) -> list[Article]:
    """The 714 articles a web search returned for RealTimeQA's January-March 2026 questions."""
    from rag.articles import article_from_record

    return [article_from_record(json.loads(line), "", origin="realtimeqa")
            for line in (directory / "articles.jsonl").read_text().splitlines() if line.strip()]


def realtimeqa_questions(directory: Path = REALTIMEQA_DIR) -> list[Question]:
    """RealTimeQA's 95 dated news-quiz questions, open-ended (the quiz's choices are never used), each asked
    on its `question_date`; answerable when the gold answer's words occur in the articles. A right answer
    holds the gold answer, or every content word of it (`eval.metrics.contains_answer`, match "words")."""
    questions = []
    for line in (directory / "questions.jsonl").read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            answerable = bool(r["answer_in_articles"])
            # The gold answer is kept for the unanswerable ones too: an answer holding it is not wrong.
            questions.append(Question(r["id"], r["question"], "realtimeqa", answerable, (r["answer"],), "words",
                                      quotes=(r["evidence"],) if answerable else (), as_of=r["question_date"]))
    return questions


@dataclass(frozen=True)
class FrontierAnswer:
    model: str
    question_id: str
    prediction: str


def frontier_answers(directory: Path = REALTIMEQA_DIR) -> list[FrontierAnswer]:
    """Eight frontier models' open-ended answers to the same questions, each given its top-5 search results."""
    return [FrontierAnswer(**json.loads(line)) for line in (directory / "frontier.jsonl").read_text().splitlines()
            if line.strip()]


def realtimeqa_gold(directory: Path = REALTIMEQA_DIR) -> dict[str, str]:
    """Every question's gold answer, answerable or not (frontier answers are scored against it)."""
    return {r["id"]: r["answer"] for line in (directory / "questions.jsonl").read_text().splitlines()
            if line.strip() for r in [json.loads(line)]}


def seed_articles(directory: Path) -> list[Article]:
    """The bundled articles (RAG_ARTICLES_DIR), the seed suites' corpus."""
    from rag.articles import read_path

    return [a for p in sorted(directory.glob("*.txt")) for a in read_path(p)]


def questions_by_id() -> dict[str, Question]:
    """Every suite question a labelled set may point at: seed, held-out, fresh and RealTimeQA."""
    return {q.id: q for q in [*seed_questions(), *heldout_questions(), *fresh_questions(), *realtimeqa_questions()]}
