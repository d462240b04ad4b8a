"""How sure the source is: a claim that states as fact what its source sentence only says could,
may or might happen is not supported.

"The European force will deploy to important towns and strategic bases in Ukraine" against "the
proposed European force could deploy to 'important towns, strategic bases' in Ukraine": every word
and name is there and in order, so the claim passed as a copy of the sentence (modal verbs are
stop words to the copy rule), and the model judge accepts the others ("Italy will help monitor the
peace deal" for "it could help monitor any potential peace deal", P(yes) 0.89). Of eight such
claims written from the seed articles, six were accepted, five of them as copies.

The check finds the clause the claim's words come from (the source sentence cut at commas,
colons, brackets, dashes and "and"/"but"/"while"/"whereas"/"as"), and vetoes the claim when a hedge of that clause
(`HEDGES`) governs one of the claim's words ("could help monitor" for a claim about monitoring; not
"the aid they are preparing that could contribute" for a claim about the aid) and the claim hedges
in no way at all (`CLAIM_HEDGES`, a wider list, so a claim that keeps any uncertainty passes). A
negated claim is not checked. Adjectives such as "proposed" or "potential" are not read as hedges in the
source: they qualify a thing, not whether it happens ("the summit will discuss the proposed force").
"would" is not either: in reported speech it is only "will" moved into the past ("Rubio said the
demands would be evaluated"). Both err towards keeping.

The same clause also tells what has not happened yet: "The Paris summit discussed the proposed force"
from "a summit … on Thursday that will discuss the proposed force" reports as done what the article
announced (`reported_as_done`: the claim has the past form of the very verb the clause puts after
"will"; the model judge accepted it at 0.91).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.alignment import source_sentences, words
from rag.facts import fold, is_negated

# The source's hedges, by what follows them. Lower case only: "May" is the month.
_MODALS = frozenset("could may might".split())  # + a verb: "could deploy", "might be sent"
_ADVERBS = frozenset("possibly perhaps potentially likely unlikely".split())  # + a verb or a figure
_INTENTS = frozenset("plans planning aims hopes seeks intends wants expected".split())  # only with "to": "plans to"
_WEIGHING = frozenset("considering mulling weighing".split())  # + what is weighed: "considering sending"
_GOVERNING = _MODALS | _ADVERBS | _WEIGHING  # a hedge with no "to" needed
HEDGES = _GOVERNING | _INTENTS
# A claim with any of these keeps some uncertainty (compared in lower case).
CLAIM_HEDGES = HEDGES | frozenset("""would should can cannot if unless whether reportedly possible potential proposed
planned eventual envisioned envisaged suggested plan aim hope seek intend want hoped sought aimed intended wanted
option options due scheduled slated""".split())
# Skipped between a hedge and the verb it governs: "could be deployed", "might have been", "likely to go".
_FILLERS = frozenset("to be been have".split())
_CLAUSE_BREAK = re.compile(r"(?<!\d),|,(?!\d)|[;:()]|\s-\s|\b(?:and|but|while|whereas|as)\b")  # not "10,000"
_TOKEN = re.compile(r"[A-Za-z0-9']+")


def overstated_certainty(claim: str, passage: str) -> str | None:
    """The source clause's hedge ("could") when the claim states as certain what that clause only
    says could happen, or None."""
    tokens = {t.lower() for t in _TOKEN.findall(fold(claim))}
    if tokens & CLAIM_HEDGES or is_negated(claim):  # "has not shown enthusiasm for sending troops"
        return None
    claim_words = words(claim)
    return _in_every_source(claim_words, passage, lambda clause: _hedges_of(clause, claim_words))


def _in_every_source(claim_words: set[str], passage: str, find: Callable[[str], list[str]]) -> str | None:
    """The first thing `find` reports in the clauses the claim's words come from, when it reports
    something for every source sentence; None when one source sentence states it plainly."""
    found = None
    for sentence in source_sentences(claim_words, passage):
        reported = [item for clause in _closest_clauses(claim_words, sentence) for item in find(clause)]
        if not reported:
            return None
        found = found or reported[0]
    return found


def _closest_clauses(claim_words: set[str], sentence: str) -> list[str]:
    """The clauses of `sentence` sharing the most of `claim_words` (all of them when tied)."""
    clauses = [c for c in _CLAUSE_BREAK.split(fold(sentence)) if c.strip()]
    shared = [len(claim_words & words(clause)) for clause in clauses]
    best = max(shared, default=0)
    return [clause for clause, n in zip(clauses, shared) if n == best and n > 0]


def _hedges_of(clause: str, claim_words: set[str]) -> list[str]:
    """The hedges in `clause` that govern one of the claim's words: the word the hedge governs (the
    next one, fillers skipped) is one the claim has. "could help monitor" hedges a claim about
    helping monitor; "aid they are preparing that could contribute" does not hedge a claim about the
    aid, nor "officials said they might cut rates later" one about holding rates. A word that only
    looks like a hedge is none: "Russia's military might has been weakened" (a modal takes no
    "has"), "approved the plans on Monday", "seeks $10 million" (no "to"), "rose more than expected"."""
    tokens = _TOKEN.findall(clause)
    found = []
    for i, token in enumerate(tokens):
        rest = tokens[i + 1:]
        if token in _INTENTS:
            if rest[:1] != ["to"] or tokens[i - 1:i] in (["than"], ["as"]):
                continue
        elif token not in _GOVERNING:
            continue
        governed = [next((t for t in rest if t.lower() not in _FILLERS), "")] + _purposes(rest)
        if words(" ".join(governed)) & claim_words:
            found.append(token)
    return found


# Where the hedged verb's own words end: what follows is another clause, with its own verbs
# ("Leaders may meet next week after Russia agreed to withdraw": the withdrawing is not hedged).
_SUBORDINATORS = frozenset("""after because that which who whom whose when since before until if so though although
where whether once unless""".split())
# Not verbs after "to": "to the summit", "to their troops".
_DETERMINERS = frozenset("the a an this that these those its their his her our your my every some any".split())


def _purposes(tokens: list[str]) -> list[str]:
    """The verbs of the "to" infinitives after a hedged verb, up to the end of its own words
    (`_SUBORDINATORS`), which the hedge governs as well: "planners are expected to reconvene on
    Thursday to advance practical strategies" hedges the advancing as much as the meeting (the 1.5B
    judge accepted "The planners decided to advance practical strategies", P(yes) 0.84). A word after
    "to" is taken for a verb when it is in lower case, no determiner, and not followed by a name:
    "to Ukraine", "to the summit" and "to western Ukraine" say where, not what for."""
    found = []
    for i, token in enumerate(tokens):
        if token.lower() in _SUBORDINATORS:
            break
        after = tokens[i + 1:i + 3]
        if token == "to" and after and after[0].islower() and after[0] not in _DETERMINERS \
                and not (len(after) > 1 and after[1][:1].isupper()):
            found.append(after[0])
    return found


def drops_a_hedge(claim: str, sentence: str) -> bool:
    """`sentence` hedges anywhere ("would" included) and `claim` in no way: then the claim is no copy
    of it, and the model judge reads it ("Russia's demands have been presented to Trump" for
    "Rubio said that Russia's demands would be evaluated and presented to Trump")."""
    hedges = HEDGES | {"would", "should"}
    claimed = {t.lower() for t in _TOKEN.findall(fold(claim))}
    return bool(set(_TOKEN.findall(fold(sentence))) & hedges) and not claimed & CLAIM_HEDGES


# A claim with one of these still speaks of the future, or of a plan.
_FUTURE = frozenset("""will would shall should can going set due scheduled slated plan plans planned planning
expected""".split())
_PAST_AUXILIARIES = frozenset("was were been".split())
_IRREGULAR_PAST = {"meet": "met", "send": "sent", "give": "gave", "hold": "held", "take": "took", "make": "made",
                   "lead": "led", "leave": "left", "go": "went", "come": "came", "begin": "began", "pay": "paid",
                   "win": "won", "keep": "kept", "bring": "brought", "seek": "sought", "speak": "spoke",
                   "become": "became", "tell": "told", "choose": "chose", "build": "built"}


def reported_as_done(claim: str, passage: str) -> str | None:
    """The source clause's "will <verb>" when the claim reports that very thing as done ("The summit
    discussed the force" from "a summit that will discuss the force"), or None."""
    tokens = _TOKEN.findall(fold(claim))
    if {t.lower() for t in tokens} & (HEDGES | _FUTURE) or is_negated(claim):  # "the proposed force" hedges no verb
        return None

    def promised(clause: str) -> list[str]:
        # A clause stating it done as well is no promise only: "Russia attacked Kyiv as officials
        # warned Moscow will attack again" supports "Russia attacked Kyiv".
        return [f"will {' '.join(verb)}" for verb in _future_verbs(clause)
                if _done_in(verb, tokens) and not _done_in(verb, _TOKEN.findall(clause))]

    return _in_every_source(words(claim), passage, promised)


def _future_verbs(clause: str) -> list[tuple[str, ...]]:
    """("discuss",) for "will discuss", ("be", "deployed") for "will be deployed"; not "will not"."""
    tokens = _TOKEN.findall(clause)
    found = []
    for i, token in enumerate(tokens[:-1]):
        if token == "will" and tokens[i + 1] != "not":
            found.append(tuple(tokens[i + 1:i + 3]) if tokens[i + 1] == "be" else (tokens[i + 1],))
    return [v for v in found if v and (v[0] != "be" or len(v) == 2)]


def _done_in(verb: tuple[str, ...], tokens: list[str]) -> bool:
    """Do `tokens` (a claim's, or a clause's) have `verb` in the past: "discussed" for ("discuss",),
    "was deployed" for ("be", "deployed")?"""
    if verb[0] == "be":
        participle = verb[1]
        return any(t == participle and i > 0 and tokens[i - 1] in _PAST_AUXILIARIES for i, t in enumerate(tokens))
    base = verb[0].lower()
    pasts = {base + "ed", base + base[-1:] + "ed", _IRREGULAR_PAST.get(base, "")}  # "banned"
    if base.endswith("e"):
        pasts.add(base + "d")  # "decided", not "band" for "ban"
    if base.endswith("y"):
        pasts.add(base[:-1] + "ied")
    return any(t.lower() in pasts - {""} for t in tokens)
