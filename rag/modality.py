"""How sure the source is: a claim that states as fact what its source sentence only says could,
may or might happen is not supported.

"The European force will deploy to important towns and strategic bases in Ukraine" against "the
proposed European force could deploy to 'important towns, strategic bases' in Ukraine": every word
and name is there and in order, so the claim passed as a copy of the sentence (modal verbs are
stop words to the copy rule), and the model judge accepts the others ("Italy will help monitor the
peace deal" for "it could help monitor any potential peace deal", P(yes) 0.89). Of eight such
claims written from the seed articles, six were accepted, five of them as copies.

The check finds the clause the claim's words come from (the source sentence cut at commas,
semicolons, dashes and "but"/"while"), and vetoes the claim when that clause hedges (`HEDGES`) and
the claim hedges in no way at all (`CLAIM_HEDGES`, a wider list, so a claim that keeps any
uncertainty passes). Adjectives such as "proposed" or "potential" are not read as hedges in the
source: they qualify a thing, not whether it happens ("the summit will discuss the proposed force").
"would" is not either: in reported speech it is only "will" moved into the past ("Rubio said the
demands would be evaluated"). Both err towards keeping.
"""

from __future__ import annotations

import re

from rag.alignment import source_sentences, words
from rag.facts import fold, is_negated

# Lower case only: "May" is the month.
HEDGES = frozenset("""could may might possibly perhaps potentially likely unlikely if unless considering mulling
weighing expected plans planning aims hopes seeks intends wants""".split())
CLAIM_HEDGES = HEDGES | frozenset("""would should can cannot whether reportedly possible potential proposed planned
eventual envisioned envisaged suggested plan aim hope seek intend want option options due scheduled slated""".split())
# Words between a hedge and the verb or figure it governs ("could be deployed", "wants to help").
_FILLERS = frozenset("to be been have has the a an".split())
_CLAUSE_BREAK = re.compile(r"(?<!\d),|,(?!\d)|[;:()]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b")  # not "10,000"
_TOKEN = re.compile(r"[A-Za-z0-9']+")


def overstated_certainty(claim: str, passage: str) -> str | None:
    """The source clause's hedge ("could") when the claim states as certain what that clause only
    says could happen, or None."""
    tokens = set(_TOKEN.findall(fold(claim)))
    if tokens & CLAIM_HEDGES or is_negated(claim):  # "has not shown enthusiasm for sending troops"
        return None
    claim_words = words(claim)
    found = None
    for sentence in source_sentences(claim_words, passage):
        hedged = [h for clause in _closest_clauses(claim_words, sentence) for h in _hedges_of(clause, claim_words)]
        if not hedged:
            return None  # one source sentence states it plainly: not overstated
        found = found or hedged[0]
    return found


def _closest_clauses(claim_words: set[str], sentence: str) -> list[str]:
    """The clauses of `sentence` sharing the most of `claim_words` (all of them when tied)."""
    clauses = [c for c in _CLAUSE_BREAK.split(fold(sentence)) if c.strip()]
    shared = [len(claim_words & words(clause)) for clause in clauses]
    best = max(shared, default=0)
    return [clause for clause, n in zip(clauses, shared) if n == best and n > 0]


def _hedges_of(clause: str, claim_words: set[str]) -> list[str]:
    """The hedges in `clause` that govern one of the claim's words: among the three words after the
    hedge (fillers skipped) is one the claim has. "could help monitor" hedges a claim about helping
    monitor; "aid they are preparing that could contribute" does not hedge a claim about the aid."""
    tokens = _TOKEN.findall(clause)
    found = []
    for i, token in enumerate(tokens):
        if token in HEDGES:
            governed = [t for t in tokens[i + 1:i + 6] if t.lower() not in _FILLERS][:3]
            if words(" ".join(governed)) & claim_words:
                found.append(token)
    return found


def drops_a_hedge(claim: str, sentence: str) -> bool:
    """`sentence` hedges anywhere ("would" included) and `claim` in no way: then the claim is no copy
    of it, and the model judge reads it ("Russia's demands have been presented to Trump" for
    "Rubio said that Russia's demands would be evaluated and presented to Trump")."""
    hedges = HEDGES | {"would", "should"}
    return bool(set(_TOKEN.findall(fold(sentence))) & hedges) and not set(_TOKEN.findall(fold(claim))) & CLAIM_HEDGES
