"""Question in, cited answer out: retrieve, prompt, generate (streaming), resolve citations."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Generator as Steps
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag import citations
from rag.chunking import sentence_spans
from rag.conflicts import find_conflicts
from rag.conversation import ModelRewriter, Turn, standalone_question
from rag.errors import BadRequest
from rag.evidence import EvidenceSelector
from rag.fallback import quoted_answer
from rag.filters import NO_FILTER, SearchFilter
from rag.gate import Gate, Ticket
from rag.generation import Generator, Message
from rag.grounding import RuleJudge, content_words
from rag.injection import neutralise
from rag.prompting import NOT_FOUND, answer_grammar, build_messages
from rag.retrieval import Retriever
from rag.timeref import TimeFrame, parse_day, time_frame
from rag.types import Answer, CheckedSentence, Hit, Usage
from rag.untrusted import InjectionDetector
from rag.verification import Verifier, split_claims

# How a small model says, in its own words, that the sources lack the answer. It must be about the
# sources: "Italy does not provide troops" is a claim to verify, not an abstention.
_ABSTENTION = re.compile(
    r"\b(?:articles?|sources?|passages?|texts?|context)\b[^.]*\b(?:do(?:es)?n[o']t|not|no)\b"
    r"|\b(?:not|no)\b[^.]*\b(?:in|from) the (?:articles?|sources?|passages?)"
    r"|\bI (?:do not|don't) know\b|\bno information\b|\bcannot (?:be )?answer",
    re.IGNORECASE,
)


def says_not_found(sentence: str) -> bool:
    """Whether a sentence says the sources lack the answer, rather than claiming something."""
    return _ABSTENTION.search(sentence) is not None


def _sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in sentence_spans(text)]


@dataclass(frozen=True)
class TokenEvent:
    """A piece of the model's draft, as soon as the model produces it: not yet verified."""

    text: str


@dataclass(frozen=True)
class ProgressEvent:
    """How far verification has got: `done` of the draft's `total` sentences checked."""

    done: int
    total: int


@dataclass(frozen=True)
class SentenceEvent:
    """A sentence of the answer that has passed verification, as the answer will hold it (with its
    [n] markers): what a reader may be shown while the rest is checked."""

    text: str


@dataclass(frozen=True)
class AnswerEvent:
    """The final, cited answer; always the last event of a stream."""

    answer: Answer


Event = TokenEvent | ProgressEvent | SentenceEvent | AnswerEvent


@dataclass(frozen=True)
class AnswerPolicy:
    top_k: int = 4
    max_top_k: int = 20
    min_relevance: float = 0.20
    max_tokens: int = 256
    max_question_chars: int = 1000
    grammar: bool = False  # constrain the answer's form with a llama.cpp grammar (prompting.answer_grammar)
    as_of: str | None = None  # the day questions are asked on when they name none (RAG_AS_OF); None: today
    context_tokens: int = 4096  # the model's context (RAG_LLM_CONTEXT): the prompt and the answer fit in it
    # A passage longer than this (from an index chunked before chunks were bounded) is cut to it, so a
    # judge prompt of several cited passages fits the judge's context too.
    max_passage_chars: int = 1200
    # When verification removes every drafted sentence, quote a retrieved sentence that answers (rag.fallback).
    quote_fallback: bool = False


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
    # Withholds sentences that speak to AI systems or dictate the answer (rag.untrusted); None: patterns only.
    detector: InjectionDetector | None = None
    # Writes follow-ups as standalone questions with the model (RAG_REWRITE=model); None: the rules of
    # rag.conversation, which cost nothing.
    rewriter: ModelRewriter | None = None

    def standalone(self, history: Sequence[Turn], question: str) -> str:
        """`question` rewritten to stand alone after `history`, within the question limit; a model rewrite
        takes a turn on the model, like an answer (and may be refused with Busy, like one)."""
        limit = self.policy.max_question_chars
        question = self._check_question(question)  # an empty or over-long question is refused before any rewrite
        if self.rewriter is None or not any(t.role == "user" and t.content.strip() for t in history):
            return standalone_question(history, question, limit)
        with self.gate.admit() as ticket, ticket.turn():
            return self.rewriter.rewrite(history, question, limit)

    def search(self, query: str, top_k: int | None = None, filters: SearchFilter = NO_FILTER) -> list[Hit]:
        """Ranked passages for a query, no generation."""
        query, k = self._check_question(query), self._check_top_k(top_k)
        filters, frame = self._dated(query, filters)
        return self.retriever.search(query, k, filters, frame)

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
        filters, frame = self._dated(question, filters)
        return self._run(question, k, filters, frame, self.gate.admit())

    def _dated(self, question: str, filters: SearchFilter) -> tuple[SearchFilter, TimeFrame]:
        """`filters` with the day the question is asked on, and the question's time frame that day."""
        as_of = filters.as_of or self.policy.as_of or dt.date.today().isoformat()
        day = parse_day(as_of)
        if day is None:
            raise BadRequest(f"as_of must be an ISO date (YYYY-MM-DD), got {as_of!r}")
        return replace(filters, as_of=day.isoformat()), time_frame(question, day)

    def _run(self, question: str, k: int, filters: SearchFilter, frame: TimeFrame,
             ticket: Ticket) -> Iterator[Event]:
        with ticket:
            started = time.perf_counter()
            hits = self.retriever.search(question, k, filters, frame)
            relevant = [hit for hit in hits if hit.score >= self.policy.min_relevance]
            if not relevant:  # before giving up: one sentence may answer, or one clause be answered
                relevant = [hit for hit in self.retriever.by_best_part(question, hits)
                            if hit.score >= self.policy.min_relevance]
            timings = {"retrieve": time.perf_counter() - started}
            if self.detector is not None and relevant:
                screen_started = time.perf_counter()
                relevant = [replace(h, withheld=self.detector.withheld(h.chunk.text)) for h in relevant]
                timings["screen"] = time.perf_counter() - screen_started
            if not relevant:  # nothing close enough: abstain before spending time on generation
                yield AnswerEvent(self._abstain(question, frame, hits, timings, Usage()))
                return
            if self.evidence is not None:
                select_started = time.perf_counter()
                relevant = self.evidence.select(question, relevant)
                timings["select"] = time.perf_counter() - select_started
                if not relevant:  # passages without a sentence in them: nothing to show the model
                    yield AnswerEvent(self._abstain(question, frame, hits, timings, Usage()))
                    return
            queued = time.perf_counter()
            with ticket.turn():  # one answer at a time: generation and the model judge's questions
                timings["queue"] = time.perf_counter() - queued
                answer = yield from self._generate(question, frame, relevant, timings, started)
            yield AnswerEvent(answer)  # after the turn: a consumer that stops here holds no lock

    def _generate(self, question: str, frame: TimeFrame, relevant: list[Hit], timings: dict[str, float],
                  started: float) -> Steps[TokenEvent | ProgressEvent | SentenceEvent, None, Answer]:
        messages, relevant = self._fitted(question, frame, relevant)
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
        return (yield from self._finish(question, frame, "".join(pieces), relevant, timings, usage, started))

    def _fitted(self, question: str, frame: TimeFrame, relevant: list[Hit]) -> tuple[list[Message], list[Hit]]:
        """The prompt, and the passages in it, within the model's context with room for the answer: the
        lowest-ranked passages leave first; an over-long passage is cut (`_cut`)."""
        hits = [_cut(hit, self.policy.max_passage_chars) for hit in relevant]
        budget = self.policy.context_tokens - self.policy.max_tokens - PROMPT_MARGIN_TOKENS
        while True:
            messages = build_messages(question, hits, frame.as_of.isoformat())
            if len(hits) == 1 or self._tokens(messages) <= budget:
                return messages, hits
            hits = hits[:-1]

    def _tokens(self, messages: Sequence[Message]) -> int:
        """The prompt's length in the model's tokens; its UTF-8 bytes, an upper bound for a byte-level
        tokenizer, when the generator cannot count (a remote server)."""
        count = getattr(self.generator, "count_tokens", None)
        text = "\n".join(m["content"] for m in messages)
        return int(count(text)) + 16 * len(messages) if callable(count) else len(text.encode("utf-8"))

    def _finish(self, question: str, frame: TimeFrame, raw: str, hits: Sequence[Hit], timings: dict[str, float],
                usage: Usage, started: float) -> Steps[ProgressEvent | SentenceEvent, None, Answer]:
        """Verify the draft sentence by sentence, each kept sentence sent on as soon as it is final; then the
        answer, which is those sentences, any disagreement between the sources, and the dating note."""
        verify_started = time.perf_counter()
        text = citations.normalise_markers(raw, len(hits))
        # Sentences in which the model says the sources lack the answer are not claims to verify.
        claims_text = " ".join(s for s in _sentences(text) if not says_not_found(s))
        total = len(split_claims(claims_text))
        verdicts: dict[int, CheckedSentence] = {}
        kept: list[CheckedSentence] = []
        for place, verdict in self.verifier.verdicts(claims_text, hits, question):
            if "current-window" not in self.verifier.off:
                [verdict] = current_only([verdict], hits, frame)
            verdicts[place] = verdict
            if verdict.verdict != "removed":
                kept.append(verdict)
                yield SentenceEvent(verdict.text)
            yield ProgressEvent(len(verdicts), total)
        checked = tuple(verdicts[place] for place in sorted(verdicts))
        if checked and not kept and self.policy.quote_fallback:  # a retrieved sentence may still answer
            quote = quoted_answer(question, checked, hits, frame, self.verifier.relevance)
            if quote is not None:
                checked, kept = (*checked, quote), [quote]
                yield SentenceEvent(quote.text)
        timings["verify"] = time.perf_counter() - verify_started
        timings["total"] = time.perf_counter() - started
        if not kept:  # nothing the articles support is left: abstain, showing the closest passages
            return self._abstain(question, frame, hits, timings, usage, checked)
        conflicts = find_conflicts(kept, hits, question)
        notes = [conflict.sentence() for conflict in conflicts] + set_aside_notes(hits, question)
        for note in notes:
            yield SentenceEvent(note)
        answer = " ".join([c.text for c in kept] + notes)
        # Citations are the verified sentences' and the disagreements' markers; a note quotes no source.
        cited = citations.resolve(" ".join([c.text for c in kept] + [c.sentence() for c in conflicts]), hits)
        dates = sorted(c.published for c in cited if parse_day(c.published))
        newest = dates[-1] if dates else None
        undated = any(parse_day(c.published) is None for c in cited)
        answer += dating_note(frame, newest, undated)
        return Answer(question=question, answer=answer, citations=cited, abstained=False,
                      model=self.generator.name, usage=usage, timings=timings, passages=tuple(hits),
                      sentences=checked, evidence_date=newest, undated_evidence=undated, conflicts=tuple(conflicts),
                      **_frame_fields(frame))

    def _abstain(self, question: str, frame: TimeFrame, hits: Sequence[Hit], timings: dict[str, float],
                 usage: Usage, checked: tuple[CheckedSentence, ...] = ()) -> Answer:
        timings.setdefault("total", sum(timings.values()))
        return Answer(question=question, answer=NOT_FOUND, citations=(), abstained=True,
                      model=self.generator.name, usage=usage, timings=timings, passages=tuple(hits),
                      sentences=checked, **_frame_fields(frame))

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


# Room for the chat template's own tokens around the messages.
PROMPT_MARGIN_TOKENS = 64


def _cut(hit: Hit, max_chars: int) -> Hit:
    """`hit`, its passage cut at the last space before `max_chars` when longer; offsets stay exact."""
    chunk = hit.chunk
    if len(chunk.text) <= max_chars:
        return hit
    end = chunk.text.rfind(" ", 1, max_chars + 1)
    end = end if end > 0 else max_chars
    text = chunk.text[:end]
    return replace(hit, chunk=replace(chunk, text=text, end=chunk.start + len(text)), shown=None)


def current_only(checked: Sequence[CheckedSentence], hits: Sequence[Hit], frame: TimeFrame) -> list[CheckedSentence]:
    """`checked`, with every kept sentence removed that answers a question about the present ("this
    week", "now") from dated articles outside its window only: true of another time, wrong today."""
    if not frame.present or not frame.windowed:
        return list(checked)
    out = []
    for c in checked:
        outside = [n for n in c.cited if frame.holds(hits[n - 1].chunk.published) is False]
        if c.verdict != "removed" and c.cited and len(outside) == len(c.cited):
            dates = ", ".join(sorted({hits[n - 1].chunk.published or "" for n in outside}))
            c = replace(c, text="", verdict="removed", support=0.0, vetoes=c.vetoes + ("current-window",),
                        reason=f"the question asks about {frame.expression!r} (published {frame.start} to "
                               f"{frame.end}) and the cited articles are from {dates}")
        out.append(c)
    return out


_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def set_aside_notes(hits: Sequence[Hit], question: str) -> list[str]:
    """One sentence per shown passage holding text withheld as possible instructions to AI systems that
    bears on the question (shares a content word with it): the reader learns that a source tried to
    steer the answer, and that it was not evidence. The text itself is not repeated: an answer must not
    relay instructions to whatever reads it next (another model, a client); the passage's `withheld`
    offsets point at it. "Possible": the detector also flags a few ordinary sentences (1 in 121 of the
    seed articles'). No [n] marker: the note is no citation."""
    asked = set(content_words(question))
    notes = []
    for hit in hits:
        bearing = [span for span in hit.withheld if asked & set(content_words(hit.chunk.text[span[0]:span[1]]))]
        if bearing:
            title = _MARKERS.sub("", neutralise(hit.chunk.title)).strip()
            some = "A sentence" if len(bearing) == 1 else f"{len(bearing)} sentences"
            notes.append(f"{some} of “{title}” about this question {'was' if len(bearing) == 1 else 'were'} set "
                         "aside as possible instructions to AI systems and not used as evidence.")
    return notes


def dating_note(frame: TimeFrame, newest: str | None, undated: bool) -> str:
    """What the answer says of its evidence's dates: "as of" the newest cited article for a question
    about the present, and that some evidence is undated."""
    notes = []
    if frame.present and newest:
        notes.append(f"(As of {readable_day(newest)}, the date of the newest article cited.)")
    if undated:
        notes.append("(Some of the cited articles are undated.)")
    return "".join(" " + note for note in notes)


_DATING_NOTE = re.compile(r" \((?:As of [^()]*|Some of the cited articles are undated\.)\)")


def without_dating_note(answer: str) -> str:
    """`answer` without what `dating_note` appended: its dates are no part of what it claims."""
    return _DATING_NOTE.sub("", answer)


def readable_day(iso: str) -> str:
    day = parse_day(iso)
    return f"{day.day} {day:%B %Y}" if day else iso


def _frame_fields(frame: TimeFrame) -> dict[str, object]:
    window = (frame.start.isoformat(), frame.end.isoformat()) if frame.start and frame.end else None
    return {"as_of": frame.as_of.isoformat(), "time_window": window, "about_present": frame.present}
