"""Which sentence of a passage a claim's words come from: for the checks that compare a claim with
its source sentence (who said it: `rag.speakers`; how sure it is: `rag.modality`)."""

from __future__ import annotations

import functools
import re

from rag.chunking import sentence_spans
from rag.facts import fold

_WORD = re.compile(r"[a-z0-9]+")
# The claim's words must come from one sentence to this extent before it is compared with that
# sentence: at least this many, and at least this share of them.
MIN_SHARED_WORDS = 3
MIN_SHARED_SHARE = 0.5


def words(text: str) -> set[str]:
    """Words of four letters or more, and figures, cut to 5 characters ('deploy'/'deployed' meet)."""
    return {w[:5] for w in _WORD.findall(fold(text).lower()) if len(w) >= 4 or w.isdigit()}


def source_sentences(claim_words: set[str], passage: str) -> list[str]:
    """The passage sentences sharing the most of `claim_words` (all of them when tied), or none when
    even the best shares too few: the claim's words then do not come from one sentence."""
    candidates = shared_sentences(claim_words, passage)
    best = max((shared for _, shared in candidates), default=0)
    return [sentence for sentence, shared in candidates if shared == best]


def shared_sentences(claim_words: set[str], passage: str) -> list[tuple[str, int]]:
    """(sentence, words shared) for every passage sentence sharing enough of `claim_words`."""
    need = max(MIN_SHARED_WORDS, MIN_SHARED_SHARE * len(claim_words))
    shared = [(sentence, len(claim_words & words(sentence))) for sentence in _sentences(passage)]
    return [(sentence, n) for sentence, n in shared if n >= need]


@functools.lru_cache(maxsize=256)
def _sentences(passage: str) -> tuple[str, ...]:
    """A passage's sentences, split once: each judged claim is checked against the same passage by
    the speaker check and both certainty checks, and verification judges several claims per passage."""
    return tuple(passage[s.start:s.end] for s in sentence_spans(passage)) or (passage,)
