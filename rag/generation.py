"""Text generation behind a small protocol; the only module that imports llama_cpp."""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from rag.errors import ModelUnavailable
from rag.prefix_states import PrefixStates

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

    def yes_probability(self, messages: Sequence[Message], reusable: str = "") -> float:
        """P(yes) / (P(yes) + P(no)) for the model's next token: a constrained yes/no answer.
        `reusable`: text in the last message that later questions are likely to repeat, with all
        that comes before it (the judged passage); a local model may keep its processed state."""
        ...


class LlamaGenerator:
    """A GGUF model run in-process by llama.cpp, one generation at a time."""

    def __init__(self, model_path: Path, name: str | None = None, n_ctx: int = 4096, n_threads: int = 2,
                 judge_context: bool = True, flash_attn: bool = False, judge_cache_mb: int = 0) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        log.info("loading generator from %s", model_path)
        self._llm = _load(model_path, n_ctx, n_threads, flash_attn)
        # The judge's yes/no prompts get a context of their own (and its own KV cache). Sharing one
        # context, every judge call evicted the answer prompt's sources, and the next question often
        # starts with the same passages: with its own context, llama.cpp reuses them (prefix match).
        # Costs a second copy of the repacked weights and a KV cache (~0.9 GB; the file pages are shared).
        self._judge_llm = _load(model_path, JUDGE_CONTEXT_TOKENS, n_threads, flash_attn) if judge_context else self._llm
        # Passages the judge has read, kept processed (rag.prefix_states; RAG_JUDGE_CACHE_MB, off by default:
        # measured in docs/benchmarks.md); only in its own context, where restoring one cannot evict the
        # answer prompt.
        self.judge_states = PrefixStates(judge_cache_mb << 20) if judge_context and judge_cache_mb > 0 else None
        # How llama.cpp computes the judge's P(yes), beyond the model and prompt (a key of eval's judge cache).
        self.numerics = ", ".join(["system prompt apart", *(["flash attention"] if flash_attn else []),
                                   *(["shared context"] if not judge_context else []),
                                   *(["passage states"] if self.judge_states is not None else [])])
        if judge_cache_mb > 0 and not judge_context:
            log.warning("RAG_JUDGE_CACHE_MB=%d is ignored: the judge shares the answer's context "
                        "(RAG_JUDGE_CONTEXT=0)", judge_cache_mb)
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

    def yes_probability(self, messages: Sequence[Message], reusable: str = "") -> float:
        import numpy as np
        from llama_cpp import LogitsProcessorList

        captured: list[Any] = []

        def capture(input_ids: Any, scores: Any) -> Any:
            captured.append(np.array(scores))
            return scores

        prompt = self._format(messages=list(messages)).prompt
        with self._lock:
            if self.judge_states is None:
                self._judge_after_stem(prompt, messages[-1]["content"], LogitsProcessorList([capture]))
            else:
                self._judge_with_states(prompt, reusable, LogitsProcessorList([capture]))
        logits = captured[0]
        weights = np.exp(logits - logits.max())
        yes, no = weights[self._yes_ids].sum(), weights[self._no_ids].sum()
        return float(yes / (yes + no)) if yes + no > 0 else 0.5

    def _judge_after_stem(self, prompt: str, last_message: str, processors: Any) -> None:
        """The yes/no completion computed the same way whatever the judge context held before: the stem
        (everything before the last message's text: the system prompt, the same for every judgement) is
        processed as a batch of its own, once, and kept; the passage and sentence are then always
        processed together, from there.

        llama.cpp's numbers differ slightly between one batch and two, and left to its own prefix
        matching the context reused whatever the previous judgement shared with this one (its passage,
        even part of its sentence): the same claim and passage measured P(yes) 0.755 first, 0.793 right
        after another sentence about that passage and 0.802 in a service run, across the threshold
        (docs/evaluation.md). A verdict must not depend on which questions came before."""
        llm = self._judge_llm
        tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        at = prompt.rfind(last_message) if last_message else -1
        stem = self._shared_tokens(prompt[:at], tokens) if at > 0 else 0
        if stem:
            self._hold_stem(tokens, stem, self._held(tokens[:stem]))
        llm.create_completion(tokens, max_tokens=1, temperature=0.0, logits_processor=processors)

    def _shared_tokens(self, text: str, tokens: Sequence[int]) -> int:
        """How many of `tokens` (a tokenised prompt) the tokenised `text`, a prefix of that prompt, matches:
        where a boundary falls inside a token, it moves before that token."""
        head = self._judge_llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        return sum(1 for _ in _takewhile_equal(head, tokens))

    def _judge_with_states(self, prompt: str, reusable: str, processors: Any) -> None:
        """The yes/no completion with the passage's processed state restored when it was saved, and
        saved when it was not."""
        assert self.judge_states is not None
        llm = self._judge_llm
        # Tokenised here as create_completion would (BOS when the model wants one), so the saved
        # states are keyed by exactly the tokens llama.cpp holds.
        tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        stem, prefix = self._reusable_prefix(prompt, tokens, reusable)
        if prefix:
            self._hold(stem, prefix)
        llm.create_completion(tokens, max_tokens=1, temperature=0.0, logits_processor=processors)
        if prefix and prefix not in self.judge_states:
            self._keep(len(prefix))  # the passage without the sentence just judged
            if self._state_size() <= self.judge_states.capacity_bytes:
                self.judge_states.put(prefix, self._saved_state())

    def _reusable_prefix(self, prompt: str, tokens: Sequence[int], reusable: str) -> tuple[int, tuple[int, ...]]:
        """(stem, prefix): how many tokens of the prompt come before `reusable` (its last occurrence:
        the system prompt), and the prompt's tokens up to its end; (0, ()) when there is nothing to
        keep. Tokens are compared, not re-joined: where a boundary falls inside a token, it moves
        before that token."""
        at = prompt.rfind(reusable) if reusable else -1
        if at < 0:
            return 0, ()

        end = self._shared_tokens(prompt[:at + len(reusable)], tokens)
        return (self._shared_tokens(prompt[:at], tokens), tuple(tokens[:end])) if end < len(tokens) else (0, ())

    def _hold(self, stem: int, prefix: tuple[int, ...]) -> None:
        """Make the judge context hold `prefix` (its first `stem` tokens the system prompt): as it is,
        restored from its saved state, or processed now. Each part is processed as a batch of its own
        (system prompt, passage, then the sentence), whatever the context held before: llama.cpp's
        numbers differ slightly between one batch and two, and a judgement must not depend on which
        questions came before it, nor on whether its passage was restored."""
        import llama_cpp

        llm = self._judge_llm
        held = self._held(prefix)
        if held == len(prefix):  # cut back to it: even the same sentence again is a batch of its own
            self._keep(held)
            return
        assert self.judge_states is not None
        state = self.judge_states.get(prefix)
        if state is not None:
            llama_cpp.llama_memory_clear(llm._ctx.memory, True)
            buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
            if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buffer, len(state), 0):
                llm.input_ids[: len(prefix)] = prefix
                llm.n_tokens = len(prefix)
                return
            held = 0  # nothing usable restored; the cleared context starts over
        self._hold_stem(prefix, stem, held)
        llm.eval(prefix[stem:])

    def _held(self, tokens: Sequence[int]) -> int:
        """How many leading `tokens` the judge context holds."""
        llm = self._judge_llm
        return sum(1 for _ in _takewhile_equal(llm.input_ids[: llm.n_tokens].tolist(), tokens))

    def _hold_stem(self, tokens: Sequence[int], stem: int, held: int) -> None:
        """Cut the judge context back to the first `stem` of `tokens` (the system prompt), processed as a
        batch of its own, as every other judgement had it, when the context does not hold them (`held`)."""
        if held < stem:
            self._keep(0)
            self._judge_llm.eval(tokens[:stem])
        self._keep(stem)

    def _keep(self, length: int) -> None:
        """Cut the judge context back to its first `length` tokens."""
        import llama_cpp

        llama_cpp.llama_memory_seq_rm(self._judge_llm._ctx.memory, 0, length, -1)
        self._judge_llm.n_tokens = length

    def _state_size(self) -> int:
        import llama_cpp

        return int(llama_cpp.llama_state_seq_get_size(self._judge_llm._ctx.ctx, 0))

    def _saved_state(self) -> bytes:
        """The judge context's sequence state (what it holds: a system prompt and passage)."""
        import llama_cpp

        size = self._state_size()
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(self._judge_llm._ctx.ctx, buffer, size, 0)
        return ctypes.string_at(buffer, written)

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
                # A chunk per token it yields (a character spanning tokens and a stop sequence's tokens
                # aside), then one that only says why generation stopped: that one is no token.
                self.completion_tokens += chunk["choices"][0]["finish_reason"] is None
                text = chunk["choices"][0]["text"]
                if text:
                    yield text
