"""Who did what to whom: a claim that names the same two parties as its source sentence, joined by the
same words, but the other way round ("The Rams beat the Seahawks" from "The Seahawks beat the Rams").

Word order carries the roles of an English active clause: the party before the verb acts, the one after
it is acted on. So when both parties of a source sentence appear in the claim in reverse order, with
the words between them sharing the sentence's verb, the claim has swapped their roles, unless:
- the voice changed ("The Rams were beaten by the Seahawks"), or a title turned into an "of" phrase
  ("European Council President António Costa" from "António Costa, the president of the European
  Council"): a "by" or an "of" between them in one and not in the other turns the order round again;
- they are coordinated ("Biden and Xi", "Macron with Scholz"), where order carries no role.
A verb whose two parties can trade places and stay true ("met", "played") is not told apart here; the
labelled role pairs in eval/data/role_pairs.jsonl measure how often that costs a true sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.alignment import source_sentences, words
from rag.facts import fold, names

_TOKEN = re.compile(r"[a-z0-9]+")
# Words that coordinate two parties, so that their order says nothing about who acted.
_COORDINATING = frozenset({"and", "or", "nor", "with", "vs", "versus", "between"})
# Words that turn the order of two parties round: "B was beaten by A" is "A beat B"; "A, president of B" is
# "B President A".
_ORDER_TURNING = ("by", "of")
_MAX_GAP = 8  # tokens between the two parties: beyond this they are rarely arguments of one verb


@dataclass(frozen=True)
class _Party:
    start: int  # token index of its first word
    end: int  # token index after its last word
    text: str


def swapped_roles(claim: str, passage: str) -> tuple[str, str, str] | None:
    """(first party, second party, source sentence) when the claim has the sentence's two parties the
    other way round around the same verb; None otherwise."""
    for sentence in source_sentences(words(claim), passage):
        swapped = _swapped_in(claim, sentence)
        if swapped:
            return (*swapped, sentence)
    return None


def _swapped_in(claim: str, sentence: str) -> tuple[str, str] | None:
    claim_tokens, sentence_tokens = _tokens(claim), _tokens(sentence)
    shared = _name_keys(claim, sentence) & _name_keys(sentence, claim)
    in_sentence = _parties(sentence_tokens, shared)
    in_claim = {party.text: party for party in _parties(claim_tokens, shared)}
    for i, first in enumerate(in_sentence):
        for second in in_sentence[i + 1:]:
            a, b = in_claim.get(first.text), in_claim.get(second.text)
            if a is None or b is None or a.start < b.start:
                continue  # a party missing from the claim, or the same order
            between_sentence = sentence_tokens[first.end:second.start]
            between_claim = claim_tokens[b.end:a.start]
            if _joins_as_one_clause(between_sentence, between_claim):
                return first.text, second.text
    return None


def _joins_as_one_clause(between_sentence: list[str], between_claim: list[str]) -> bool:
    """The same verb joins the parties in both, in the same voice, and nothing coordinates them."""
    if not between_sentence or not between_claim or max(len(between_sentence), len(between_claim)) > _MAX_GAP:
        return False
    if _COORDINATING & (set(between_sentence) | set(between_claim)):
        return False
    if any((word in between_sentence) != (word in between_claim) for word in _ORDER_TURNING):
        return False  # the order turned round with the voice, or with an "of"
    return bool(words(" ".join(between_sentence)) & words(" ".join(between_claim)))


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text).lower())


def _name_keys(text: str, other: str) -> set[str]:
    """The text's names, with its first word counted when the other text has that word as a name
    (`facts.names` skips a sentence's first word, capitalised anyway)."""
    keys = {key for name in names(text) for key in _tokens(name)}
    first = _tokens(text)[:1]
    if first and first[0] in {key for name in names(other) for key in _tokens(name)}:
        keys.add(first[0])
    return keys


def _parties(tokens: list[str], keys: set[str]) -> list[_Party]:
    """Runs of adjacent name words ("kevin love"), each at its first occurrence, in order."""
    parties: list[_Party] = []
    seen: set[str] = set()
    i = 0
    while i < len(tokens):
        if tokens[i] in keys:
            j = i
            while j < len(tokens) and tokens[j] in keys:
                j += 1
            text = " ".join(tokens[i:j])
            if text not in seen:
                seen.add(text)
                parties.append(_Party(i, j, text))
            i = j
        else:
            i += 1
    return parties
