"""Question in, cited answer out: retrieve, prompt, generate (streaming), resolve citations."""

from __future__ import annotations

import re
import time
from collections.abc import Generator as Steps
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rag import citations
from rag.chunking import sentence_spans
from rag.errors import BadRequest
from rag.evidence import EvidenceSelector
from rag.filters import NO_FILTER, SearchFilter
from rag.gate import Gate, Ticket
from rag.generation import Generator
from rag.grounding import RuleJudge
from rag.prompting import NOT_FOUND, answer_grammar, build_messages
from rag.retrieval import Retriever
from rag.types import Answer, CheckedSentence, Hit, Usage
from rag.verification import Verifier, find_conflicts

# How a small model says, in its own words, that the sources lack the answer. It must be about the
# sources: "Italy does not provide troops" is a claim to verify, not an abstention.
_ABSTENTION = re.compile(
    r"\b(?:articles?|sources?|passages?|texts?|context)\b[^.]*\b(?:do(?:es)?n[o']t|not|no)\b"
    r"|\b(?:not|no)\b[^.]*\b(?:in|from) the (?:articles?|sources?|passages?)"
    r"|\bI (?:do not|don't) know\b|\bno information\b|\bcannot (?:be )?answer",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in sentence_spans(text)]


@dataclass(frozen=True)
class TokenEvent:
    """A piece of generated text, sent as soon as the model produces it."""

    text: str


@dataclass(frozen=True)
class AnswerEvent:
    """The final, cited answer; always the last event of a stream."""

    answer: Answer


Event = TokenEvent | AnswerEvent


@dataclass(frozen=True)
class AnswerPolicy:
    top_k: int = 4
    max_top_k: int = 20
    min_relevance: float = 0.20
    max_tokens: int = 256
    max_question_chars: int = 1000
    grammar: bool = False  # constrain the answer's form with a llama.cpp grammar (prompting.answer_grammar)


@dataclass
class Pipeline:
    retriever: Retriever
    generator: Generator
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)
    verifier: Verifier = field(default_factory=lambda: Verifier(RuleJudge()))
    # Shows the model only the sentences bearing on the question and leaves out passages without any;
    # None: whole passages.
    evidence: EvidenceSelector | None = None
    gate: Gate = field(default_factory=Gate)

    def search(self, query: str, top_k: int | None = None, filters: SearchFilter = NO_FILTER) -> list[Hit]:
        """Ranked passages for a query, no generation."""
        return self.retriever.search(self._check_question(query), self._check_top_k(top_k), filters)

    def ask(self, question: str, top_k: int | None = None, filters: SearchFilter = NO_FILTER) -> Answer:
        """The whole answer at once (the stream, consumed)."""
        for event in self.stream(question, top_k, filters):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("stream() ended without an answer")  # pragma: no cover

    def stream(self, question: str, top_k: int | None = None, filters: SearchFilter = NO_FILTER) -> Iterator[Event]:
        """Token events while the model writes, then one AnswerEvent; bad input and a full queue (Busy)
        fail here, not mid-stream."""
        question, k = self._check_question(question), self._check_top_k(top_k)
        return self._run(question, k, filters, self.gate.admit())

    def _run(self, question: str, k: int, filters: SearchFilter, ticket: Ticket) -> Iterator[Event]:
        with ticket:
            started = time.perf_counter()
            hits = self.retriever.search(question, k, filters)
            relevant = [hit for hit in hits if hit.score >= self.policy.min_relevance]
            if not relevant:  # before giving up: one sentence may answer, or one clause be answered
                relevant = [hit for hit in self.retriever.by_best_part(question, hits)
                            if hit.score >= self.policy.min_relevance]
            timings = {"retrieve": time.perf_counter() - started}
            if not relevant:  # nothing close enough: abstain before spending time on generation
                yield AnswerEvent(self._abstain(question, hits, timings, Usage()))
                return
            if self.evidence is not None:
                select_started = time.perf_counter()
                relevant = self.evidence.select(question, relevant)
                timings["select"] = time.perf_counter() - select_started
                if not relevant:  # passages without a sentence in them: nothing to show the model
                    yield AnswerEvent(self._abstain(question, hits, timings, Usage()))
                    return
            queued = time.perf_counter()
            with ticket.turn():  # one answer at a time: generation and the model judge's questions
                timings["queue"] = time.perf_counter() - queued
                answer = yield from self._generate(question, relevant, timings, started)
            yield AnswerEvent(answer)  # after the turn: a consumer that stops here holds no lock

    def _generate(self, question: str, relevant: list[Hit], timings: dict[str, float],
                  started: float) -> Steps[TokenEvent, None, Answer]:
        messages = build_messages(question, relevant)
        if self.policy.grammar:  # only then: a generator without grammar support keeps working
            generation = self.generator.generate(messages, self.policy.max_tokens,
                                                 grammar=answer_grammar(len(relevant)))
        else:
            generation = self.generator.generate(messages, self.policy.max_tokens)
        pieces: list[str] = []
        generate_started = time.perf_counter()
        for piece in generation:
            if not pieces:
                timings["first_token"] = time.perf_counter() - started
            pieces.append(piece)
            yield TokenEvent(piece)
        timings["generate"] = time.perf_counter() - generate_started
        usage = Usage(generation.prompt_tokens, generation.completion_tokens)
        return self._finish(question, "".join(pieces), relevant, timings, usage, started)

    def _finish(self, question: str, raw: str, hits: Sequence[Hit], timings: dict[str, float],
                usage: Usage, started: float) -> Answer:
        verify_started = time.perf_counter()
        text = citations.normalise_markers(raw, len(hits))
        # Sentences in which the model says the sources lack the answer are not claims to verify.
        claims_text = " ".join(s for s in _sentences(text) if not _ABSTENTION.search(s))
        checked = tuple(self.verifier.check(claims_text, hits, question))
        kept = [c for c in checked if c.verdict != "removed"]
        timings["verify"] = time.perf_counter() - verify_started
        timings["total"] = time.perf_counter() - started
        if not kept:  # nothing the articles support is left: abstain, showing the closest passages
            return self._abstain(question, hits, timings, usage, checked)
        conflicts = find_conflicts(kept, hits)
        answer = " ".join([c.text for c in kept] + [c.sentence() for c in conflicts])
        return Answer(question=question, answer=answer, citations=citations.resolve(answer, hits), abstained=False,
                      model=self.generator.name, usage=usage, timings=timings, passages=tuple(hits),
                      sentences=checked)

    def _abstain(self, question: str, hits: Sequence[Hit], timings: dict[str, float], usage: Usage,
                 checked: tuple[CheckedSentence, ...] = ()) -> Answer:
        timings.setdefault("total", sum(timings.values()))
        return Answer(question=question, answer=NOT_FOUND, citations=(), abstained=True,
                      model=self.generator.name, usage=usage, timings=timings, passages=tuple(hits),
                      sentences=checked)

    def _check_question(self, question: str) -> str:
        question = " ".join((question or "").split())
        if not question:
            raise BadRequest("the question is empty")
        if len(question) > self.policy.max_question_chars:
            raise BadRequest(f"the question is {len(question)} characters long; "
                             f"the limit is {self.policy.max_question_chars}")
        return question

    def _check_top_k(self, top_k: int | None) -> int:
        k = self.policy.top_k if top_k is None else top_k
        if not 1 <= k <= self.policy.max_top_k:
            raise BadRequest(f"top_k must be between 1 and {self.policy.max_top_k}, got {k}")
        return k
