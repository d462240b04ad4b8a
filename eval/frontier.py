"""Frontier models' answers to the RealTimeQA questions, scored by the same code as ours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eval.datasets import FrontierAnswer, Question
from eval.metrics import contains_answer
from eval.runner import QuestionResult
from rag.pipeline import says_not_found

OURS = "news-rag (this run)"


@dataclass(frozen=True)
class Scorecard:
    model: str
    right: int  # of the answerable questions
    answerable: int
    wrong: int  # of all questions: answered, without the gold answer
    questions: int
    abstained_unanswerable: int
    unanswerable: int


def frontier_scorecards(questions: Sequence[Question], answers: Sequence[FrontierAnswer]) -> list[Scorecard]:
    """One scorecard per model, by name. An answer that says the articles lack it is an abstention."""
    by_id = {q.id: q for q in questions}
    cards = []
    for model in sorted({a.model for a in answers}):
        own = {a.question_id: a.prediction for a in answers if a.model == model}
        right = wrong = abstained = 0
        for q in by_id.values():
            prediction = own.get(q.id, "")
            holds = contains_answer(prediction, q.accepted, q.match)
            silent = not prediction.strip() or says_not_found(prediction)
            right += q.answerable and holds
            wrong += not silent and not holds
            abstained += not q.answerable and silent
        cards.append(_card(model, right, wrong, abstained, list(by_id.values())))
    return cards


def our_scorecard(results: Sequence[QuestionResult]) -> Scorecard:
    answerable = [r for r in results if r.answerable]
    return Scorecard(OURS, sum(r.correct for r in answerable), len(answerable),
                     sum(r.wrong or bool(r.error) for r in results), len(results),
                     sum(r.abstained for r in results if not r.answerable), len(results) - len(answerable))


def _card(model: str, right: int, wrong: int, abstained: int, questions: Sequence[Question]) -> Scorecard:
    answerable = sum(q.answerable for q in questions)
    return Scorecard(model, right, answerable, wrong, len(questions), abstained, len(questions) - answerable)
