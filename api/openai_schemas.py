"""OpenAI chat-completions shapes, with the citations carried in extension fields.

Only what the official clients read is modelled; unknown request fields (temperature, max_tokens…)
are accepted and ignored, since the service's own settings decide how answers are made.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import CitationOut, SearchFilters, TextIn

EXTENSION = ("Extension fields, beside the standard ones: `citations` (the `/ask` citation objects: `n`, "
             "`article_id`, `title`, `published`, `source`, `url`, `chunk_id`, `text`, `start`, `end`), "
             "`abstained` (true when the articles do not hold the answer) and `rewritten_question` (the "
             "standalone question answered, when earlier turns made the last one a follow-up; else null).")


class ChatMessageIn(TextIn):
    model_config = ConfigDict(extra="allow")
    role: str = Field(description="system, developer, user, assistant or tool; only user and assistant "
                                  "turns are used (the service has its own system prompt).")
    content: str | list[dict[str, Any]] | None = Field(None, description="Text, or a list of content parts "
                                                                         "of which the `text` ones are read.")

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(SearchFilters):
    """Extension fields beside the standard ones: `top_k` and the /ask filters (`published_after`,
    `published_before`, `source`)."""

    model_config = ConfigDict(extra="allow")
    model: str | None = Field(None, description="Accepted for compatibility; the served model answers.")
    messages: list[ChatMessageIn] = Field(min_length=1, description="The last one is the user's question; "
                                                                    "earlier user/assistant turns are the "
                                                                    "conversation it follows.")
    stream: bool = False
    top_k: int | None = Field(None, description="Extension: passages to retrieve (default RAG_TOP_K).")
    n: int = Field(1, ge=1, le=1, description="How many choices: only 1 (there is one verified answer).")


class MessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChoiceOut(BaseModel):
    index: int = 0
    message: MessageOut
    finish_reason: str = "stop"
    logprobs: None = None


class CompletionUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionOut(BaseModel):
    """A `chat.completion`; its message content ends with a "References:" list of the cited articles."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChoiceOut]
    usage: CompletionUsage
    citations: list[CitationOut] = Field(description="Extension: what each [n] in the content points at.")
    abstained: bool = Field(description="Extension: true when the articles do not hold the answer.")
    rewritten_question: str | None = Field(description="Extension: the standalone question answered, when the "
                                                       "last message was a follow-up.")


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "news-rag"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


MAX_EMBEDDING_INPUTS = 2048  # texts per /v1/embeddings request, as OpenAI allows


class EmbeddingsRequest(TextIn):
    model_config = ConfigDict(extra="allow")
    input: str | list[str] = Field(description="A text or a list of texts (at most 2048), each embedded alone.")
    model: str | None = Field(None, description="The embedder to use: the served one's name, or omitted.")
    encoding_format: Literal["float"] = Field("float", description="Only `float` lists are returned.")

    def texts(self) -> list[str]:
        return [self.input] if isinstance(self.input, str) else list(self.input)


class EmbeddingOut(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float]


class EmbeddingUsage(BaseModel):
    prompt_tokens: int = Field(0, description="Not counted: 0.")
    total_tokens: int = 0


class EmbeddingList(BaseModel):
    object: Literal["list"] = "list"
    data: list[EmbeddingOut]
    model: str
    usage: EmbeddingUsage = Field(default_factory=EmbeddingUsage)
