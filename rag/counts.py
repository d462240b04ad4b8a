"""Does a sentence count what a "how many" question asks about, and what its source's figure counts?

A small model answers "How many bombers were destroyed?" with the number of missiles destroyed,
and "What total number of troops will the force have?" with the 26 countries taking part: true
sentences, citing the right passage, so the judge accepts them, and the cross-encoder scores them
relevant (0.98 for the latter). What gives them away is the noun the number counts. A sentence
whose every figure names another thing (a plural noun just after it, "96 missiles") gives the
count of something else. The check errs towards keeping: a figure naming nothing ("killed 12"),
or a thing that may be the one asked about, clears the sentence.

The same noun also tells a figure moved from one thing to another: "The reassurance force will have 26
troops", citing "We have today 26 countries who have formally committed … to deploy … troops" (a
real answer the model judge accepted at P(yes) 0.81). `recounted_figure` vetoes a claim whose figure
names one thing where every mention of that figure in the passage names another.
"""

from __future__ import annotations

import re

from rag.facts import figure_ends, figures, is_country_word, normalise

# "how many Russian strategic bombers were ...", "the total number of troops will ...", but not
# "why did a number of countries ...": the counted phrase runs from after the cue to the first of
# these words (or a past participle).
_CUE = re.compile(r"\b(?:how many|(?:total|exact|overall|the|what|which) number of)\s+(.+)")
_PHRASE_END = frozenset("""were was is are be been being did do does have has had will would can could should may might
must in of at on for to from by with according that which who whom whose during after before since as than
over under between among across into out up around about including""".split())
_FILLER = frozenset("the a an and or its their his her our your these those".split())
# Nouns a count of the other also answers: "how many soldiers" is answered by "10,000 troops".
_SAME_COUNT = (
    frozenset("troops troop soldiers soldier personnel servicemen men marines sailors airmen".split()),
    frozenset("people persons person civilians civilian residents resident".split()),
    frozenset("countries country nations nation states state".split()),
    frozenset("aircraft planes plane jets jet warplanes warplane fighters helicopters".split()),
    frozenset("days day weeks week months month years year hours hour minutes minute".split()),
)
_PEOPLE = _SAME_COUNT[1]
# Plural nouns that name people ("12 Ukrainians", "40 protesters"): a "how many people" question
# accepts any of them, since the check must not remove a death toll for its wording.
_PEOPLE_SUFFIXES = ("ians", "ers", "ors", "ists", "ants", "ents", "ees")
_IRREGULAR_PLURALS = frozenset("people men women children kids personnel police staff".split())
# Words ending in "s" that name nothing a figure counts: verbs, adverbs, "30 others".
_NOT_PLURALS = frozenset("""this thus has was does goes towards whereas perhaps always across besides others more
times remains includes says makes means seems comes gets takes gives shows stands represents marks brings
needs""".split())
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")
_CLAUSE_END = re.compile(r"[,;:.()!?]")
_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d$")
# How far after a figure its noun may come: "96 air-to-air cruise missiles", "10,000 to 30,000 troops".
NOUN_WINDOW = 3


def counted_nouns(question: str) -> frozenset[str]:
    """The words naming what a "how many" question counts ({"russian", "strategic", "bombers"}), with
    their same-count alternatives; empty for any other question, and for one whose counted phrase
    is not words ("how many of the 26 ...", "how many 155mm shells"), which is then not checked.

    The phrase ends at the first verb-like word ("were", "attended", "pledged"), so "How many nations
    pledged soldiers" counts nations. Every word of it counts, adjectives too: a figure followed by
    any of them is taken to count the thing asked about, which errs towards keeping a sentence."""
    cue = _CUE.search(normalise(question))
    if not cue:
        return frozenset()
    phrase: set[str] = set()
    for word in _TOKEN.findall(cue.group(1)):
        if word in _PHRASE_END or word[0].isdigit() or (word.endswith("ed") and len(word) > 4):
            break
        phrase.add(word)
    phrase -= _FILLER
    for group in _SAME_COUNT:
        if phrase & group:
            phrase |= group
    return frozenset(phrase)


def counts_something_else(sentence: str, nouns: frozenset[str]) -> bool:
    """True when every figure of `sentence` (years aside) is followed, within its clause, by a plural
    noun and none by one of `nouns`: the answer to another question. A figure naming nothing may
    count the thing asked about ("killed 12, officials said"), so it clears the sentence; so does
    having no figure at all, or a question counting nothing."""
    if not nouns:
        return False
    text = normalise(sentence)
    stems = {_stem(n) for n in nouns}
    figures = [end for end in figure_ends(text) if not _YEAR.search(text[:end])]
    for end in figures:
        clause = _CLAUSE_END.split(text[end:], maxsplit=1)[0]
        after = _TOKEN.findall(clause)[:NOUN_WINDOW]
        if any(_stem(word) in stems or (nouns & _PEOPLE and _names_people(word)) for word in after):
            return False
        if not any(_is_plural_noun(word) for word in after):
            return False
    return bool(figures)


def _is_plural_noun(word: str) -> bool:
    """A word that can name what a figure counts: "missiles", "countries", "people"."""
    word = word.rsplit("-", 1)[-1]
    return word in _IRREGULAR_PLURALS or (word.endswith("s") and len(word) > 3 and word not in _NOT_PLURALS
                                          and not word.endswith(("ss", "us", "is", "'s")))


def _names_people(word: str) -> bool:
    return word in _IRREGULAR_PLURALS or is_country_word(word) or word.endswith(_PEOPLE_SUFFIXES)


def _stem(word: str) -> str:
    """Plural and singular meet ("bomber"/"bombers", "F-16"/"F-16s"); hyphenated compounds count by
    their last part ("air-to-air")."""
    word = word.rsplit("-", 1)[-1]
    return word[:-1] if word.endswith("s") and len(word) > 2 else word


def recounted_figure(claim: str, passage: str) -> str | None:
    """Why the claim's figure counts something else than the passage's same figure ("26 counts
    countries there, not troops" for "26 troops" where the passage has "26 countries"), or None.
    Only a figure both name a thing for is compared: a figure the claim leaves bare, or one the
    passage names nothing for in some mention, may count anything, and a figure the passage lacks
    is the fact veto's to reject. Nouns of one kind meet ("26 nations" and "26 countries", "10,000
    soldiers" and "10,000 troops"; plural and singular)."""
    named = _named_figures(passage)
    for value, nouns in _named_figures(claim).items():
        theirs = named.get(value)
        if not theirs or None in theirs:
            continue
        for noun in sorted(n for n in nouns if n):
            if not any(_same_count(noun, other) for other in theirs if other):
                return f"{value:g} counts {' / '.join(sorted(n for n in theirs if n))} there, not {noun}"
    return None


def _named_figures(text: str) -> dict[float, set[str | None]]:
    """Each figure's value (years aside) with the nouns its mentions name: the first plural noun within
    NOUN_WINDOW words after it, in its clause ("96 air-to-air cruise missiles": missiles), or None."""
    plain = normalise(text)
    named: dict[float, set[str | None]] = {}
    for value, end in figures(text):
        if _YEAR.search(plain[:end]):
            continue
        clause = _CLAUSE_END.split(plain[end:], maxsplit=1)[0]
        nouns = [w for w in _TOKEN.findall(clause)[:NOUN_WINDOW] if _is_plural_noun(w)]
        named.setdefault(value, set()).add(nouns[0] if nouns else None)
    return named


def _same_count(a: str, b: str) -> bool:
    if _stem(a) == _stem(b):
        return True
    return any(_stem(a) in {_stem(w) for w in group} and _stem(b) in {_stem(w) for w in group}
               for group in _SAME_COUNT) or (_names_people(a) and _names_people(b))
