"""Article text is data, never instructions: neutralise what could steer the model or fake a citation.

Three things are rewritten before a passage reaches the model, and before verification reads it
(so an injected sentence can neither steer the answer nor count as evidence for one):
- chat-template control tokens (`<|im_start|>`, `[INST]`, `<<SYS>>`…): llama.cpp parses special
  tokens inside the prompt text, so an article holding `<|im_end|><|im_start|>system` would
  otherwise really open a new system turn;
- sentences that address the assistant: "ignore previous instructions", fake `[SYSTEM]` blocks,
  "reply only with …";
- citation-like markers `[3]` inside the article, which the model could copy as if they were ours;
  a sentence holding two or more of them is a citation list of its own and is removed whole.
"""

from __future__ import annotations

import re

from rag.types import WITHHELD as REMOVED

_CONTROL_TOKENS = re.compile(r"<\|[A-Za-z0-9_]{1,40}\|>|\[/?INST\]|<<\s*/?SYS\s*>>|</?s>", re.IGNORECASE)
_ROLE = r"(?:system|assistant|developer|instructions?)"
_ROLE_TAG = r"[\[<(#*]{1,3}\s*/?\s*" + _ROLE + r"\s*[\]>):*]{1,3}"
# A whole fake block, "[SYSTEM] ... [/SYSTEM]" or "<system> ... </system>", goes at once.
_ROLE_BLOCK = re.compile(r"([\[<])\s*(" + _ROLE + r")\s*[\]>].{0,2000}?[\[<]\s*/\s*\2\s*[\]>]",
                         re.IGNORECASE | re.DOTALL)
_INSTRUCTION = re.compile(
    _ROLE_TAG
    + r"|^\s*(?:system|assistant|user)\s*(?:prompt)?\s*(?::|$)"
    r"|\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|system|original)\b[^.!?\n]{0,20}"
    r"\b(?:instructions?|rules|prompts?|directions|messages?)\b"
    r"|\b(?:new|updated)\s+instructions?\s*:|\byou\s+are\s+now\b"
    r"|\b(?:reply|respond|answer|output)\s+(?:only\s+)?(?:with\s+)?(?:the\s+word\s+)?[\"'“]?(?-i:[A-Z]{3,})\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]*[.!?]?")
_MARKER = re.compile(r"\[(\d{1,3})\]")


def strip_control_tokens(text: str) -> str:
    """Text with chat-template control tokens removed (for questions and passages alike)."""
    return _CONTROL_TOKENS.sub(" ", text)


def neutralise(text: str) -> str:
    """A passage as the model and the verifier should read it: no control tokens, no sentence
    giving orders, and no `[n]` markers of its own (written `(n)` instead)."""
    text = _ROLE_BLOCK.sub(REMOVED, strip_control_tokens(text))
    text = _SENTENCE.sub(lambda m: REMOVED if _is_injected(m.group(0)) else m.group(0), text)
    return _MARKER.sub(r"(\1)", text)


def _is_injected(sentence: str) -> bool:
    return bool(sentence.strip()) and (bool(_INSTRUCTION.search(sentence)) or len(_MARKER.findall(sentence)) >= 2)


def looks_injected(text: str) -> bool:
    """Does the text hold anything `neutralise` would rewrite?"""
    return neutralise(text) != text
