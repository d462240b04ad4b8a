"""Text generation behind a small protocol; the only module that imports llama_cpp."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from rag.errors import ModelUnavailable

log = logging.getLogger(__name__)

Message = dict[str, str]
# A judge prompt is the system message, one or a few passages and a sentence: well under this.
JUDGE_CONTEXT_TOKENS = 2048


class Generation(Protocol):
    """Text pieces as the model produces them; token counts are final once iteration ends."""

    prompt_tokens: int
    completion_tokens: int

    def __iter__(self) -> Iterator[str]: ...


class Generator(Protocol):
    name: str

    def generate(self, messages: Sequence[Message], max_tokens: int, grammar: str | None = None) -> Generation:
        """Stream a reply; `grammar` (llama.cpp GBNF) constrains its form when given."""
        ...

    def yes_probability(self, messages: Sequence[Message]) -> float:
        """P(yes) / (P(yes) + P(no)) for the model's next token: a constrained yes/no answer."""
        ...


class LlamaGenerator:
    """A GGUF model run in-process by llama.cpp, one generation at a time."""

    def __init__(self, model_path: Path, name: str | None = None, n_ctx: int = 4096, n_threads: int = 2,
                 judge_context: bool = True, flash_attn: bool = False) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        log.info("loading generator from %s", model_path)
        self._llm = _load(model_path, n_ctx, n_threads, flash_attn)
        # The judge's yes/no prompts get a context of their own (and its own KV cache). Sharing one
        # context, every judge call evicted the answer prompt's sources, and the next question often
        # starts with the same passages: with its own context, llama.cpp reuses them (prefix match).
        # Costs a second copy of the repacked weights and a KV cache (~0.9 GB; the file pages are shared).
        self._judge_llm = _load(model_path, JUDGE_CONTEXT_TOKENS, n_threads, flash_attn) if judge_context else self._llm
        metadata = self._llm.metadata
        template = metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelUnavailable(f"RAG_LLM_PATH={model_path}: the model has no chat template")
        vocab = self._llm._model
        self._format = Jinja2ChatFormatter(template=template, eos_token=vocab.token_get_text(vocab.token_eos()),
                                           bos_token=vocab.token_get_text(vocab.token_bos()))
        self.name = name or metadata.get("general.name") or model_path.stem
        self.path = model_path
        # Distinct ids: two spellings may share a token, which must not count twice.
        self._yes_ids = sorted({self._first_token(w) for w in ("yes", "Yes", " yes", " Yes")})
        self._no_ids = sorted({self._first_token(w) for w in ("no", "No", " no", " No")})
        # llama.cpp contexts are not thread-safe: generations queue on this lock.
        self._lock = threading.Lock()

    def _first_token(self, word: str) -> int:
        return int(self._llm.tokenize(word.encode("utf-8"), add_bos=False)[0])

    def generate(self, messages: Sequence[Message], max_tokens: int, grammar: str | None = None) -> Generation:
        formatted = self._format(messages=list(messages))
        return _LlamaGeneration(self, formatted.prompt, formatted.stop, max_tokens, grammar)

    def yes_probability(self, messages: Sequence[Message]) -> float:
        import numpy as np
        from llama_cpp import LogitsProcessorList

        captured: list[Any] = []

        def capture(input_ids: Any, scores: Any) -> Any:
            captured.append(np.array(scores))
            return scores

        prompt = self._format(messages=list(messages)).prompt
        with self._lock:
            self._judge_llm.create_completion(prompt, max_tokens=1, temperature=0.0,
                                              logits_processor=LogitsProcessorList([capture]))
        logits = captured[0]
        weights = np.exp(logits - logits.max())
        yes, no = weights[self._yes_ids].sum(), weights[self._no_ids].sum()
        return float(yes / (yes + no)) if yes + no > 0 else 0.5

    def cached_tokens(self, messages: Sequence[Message]) -> int:
        """How many leading tokens of this prompt the answer context holds in its KV cache: what
        llama.cpp will not have to process again."""
        prompt = self._format(messages=list(messages)).prompt
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        with self._lock:
            held = self._llm.input_ids[: self._llm.n_tokens].tolist()
        return sum(1 for _ in _takewhile_equal(held, tokens))

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))


def _takewhile_equal(a: Sequence[int], b: Sequence[int]) -> Iterator[int]:
    for x, y in zip(a, b):
        if x != y:
            return
        yield x


def _load(model_path: Path, n_ctx: int, n_threads: int, flash_attn: bool = False) -> Any:
    from llama_cpp import Llama

    try:
        return Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                     flash_attn=flash_attn, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ModelUnavailable(f"RAG_LLM_PATH={model_path}: llama.cpp could not load it ({exc})") from None


class _LlamaGeneration:
    def __init__(self, owner: LlamaGenerator, prompt: str, stop: Any, max_tokens: int, grammar: str | None) -> None:
        self._owner, self._prompt, self._max_tokens, self._grammar = owner, prompt, max_tokens, grammar
        self._stop = [stop] if isinstance(stop, str) else list(stop or [])
        self.prompt_tokens = owner.count_tokens(prompt)
        self.completion_tokens = 0

    def __iter__(self) -> Iterator[str]:
        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_string(self._grammar, verbose=False) if self._grammar else None
        with self._owner._lock:
            # Raw completion over the chat-formatted prompt: the fixed system prefix is then
            # reused from llama.cpp's KV cache on the next question.
            stream = self._owner._llm.create_completion(self._prompt, max_tokens=self._max_tokens, temperature=0.0,
                                                        stop=self._stop, stream=True, grammar=grammar)
            for chunk in stream:
                self.completion_tokens += 1
                text = chunk["choices"][0]["text"]
                if text:
                    yield text
