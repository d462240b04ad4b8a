"""Follow-up questions made standalone, so retrieval and the model see what the user means.

"And what did Germany say?" retrieves nothing useful on its own: the topic lives in the earlier
question. The rewrite is deterministic (no model call: on 2 CPU cores a generated rewrite would
double the latency of every follow-up) and only touches questions that look elliptical:

- a bare noun phrase ("and Germany?", "what about Italy?") takes the place of the first name in
  the previous question: "How many troops will France send?" → "How many troops will Germany send?";
- a question that opens with a connective ("and", "but", "what about"…), leans on a pronoun
  ("they", "it", "this"…) or has almost no content words gets the previous question's salient
  terms appended: "What did Germany say? (context: countries committed reassurance force)".

Self-contained questions pass through unchanged. Each earlier user turn is rewritten in order,
so a chain of follow-ups keeps the topic of the question that started it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["user", "assistant"]

MAX_CONTEXT_TERMS = 8

_CONNECTIVE = re.compile(
    r"^(?:(?:and|but|or|so|also|then|plus|ok(?:ay)?|well)\b[\s,]*)+(?:(?:what|how) about\b\s*)?"
    r"|^(?:(?:what|how) about|same (?:for|with)|what else about)\b\s*",
    re.IGNORECASE,
)
_PRONOUNS = frozenset("it its they them their theirs this these those he him his she her hers".split())
_INTERROGATIVES = frozenset("""what who whom whose when where why how which is are was were do does did will would
can could should has have had""".split())
_STOPWORDS = _PRONOUNS | _INTERROGATIVES | frozenset("""a an the of to in on at for by with from and or but be been
being that as than then so such said say says also there about into over after before since during any some many
much more most tell me us you your i we our know please not no yes""".split())
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z0-9]")
_CONTEXT = re.compile(r"\s*\(context: [^)]*\)\s*$")


@dataclass(frozen=True)
class Turn:
    """One earlier message of the conversation."""

    role: Role
    content: str


def standalone_question(history: Sequence[Turn], follow_up: str, max_chars: int | None = None) -> str:
    """The follow-up rewritten to stand alone given the earlier turns; unchanged when it already does."""
    previous = ""
    for turn in history:
        if turn.role == "user" and turn.content.strip():
            previous = _rewrite(previous, " ".join(turn.content.split()))
    rewritten = _rewrite(previous, " ".join(follow_up.split()))
    if max_chars is not None and len(rewritten) > max_chars:  # never turn a valid question into a rejected one
        return " ".join(follow_up.split())
    return rewritten


def _rewrite(previous: str, question: str) -> str:
    if not previous or not question or not _is_elliptical(question):
        return question
    body = _CONNECTIVE.sub("", question).strip(" ,?") or question.strip(" ,?")
    base = _CONTEXT.sub("", previous)
    swapped = _swap_first_name(base, body) if _is_noun_phrase(body) else None
    if swapped:
        return swapped + previous[len(base):]  # the earlier context still applies
    terms = _context_terms(base, body)
    body = body[:1].upper() + body[1:]
    return f"{body}? (context: {' '.join(terms)})" if terms else f"{body}?"


def _is_elliptical(question: str) -> bool:
    """Does the question lean on the conversation? It opens with a connective, uses a pronoun or says almost
    nothing. (A question naming nothing, "Where did the ceremony take place?", was tried as elliptical too:
    it gained two answers of 65 on the labelled follow-ups, but would carry a stale topic into a new,
    self-contained question — "What is the latest on interest rates?" — which that set does not cover.)"""
    words = [w.lower() for w in _WORD.findall(question)]
    return (bool(_CONNECTIVE.match(question)) or any(w in _PRONOUNS for w in words)
            or len(_content_words(question)) < 2)


def _is_noun_phrase(body: str) -> bool:
    words = _WORD.findall(body)
    return 0 < len(words) <= 4 and not any(w.lower() in _INTERROGATIVES | _PRONOUNS for w in words)


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in _STOPWORDS]


def _context_terms(previous: str, body: str) -> list[str]:
    present = {w.lower() for w in _WORD.findall(body)}
    terms: list[str] = []
    for word in _content_words(previous):
        if word.lower() not in present:
            present.add(word.lower())
            terms.append(word)
    return terms[:MAX_CONTEXT_TERMS]


def _swap_first_name(previous: str, body: str) -> str | None:
    """`previous` with its first run of capitalised words (a name, not the opening word) replaced by `body`."""
    opening = re.match(r"\s*\S+", previous)
    skip = opening.end() if opening else 0  # the opening word is capitalised by grammar, not because it is a name
    first = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*").search(previous, skip)
    if first is None or not re.sub(r"^(?:the|a|an)\s+", "", body)[:1].isupper():  # "and tanks?" is no name
        return None
    return previous[:first.start()] + body + previous[first.end():]


# The model's rewrite: the whole conversation is read, answers included ("How did he attend?" after
# "Who drives the effort with Macron?" — "Keir Starmer"), which the rules above cannot do.
REWRITE_SYSTEM = (
    "You rewrite the user's follow-up question so that it can be understood on its own, without the "
    "conversation. Replace pronouns and vague references (it, they, he, she, there, that, them) with what "
    "they refer to in the conversation, and add the topic the follow-up leaves out. Keep the rest of its "
    "wording. Do not answer it. Reply with the rewritten question only, on one line.")
REWRITE_TOKENS = 64
_TURN_CHARS = 400  # of each earlier turn shown to the model: the topic, not the whole answer
_CITATION_MARK = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_LABEL = re.compile(r"^\s*(?:standalone|rewritten)?\s*(?:question)?\s*:\s*", re.IGNORECASE)


def rewrite_messages(history: Sequence[Turn], follow_up: str) -> list[dict[str, str]]:
    """The chat messages asking a model for the standalone form of `follow_up`: the last two exchanges."""
    recent = [t for t in history if t.content.strip()][-4:]
    lines = [f"{'User' if t.role == 'user' else 'Assistant'}: "
             f"{_CITATION_MARK.sub('', ' '.join(t.content.split()))[:_TURN_CHARS]}" for t in recent]
    prompt = "Conversation:\n" + "\n".join(lines) + f"\n\nFollow-up question: {' '.join(follow_up.split())}"
    return [{"role": "system", "content": REWRITE_SYSTEM}, {"role": "user", "content": prompt}]


@dataclass(frozen=True)
class ModelRewriter:
    """The follow-up made standalone by the generator (RAG_REWRITE=model), the rules' rewrite when the
    model's reply is no question. The caller holds the model's turn: one generation at a time."""

    generator: Any  # rag.generation.Generator (not imported here: this module has no model dependency)

    def rewrite(self, history: Sequence[Turn], follow_up: str, max_chars: int | None = None) -> str:
        question = " ".join(follow_up.split())
        reply = "".join(self.generator.generate(rewrite_messages(history, question), max_tokens=REWRITE_TOKENS))
        return parsed_rewrite(reply, question, max_chars) or standalone_question(history, question, max_chars)


def parsed_rewrite(reply: str, follow_up: str, max_chars: int | None = None) -> str | None:
    """The model's rewrite as a question, or None when the reply is not one (empty, several lines of
    something else, an answer instead of a question, or longer than the question limit)."""
    line = next((ln for ln in reply.strip().splitlines() if ln.strip()), "")
    line = _LABEL.sub("", line).strip().strip('"“”').strip()
    if not line or not follow_up.strip() or not line.endswith("?"):  # a rewrite is a question, never an answer
        return None
    if max_chars is not None and len(line) > max_chars:
        return None
    return line
