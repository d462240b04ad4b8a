"""Ask a suite's questions, in-process or against a running server (`--url`), and score each answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from eval.datasets import Question
from eval.metrics import citation_scores, cites_gold_evidence, contains_answer, draft_holds_answer, hits_and_rank
from rag.filters import SearchFilter
from rag.grounding import Judge
from rag.pipeline import Pipeline, without_dating_note
from rag.services import Services
from rag.settings import Settings
from rag.types import Answer, Article, CheckedSentence
from rag.verification import with_header

log = logging.getLogger(__name__)

RETRIEVAL_K = 10


@dataclass(frozen=True)
class Outcome:
    """One answer, in the same shape whether it came from the library or over HTTP."""

    answer: str
    abstained: bool
    citations: list[dict[str, Any]]  # n, article_id, text
    sentences: list[dict[str, Any]]  # claim, verdict, cited, support, reason
    passages: list[dict[str, Any]]  # article_id, text, score
    timings: dict[str, float]
    usage: dict[str, int]
    evidence_date: str | None = None  # the newest cited article's date
    time_window: tuple[str, str] | list[str] | None = None  # the question's publication window
    about_present: bool = False


class Service(Protocol):
    def ask(self, question: str, as_of: str | None = None) -> Outcome: ...

    def search(self, query: str, top_k: int, as_of: str | None = None) -> list[dict[str, Any]]: ...

    def add(self, articles: Sequence[Article]) -> None: ...


@dataclass
class InProcessService:
    pipeline: Pipeline
    index: Callable[[Article], object]

    def ask(self, question: str, as_of: str | None = None) -> Outcome:
        return outcome_from_answer(self.pipeline.ask(question, filters=SearchFilter(as_of=as_of)))

    def search(self, query: str, top_k: int, as_of: str | None = None) -> list[dict[str, Any]]:
        return [{"article_id": h.chunk.article_id, "text": h.chunk.text, "score": h.score}
                for h in self.pipeline.search(query, top_k, SearchFilter(as_of=as_of))]

    def add(self, articles: Sequence[Article]) -> None:
        for article in articles:
            self.index(article)


@dataclass
class HttpService:
    url: str
    timeout: float = 300.0

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        import httpx

        response = httpx.post(self.url.rstrip("/") + path, json=body, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def ask(self, question: str, as_of: str | None = None) -> Outcome:
        body = self._post("/ask", {"question": question, "as_of": as_of})
        return Outcome(body["answer"], body["abstained"], body["citations"], body["sentences"], body["passages"],
                       body["timings"], body["usage"], body.get("evidence_date"), body.get("time_window"),
                       body.get("about_present", False))

    def search(self, query: str, top_k: int, as_of: str | None = None) -> list[dict[str, Any]]:
        return list(self._post("/search", {"query": query, "top_k": top_k, "as_of": as_of})["passages"])

    def add(self, articles: Sequence[Article]) -> None:
        for a in articles:
            self._post("/documents", {"id": a.article_id, "title": a.title, "text": a.text,
                                      "published": a.published, "url": a.url, "source": a.source})


def outcome_from_answer(answer: Answer) -> Outcome:
    return Outcome(
        answer=answer.answer, abstained=answer.abstained,
        citations=[{"n": c.n, "article_id": c.article_id, "title": c.title, "published": c.published, "text": c.text}
                   for c in answer.citations],
        sentences=[asdict(s) | {"cited": list(s.cited), "vetoes": list(s.vetoes)} for s in answer.sentences],
        passages=[{"article_id": h.chunk.article_id, "title": h.chunk.title, "published": h.chunk.published,
                   "text": h.chunk.text, "shown": None if h.shown is None else h.shown_text, "score": h.score}
                  for h in answer.passages],
        timings=dict(answer.timings),
        usage={"prompt_tokens": answer.usage.prompt_tokens, "completion_tokens": answer.usage.completion_tokens},
        evidence_date=answer.evidence_date, time_window=answer.time_window, about_present=answer.about_present)


@dataclass
class QuestionResult:
    id: str
    type: str
    question: str
    answerable: bool
    accepted: list[str]
    answer: str = ""
    abstained: bool = False
    correct: bool = False
    # The model's draft (the sentences it wrote, before verification removed or replaced any) holds an
    # accepted answer (`eval.metrics.draft_holds_answer`): an answerable question whose draft does and whose
    # answer does not was lost in verification. One whose draft does not was missed before verification (by
    # the model, or by retrieval that never showed it the answer), unless verification's own additions made
    # it right (a conflict question's second figure, `find_conflicts`).
    draft_correct: bool = False
    # Where an answerable question's answer was lost (`lost_at`): "not retrieved" (no passage shown to the
    # model holds it), "not drafted" (the model's draft does not), "removed by verification"; "" when right.
    lost_at: str = ""
    as_of: str | None = None  # the day the question was asked on
    evidence_date: str | None = None
    time_window: list[str] | None = None
    # A question about the present ("this week") answered from cited articles all outside its window.
    stale: bool = False
    wrong: bool = False  # answered (not abstained) without an accepted answer
    match: str = "any"  # how `accepted` is matched (eval.metrics.contains_answer)
    citations: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    # The passages the model was given (article, title, date, whole text, the part it was shown, reranker
    # score), so a check that runs after generation can be recomputed exactly from a saved run.
    passages: list[dict[str, Any]] = field(default_factory=list)
    answer_sentences: int = 0  # sentences in the returned answer
    recalled: int = 0
    citation_count: int = 0
    precise: int = 0
    faithful: int = 0
    answer_bearing: int = 0  # kept sentences holding an accepted answer (answerable questions with gold evidence)
    gold_cited: int = 0  # of those, sentences citing a passage that holds the gold evidence
    gold_rank: int | None = None  # retrieval: rank of the first gold passage in the top 10
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    error: str = ""


def run_questions(service: Service, questions: Iterable[Question], judge: Judge, use_fact_rule: bool,
                  progress: Callable[[Iterable[Question]], Iterable[Question]] = lambda q: q,
                  as_of: str | None = None) -> list[QuestionResult]:
    return [score_question(service, q, judge, use_fact_rule, as_of) for q in progress(questions)]


def lost_at(result: QuestionResult, outcome: Outcome, q: Question) -> str:
    """Where an answerable question's answer was lost; "" when it was not (or the question has none)."""
    if not q.answerable or result.correct:
        return ""
    shown = " ".join(p["shown"] or p["text"] for p in outcome.passages)
    if not contains_answer(shown, q.accepted, q.match):
        return "not retrieved"
    return "removed by verification" if result.draft_correct else "not drafted"


def is_stale(outcome: Outcome) -> bool:
    """An answer to a question about the present whose cited articles are all dated outside its window."""
    if outcome.abstained or not outcome.about_present or not outcome.time_window or not outcome.citations:
        return False
    start, end = outcome.time_window
    dated = [c.get("published") for c in outcome.citations]
    return all(d and not start <= d <= end for d in dated)


def score_question(service: Service, q: Question, judge: Judge, use_fact_rule: bool,
                   as_of: str | None = None) -> QuestionResult:
    """`q` asked on its own day, else on `as_of` (the suite's)."""
    day = q.as_of or as_of
    result = QuestionResult(q.id, q.type, q.question, q.answerable, list(q.accepted), as_of=day, match=q.match)
    try:
        started = time.perf_counter()
        outcome = service.ask(q.question, day)
        result.timings = outcome.timings | {"client_total": time.perf_counter() - started}
        passages = service.search(q.question, RETRIEVAL_K, day)
    except Exception as exc:  # one failing question must not end a long run; it is reported
        log.warning("question %s failed: %s", q.id, exc)
        result.error = str(exc)
        return result
    result.answer, result.abstained, result.usage = outcome.answer, outcome.abstained, outcome.usage
    result.citations, result.sentences, result.passages = outcome.citations, outcome.sentences, outcome.passages
    said = without_dating_note(outcome.answer)  # "(As of 10 March 2026 …)" must not make "10" right
    result.correct = (not q.answerable and outcome.abstained) or (
        q.answerable and not outcome.abstained and contains_answer(said, q.accepted, q.match))
    result.draft_correct = q.answerable and draft_holds_answer([s["claim"] for s in outcome.sentences], q.accepted,
                                                               q.match)
    result.evidence_date = outcome.evidence_date
    result.time_window = list(outcome.time_window) if outcome.time_window else None
    result.lost_at = lost_at(result, outcome, q)
    result.wrong = not outcome.abstained and not (q.accepted and contains_answer(said, q.accepted, q.match))
    result.stale = is_stale(outcome)
    result.gold_rank = hits_and_rank([(p["article_id"], p["text"]) for p in passages], q.articles, q.quotes,
                                     use_fact_rule) if q.answerable else None
    if not outcome.abstained:
        _score_citations(result, outcome, judge, q.question)
        if q.answerable and q.quotes:
            _score_gold_citations(result, outcome, q)
    return result


def _score_citations(result: QuestionResult, outcome: Outcome, judge: Judge, question: str) -> None:
    # Judged as the model saw them: with the article's title and date.
    texts = {c["n"]: with_header(c["title"], c["published"], c["text"]) for c in outcome.citations}
    # What each sentence says in the answer: the model's claim, or the source sentence quoted in its place.
    pairs = [(s.stated, [texts[n] for n in s.cited if n in texts]) for s in _kept_sentences(outcome)]
    scores = citation_scores(pairs, judge, question)
    context = "\n\n".join(with_header(p["title"], p["published"], p["text"]) for p in outcome.passages)
    result.answer_sentences = scores.sentences
    result.recalled, result.citation_count, result.precise = scores.recalled, scores.citations, scores.precise
    result.faithful = sum(judge.judge(claim, context, question).supported for claim, _ in pairs)


def _score_gold_citations(result: QuestionResult, outcome: Outcome, q: Question) -> None:
    """Judge-free: does each sentence that gives an accepted answer cite the passage holding the gold evidence?"""
    texts = {c["n"]: c["text"] for c in outcome.citations}
    for sentence in _kept_sentences(outcome):
        stated = [a for a in q.accepted if contains_answer(sentence.stated, [a])]
        if stated:
            quotes = _evidence_for(stated, q)
            result.answer_bearing += 1
            result.gold_cited += cites_gold_evidence([texts[n] for n in sentence.cited if n in texts], quotes)


def _evidence_for(stated: Sequence[str], q: Question) -> Sequence[str]:
    """The gold quotes that count as evidence for a sentence stating the accepted answers `stated`.

    When every quote holds an accepted answer, each is the evidence for its own (a conflict question
    has one per figure), so only those holding what the sentence states count. Otherwise the quotes
    are clues towards one answer (a MultiHop-RAG inference question: "released a 'lite' version of
    an AI model" is evidence for "Google" without naming it), and any of them counts."""
    per_answer = all(contains_answer(quote, list(q.accepted)) for quote in q.quotes)
    holding = [quote for quote in q.quotes if contains_answer(quote, list(stated))]
    return holding if per_answer and holding else q.quotes


def _kept_sentences(outcome: Outcome) -> list[CheckedSentence]:
    """The answer's sentences that verification kept, as the service returned them."""
    return [CheckedSentence(**{**s, "cited": tuple(s["cited"]), "vetoes": tuple(s.get("vetoes", ()))})
            for s in outcome.sentences
            if s["verdict"] != "removed"]


def indexed_services(suite: str, corpus: Sequence[Article], out: Path) -> Services:
    """The real services over `out`/index, collection `eval-<suite>` (shared with `python -m eval run`), with
    `corpus` indexed (an upsert: unchanged articles cost nothing)."""
    from rag.services import load_services

    services = load_services(replace(Settings.from_env(), index_dir=out / "index", collection=f"eval-{suite}"))
    for _ in services.indexer.index_all(corpus):
        pass
    return services
