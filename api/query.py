"""A question as asked and the standalone form the pipeline answers, shared by /ask and /v1/chat/completions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.schemas import AnswerOut
from rag.conversation import Turn
from rag.services import Services
from rag.types import Answer


@dataclass(frozen=True)
class Query:
    asked: str
    standalone: str

    @classmethod
    def build(cls, question: str, history: Sequence[Turn], services: Services) -> Query:
        """Rewrite a follow-up (within the pipeline's question limit, so a valid question stays valid)."""
        return cls(" ".join(question.split()), services.pipeline.standalone(history, question))

    @property
    def rewritten(self) -> str | None:
        return self.standalone if self.standalone != self.asked else None

    def shape(self, answer: Answer) -> AnswerOut:
        """The answer as the API reports it: the question as asked, and the rewrite if there was one."""
        return AnswerOut.from_answer(answer).model_copy(
            update={"question": self.asked, "rewritten_question": self.rewritten})
