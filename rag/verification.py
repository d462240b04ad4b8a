"""Check every sentence of an answer against the passages it cites; repair, or remove, the rest.

A sentence whose cited passages (jointly) support it is kept. One that is not supported, or
cites nothing, is re-cited to a retrieved passage that does support it ("repaired"). Failing
that, when the judge leant towards a passage (MIN_QUOTE_SUPPORT) and one of its sentences states
every fact the claim adds to the question (its names, numbers, dates; a fact may stand in the
article's title instead, but the sentence must state at least one itself), that sentence, word
for word, takes the claim's place ("quoted"; a claim adding no fact must have every word it adds
there): the small model judge doubts many true paraphrases (docs/evaluation.md), while a source
sentence is what the source says. A quote must also answer the question (MIN_QUOTE_RELEVANCE).
Otherwise the claim is removed (reported as "removed").

A citation that adds nothing to the support of its sentence is dropped (ALCE's leave-one-out
rule). An answer whose kept sentences are all true but beside the question ("Who will command the
force?" answered with where it may deploy) loses them too, judged by the cross-encoder's
question-answer relevance; so does a sentence whose figures count other things than a "how many"
question asks about (`rag.counts`). Where retrieved passages disagree on what a kept sentence states,
`rag.conflicts` finds it, after verification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag.chunking import sentence_spans
from rag.counts import counted_nouns, counts_something_else
from rag.facts import missing_facts
from rag.grounding import (
    VETO_CHECKS,
    Judge,
    Judgement,
    best_aligned_sentence,
    content_words,
    coverage,
    full_content_words,
    is_bare_answer,
)
from rag.injection import REMOVED, neutralise
from rag.rerank import Reranker
from rag.types import CheckedSentence, Hit

_MARKER = re.compile(r"\s*\[(\d+)\]")


def split_claims(answer: str) -> list[tuple[str, tuple[int, ...]]]:
    """(claim without markers, cited numbers) per sentence; markers after the full stop count too."""
    pieces: list[tuple[str, list[int]]] = []
    for span in sentence_spans(answer):
        sentence = answer[span.start:span.end]
        leading = re.match(r"(?:\s*\[\d+\])+", sentence)
        if leading and pieces:  # "... troops. [2] Next sentence": the [2] closes the previous one
            pieces[-1][1].extend(int(n) for n in _MARKER.findall(leading.group(0)))
            sentence = sentence[leading.end():]
        cited = [int(n) for n in _MARKER.findall(sentence)]
        claim = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()
        if not re.search(r"[A-Za-z0-9]", claim) and pieces:  # a stray "[2]" after the full stop
            pieces[-1][1].extend(cited)
        elif re.search(r"[A-Za-z0-9]", claim):
            pieces.append((claim, cited))
    return [(claim, tuple(dict.fromkeys(cited))) for claim, cited in pieces]


def with_markers(claim: str, cited: Sequence[int]) -> str:
    markers = "".join(f"[{n}]" for n in cited)
    if claim[-1:] in ".!?":
        return f"{claim[:-1]} {markers}{claim[-1]}"
    return f"{claim} {markers}"


# The cross-encoder's probability that a sentence answers the question, below which it does not.
# On the seed and MultiHop-RAG answers of early eval runs (eval/results), every sentence holding an
# accepted answer scored >= 0.61, while the true but off-question answers to unanswerable questions
# scored 0.50 and 0.01. Chosen on those answers: tuned, not held out. A sentence's
# score is the higher of its own and its own followed by its source sentences (`_relevance`); that
# moved no seed answer across the floor (docs/evaluation.md).
MIN_ANSWER_RELEVANCE = 0.6
# A doubted claim is replaced by a source sentence only from a passage the judge scored at least this
# (P(yes) for the model judge): the judge leant towards it, and the sentence states the claim's facts.
# On the labelled answers (eval/data/answer_pairs.jsonl), true claims the model doubts scored 0.70-0.79;
# below 0.72 sit mostly claims whose relation is wrong ("France and the UK will command the
# force", 0.70). Chosen on those answers: tuned, not held out.
MIN_QUOTE_SUPPORT = 0.72
# A quote was not written to answer the question: it carries the claim's facts, and often more. It
# stays only when the cross-encoder scores it this relevant (above MIN_ANSWER_RELEVANCE). On the seed
# suite the quotes that answered scored 0.86-1.0; one true quote beside the question
# ("What did Trump tell European leaders?" answered with what the meeting represented) 0.74.
# Chosen on those eight quotes: tuned, not held out.
MIN_QUOTE_RELEVANCE = 0.8


# The checks the verifier applies to whole sentences, beside the judge's veto (`rag.grounding.VETO_CHECKS`),
# each named so it can be turned off (`RAG_CHECKS_OFF`) and measured alone (`python -m eval checks`):
SENTENCE_CHECKS = {
    "restates-question": "a sentence adding no word to the question: \"The 26 countries that committed are [1].\"",
    "repeats": "a sentence saying what an earlier one said",
    "counted-question": "figures that all count another thing than a \"how many\" question asks about: "
                        "\"96 missiles\" for how many bombers",
    "quote-relevance": "a source sentence quoted for a doubted claim that does not answer the question "
                       f"(cross-encoder relevance below {MIN_QUOTE_RELEVANCE})",
    "answer-relevance": "an answer none of whose sentences answers the question (cross-encoder relevance "
                        "below RAG_MIN_ANSWER_RELEVANCE): true, but beside it",
    "current-window": "about the present (\"this week\", \"now\"), citing only dated articles from outside the "
                      "question's window",
}
CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in VETO_CHECKS) + tuple(SENTENCE_CHECKS)


@dataclass
class Verifier:
    judge: Judge
    relevance: Reranker | None = None  # scores whether the kept sentences answer the question; None: no check
    min_answer_relevance: float = MIN_ANSWER_RELEVANCE
    quote: bool = True  # replace a doubted claim by the source sentence stating its facts (RAG_QUOTE)
    off: frozenset[str] = field(default_factory=frozenset)  # SENTENCE_CHECKS turned off (RAG_CHECKS_OFF)

    def check(self, answer: str, hits: Sequence[Hit], question: str = "") -> list[CheckedSentence]:
        """A verdict for every sentence of `answer`, whose markers [n] point at `hits[n - 1]`, in order."""
        return [c for _, c in sorted(self.verdicts(answer, hits, question), key=lambda pair: pair[0])]

    def verdicts(self, answer: str, hits: Sequence[Hit], question: str = "") -> Iterator[tuple[int, CheckedSentence]]:
        """(place, final verdict) for each sentence of `answer`, each as soon as it is final, so a kept
        sentence can be shown while the next ones are checked.

        A sentence is removed when its sources do not support it, when it repeats an earlier one, when
        it counts something other than what a "how many" question asks about, and when it is a quote
        that does not answer the question. A kept sentence is held until one kept sentence answers the
        question (cross-encoder relevance at least `min_answer_relevance`, or a bare answer such as
        "Friedrich Merz.", which the cross-encoder cannot score): when none does, every kept sentence
        is removed at the end, since an answer beside the question is no answer."""
        counted = counted_nouns(question) if "counted-question" not in self.off else frozenset()
        gauge = (self.relevance is not None and self.min_answer_relevance > 0 and bool(question)
                 and "answer-relevance" not in self.off)
        seen: set[str] = set()
        held: list[tuple[int, CheckedSentence]] = []
        best = 0.0
        answered = not gauge
        for i, (claim, cited) in enumerate(split_claims(answer)):
            c = self._check_one(claim, cited, hits, question)
            if c.verdict != "removed" and c.stated in seen and "repeats" not in self.off:
                c = _removed(c, "repeats an earlier sentence", "repeats")
            if c.verdict != "removed":
                seen.add(c.stated)
            if c.verdict != "removed" and counts_something_else(c.stated, counted):
                c = _removed(c, "its figures count something other than what the question asks how many of",
                             "counted-question")
            if c.verdict != "removed" and gauge:
                if _is_statement(c):
                    relevance = self._relevance(question, [c], hits)[0]
                    if c.verdict == "quoted" and relevance < max(MIN_QUOTE_RELEVANCE, self.min_answer_relevance) \
                            and "quote-relevance" not in self.off:
                        c = _removed(c, f"the quoted sentence does not answer the question (relevance {relevance:.2f})",
                                     "quote-relevance")
                    else:
                        best = max(best, relevance)
                        answered = answered or relevance >= self.min_answer_relevance
                else:  # a bare answer
                    answered = True
            if c.verdict == "removed":
                yield i, c
                continue
            held.append((i, c))
            if answered:
                yield from held
                held = []
        reason = f"does not answer the question (relevance {best:.2f})"
        yield from ((i, _removed(c, reason, "answer-relevance")) for i, c in held)

    def _relevance(self, question: str, sentences: Sequence[CheckedSentence], hits: Sequence[Hit]) -> list[float]:
        """How well each sentence answers the question: the cross-encoder's score for the sentence alone,
        or for the sentence followed by the source sentences it rests on, whichever is higher.

        An answer naming what the question describes ("Which leader did Trump's special envoy who
        called it a pose meet?" - "Steve Witkoff met Zelensky.") shares few words with the question
        and scores ~0 alone; its source ("Trump's special envoy Steve Witkoff, who also met with
        Zelensky") carries the question's words. A sentence beside the question stays beside it with
        its source: on the seed answers, the true sentences answering unanswerable questions scored
        no higher with their sources than the 0.6 floor (0.20-0.51). A sentence its source sentences
        contain word for word (a quote) is scored alone: the pair would only repeat it."""
        assert self.relevance is not None
        sources = [_source_sentences(s, hits) for s in sentences]
        sourced = [i for i, (s, source) in enumerate(zip(sentences, sources)) if s.stated not in source]
        scores = self.relevance.score(question, [s.stated for s in sentences]
                                      + [f"{sentences[i].stated} {sources[i]}" for i in sourced])
        best = scores[:len(sentences)]
        for i, score in zip(sourced, scores[len(sentences):]):
            best[i] = max(best[i], score)
        return best

    def _check_one(self, claim: str, cited: tuple[int, ...], hits: Sequence[Hit], question: str) -> CheckedSentence:
        cited = tuple(n for n in cited if 1 <= n <= len(hits))
        # A sentence adding no word to the question answers nothing: "The 26 countries that committed are [1]."
        if question and coverage(claim, question) == 1.0 and "restates-question" not in self.off:
            return CheckedSentence("", claim, "removed", 0.0, cited, "restates the question without answering it",
                                   ("restates-question",))
        vetoes: list[str] = []  # the veto checks that rejected the claim against some passage

        def judged(passage: str) -> Judgement:
            judgement = self.judge.judge(claim, passage, question)
            if judgement.check and judgement.check not in vetoes:
                vetoes.append(judgement.check)
            return judgement

        leaning: list[int] = []  # passages the judge leant towards without confirming the claim
        if cited:
            judgement = judged(_joined(hits, cited))
            if judgement.supported:
                kept = self._drop_irrelevant(claim, cited, hits, question)
                return CheckedSentence(with_markers(claim, kept), claim, "supported", judgement.score, kept)
            reason = judgement.reason
            if len(cited) == 1 and judgement.score >= MIN_QUOTE_SUPPORT:  # joined passages lean together
                leaning.append(cited[0])
        else:
            reason = "cites no source"
        for n, hit in enumerate(hits, start=1):
            if n in cited:
                continue
            judgement = judged(passage_text(hit))
            if judgement.supported:
                return CheckedSentence(with_markers(claim, (n,)), claim, "repaired", judgement.score, (n,),
                                       f"{reason}; re-cited to [{n}]", tuple(vetoes))
            if judgement.score >= MIN_QUOTE_SUPPORT:
                leaning.append(n)
        if self.quote and (quoted := self._answering_quote(claim, {n: hits[n - 1] for n in leaning}, question)):
            n, sentence = quoted
            return CheckedSentence(with_markers(sentence, (n,)), claim, "quoted", 1.0, (n,),
                                   f"{reason}; replaced by the words of [{n}]", tuple(vetoes))
        return CheckedSentence("", claim, "removed", 0.0, cited, reason, tuple(vetoes))

    def _answering_quote(self, claim: str, passages: dict[int, Hit], question: str) -> tuple[int, str] | None:
        """Of the claim's source sentences that share as many of its words (`source_sentences_for`), the
        first that answers the question as a quote must (MIN_QUOTE_RELEVANCE), else the first: a bare
        answer ("Ukraine.") is stated alike by "Russia invaded Ukraine" and "A Ukrainian skeleton athlete
        has been disqualified", of which only the second answers which country's athlete was
        disqualified. Relevance never overrules overlap (see `source_sentences_for`); a first that does
        not answer is removed later, with its relevance."""
        candidates = source_sentences_for(claim, passages, question)
        if len(candidates) < 2 or self.relevance is None or "quote-relevance" in self.off:
            return candidates[0] if candidates else None
        floor = max(MIN_QUOTE_RELEVANCE, self.min_answer_relevance)
        scores = self.relevance.score(question, [sentence for _, sentence in candidates])
        return next((c for c, score in zip(candidates, scores) if score >= floor), candidates[0])

    def _drop_irrelevant(self, claim: str, cited: tuple[int, ...], hits: Sequence[Hit],
                         question: str) -> tuple[int, ...]:
        """Leave-one-out: a citation goes when the others support the claim without it and it
        does not support the claim on its own."""
        kept = list(cited)
        for n in cited:
            others = [m for m in kept if m != n]
            if others and self.judge.judge(claim, _joined(hits, others), question).supported \
                    and not self.judge.judge(claim, passage_text(hits[n - 1]), question).supported:
                kept = others
        return tuple(kept)


def source_sentence_for(claim: str, passages: dict[int, Hit], question: str) -> tuple[int, str] | None:
    """(n, sentence): the sentence of `passages[n]` that states every fact `claim` adds to `question`
    (or, for a claim adding no fact, every word it adds), sharing the most words with the claim (the
    first of equals), or None."""
    candidates = source_sentences_for(claim, passages, question)
    return candidates[0] if candidates else None


def source_sentences_for(claim: str, passages: dict[int, Hit], question: str) -> list[tuple[int, str]]:
    """The (n, sentence) pairs of `passages[n]` that state every fact `claim` adds to `question` (or, for
    a claim adding no fact, every word it adds) and share the most words with the claim: one, or several
    that share as many, in passage order.

    Facts and added words count, not wording: the sentence is returned instead of the claim, so what
    it says is the source's own text. A fact may also stand in the passage's title ("French President
    Emmanuel Macron said…" above "Macron … at the presidential Elysee Palace"), as long as the
    sentence states at least one of the claim's facts itself. A claim adding no name, figure, date or
    quoted phrase but words ("… is the steel porcupine strategy") is quoted by a sentence holding
    every word it adds (`_added_words`). A claim adding nothing to the question ("Kyiv needs the
    Kremlin's consent", to a question about that consent; a bare "No.") has nothing to quote for:
    its point is a relation or a verdict a quote may not carry.

    Overlap with the claim, not the cross-encoder's relevance, picks among candidates: the
    cross-encoder favours a sentence that repeats the question's words (to "How did the UK prime
    minister who has been driving the coalition-building effort with Macron attend…?", 0.999 for
    "Macron, who has been driving the coalition-building effort with … Keir Starmer, is expecting 31
    delegations…", 0.04 for "… others, like UK premier Keir Starmer, remotely.")."""
    if not question:
        return []
    added = missing_facts(claim, "", question)
    words = set(content_words(claim))
    new_words = _added_words(claim, question)
    if not added and not new_words:
        return []
    found: list[tuple[int, int, str]] = []
    for n, hit in passages.items():
        text, title = neutralise(hit.evidence_text), neutralise(hit.chunk.title)
        for span in sentence_spans(text):
            sentence = text[span.start:span.end].strip()
            # The quote is the sentence alone: its title line may hold a fact, not the whole answer.
            if REMOVED in sentence or missing_facts(claim, f"{title}\n{sentence}", question):
                continue
            if added:
                in_sentence = missing_facts(claim, sentence, question)
                states = any(fact not in in_sentence for fact in added)
            else:
                states = new_words <= set(content_words(sentence))
            if states:
                found.append((len(words & set(content_words(sentence))), n, sentence))
    most = max((shared for shared, _, _ in found), default=0)
    return [(n, sentence) for shared, n, sentence in found if shared == most]


# Words that give a verdict on the question rather than add to it: "No." adds nothing a quote could hold.
_VERDICT_WORDS = frozenset("yes no not never none nothing".split())


def _added_words(claim: str, question: str) -> set[str]:
    """The claim's content words that the question lacks, verdict words not counted at all, and the same
    word in another form counted as the question's: "needs" for "need" (the first four letters), "aimed"
    for "aim" (a word of three with an ending: -s, -ed, -ing; -d after an e), not "aides" for "aid",
    "Putin" for "put" or "news" for "new"."""
    asked = {word[:4] for word in content_words(question)}
    forms = {form for word in content_words(question) if len(word) == 3 for form in _inflections(word)}
    return {word[:5] for word in full_content_words(claim)
            if word[:4] not in asked and word not in forms and word[:5] not in _VERDICT_WORDS}


def _inflections(word: str) -> set[str]:
    forms = {word + "s", word + "ed", word + "ing"} | ({word + "d"} if word.endswith("e") else set())
    return forms - _NOT_INFLECTIONS


_NOT_INFLECTIONS = frozenset({"news"})  # an -s form that is another word


def _source_sentences(sentence: CheckedSentence, hits: Sequence[Hit]) -> str:
    """The sentence of each cited passage that shares the most words with `sentence`."""
    return " ".join(best_aligned_sentence(sentence.stated, neutralise(hits[n - 1].evidence_text))
                    for n in sentence.cited)


def _is_statement(sentence: CheckedSentence) -> bool:
    """A kept sentence that says something on its own, not a bare answer to the question."""
    return sentence.verdict != "removed" and not is_bare_answer(sentence.stated)


def _removed(sentence: CheckedSentence, reason: str, check: str = "") -> CheckedSentence:
    vetoes = sentence.vetoes + ((check,) if check and check not in sentence.vetoes else ())
    return replace(sentence, text="", verdict="removed", support=0.0, reason=reason, vetoes=vetoes)


def _joined(hits: Sequence[Hit], cited: Sequence[int]) -> str:
    return "\n\n".join(passage_text(hits[n - 1]) for n in cited)


def passage_text(hit: Hit) -> str:
    """What a passage counts as evidence for: all of it (also when the model was shown only part,
    `Hit.shown`), with its header, instructions neutralised."""
    return with_header(neutralise(hit.chunk.title), hit.chunk.published, neutralise(hit.evidence_text))


def with_header(title: str, published: str | None, text: str) -> str:
    """A passage with its article's title and date, which belong to what it states ("in September
    2025" is supported by a passage from an article published then). The date is written out
    ("5 September 2025"; the answer prompt shows it as ISO) so the fact veto can read the month."""
    return f"{title} ({readable_date(published)})\n{text}" if published else f"{title}\n{text}"


def readable_date(iso: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(iso).strftime("%-d %B %Y")
    except ValueError:
        return iso
