"""Does a sentence count what a "how many" question asks about?

A small model answers "How many bombers were destroyed?" with the number of missiles destroyed,
and "What total number of troops will the force have?" with the 26 countries taking part: true
sentences, citing the right passage, so the judge accepts them, and the cross-encoder scores them
relevant (0.98 for the latter). What gives them away is the noun the number counts. A sentence
whose figures name other things (a plural noun within a few words after them) and never the
question's gives the count of something else.
"""

from __future__ import annotations

import re

from rag.facts import figure_ends, normalise

# "how many Russian strategic bombers were ...", "the total number of troops will ...": the counted
# phrase runs from after the cue to the first of these words (or a past participle).
_CUE = re.compile(r"\b(?:how many|number of)\s+(.+)")
_PHRASE_END = frozenset("""were was is are be been being did do does have has had will would can could should may might
must in of at on for to from by with according that which who whom whose during after before since as than
over under between among across into out up around about including""".split())
# Nouns a count of the other also answers: "how many soldiers" is answered by "10,000 troops".
_SAME_COUNT = [
    {"troops", "soldiers", "personnel", "servicemen", "troop", "soldier"},
    {"people", "persons", "civilians", "residents", "person", "civilian", "resident"},
    {"countries", "nations", "states", "country", "nation", "state"},
    {"days", "weeks", "months", "years", "hours", "minutes", "day", "week", "month", "year", "hour", "minute"},
]
_IRREGULAR_PLURALS = frozenset("people men women children personnel police staff".split())
_NOT_PLURALS = frozenset("this thus has was does goes towards whereas perhaps always across besides".split())
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")
# How far after a figure its noun may come: "96 air-to-air cruise missiles", "10,000 to 30,000 troops".
NOUN_WINDOW = 3


def counted_nouns(question: str) -> frozenset[str]:
    """The words naming what a "how many" question counts ({"russian", "strategic", "bombers"}), with
    their same-count alternatives; empty for any other question.

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
    phrase.discard("or")
    for group in _SAME_COUNT:
        if phrase & group:
            phrase |= group
    return frozenset(phrase)


def counts_something_else(sentence: str, nouns: frozenset[str]) -> bool:
    """True when `sentence` gives a figure of some other named thing ("96 missiles") and none of the
    thing asked about: the answer to another question. A figure with no plural noun after it ("the
    attack killed 12 and wounded 30") may count the thing asked about without naming it, so it
    clears the sentence rather than convicting it; so does having no figure at all."""
    if not nouns:
        return False
    text = normalise(sentence)
    stems = {_stem(n) for n in nouns}
    other = False
    for end in figure_ends(text):
        after = _TOKEN.findall(text[end:])[:NOUN_WINDOW]
        if any(_stem(word) in stems for word in after):
            return False
        other = other or any(_is_plural_noun(word) for word in after)
    return other


def _is_plural_noun(word: str) -> bool:
    """A word that can name what a figure counts: "missiles", "countries", "people"."""
    word = word.rsplit("-", 1)[-1]
    return word in _IRREGULAR_PLURALS or (word.endswith("s") and len(word) > 3 and word not in _NOT_PLURALS
                                          and not word.endswith(("ss", "us", "is", "'s")))


def _stem(word: str) -> str:
    """Plural and singular meet ("bomber"/"bombers", "delegation"/"delegations"); hyphenated compounds
    count by their last part ("air-to-air")."""
    word = word.rsplit("-", 1)[-1]
    return word[:-1] if word.endswith("s") and len(word) > 3 else word
