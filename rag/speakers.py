"""Who said it: a claim that puts a passage's words in another speaker's mouth is not supported.

"Zelenskyy said this means keeping up the pressure on Russia through sanctions" against the
passage's "'This means keeping up the pressure on Russia through sanctions,' Costa said Thursday":
every word and name of the claim is in the passage (Zelenskyy is named a sentence earlier), so the
fact veto passes it, and the small model judge accepts such swaps. Of eight written from the seed
articles it accepted seven, two of them as verbatim copies, because the wrong speaker also appears,
earlier, in the very sentence ("While welcoming Trump's push for peace, Rutte said ...").

The check reads speakers from reporting clauses only: a name right before a speech verb ("Costa
said", "Macron's office said"), a name right after one that follows a quote or comma ('..." said
Macron'), and "according to <name>". The passage sentence the claim's words come from is found by
word overlap; when that sentence names its speakers and the claim names another, the claim is
vetoed. A sentence whose speaker is a pronoun ("he said") or stands far from the verb ("The office
of Keir Starmer, who ..., said") names none, and then nothing is vetoed: the check errs towards
keeping, and the model judge still decides.
"""

from __future__ import annotations

import re

from rag.alignment import source_sentences, words
from rag.facts import dates, fold, is_country_word

# "announced" is left out: "Macron announced a package" reports an act more often than words; so are
# "states", "notes" and "claims", more often nouns ("the United States", "Russia's claims").
SPEECH_VERBS = frozenset("""said says say told tells added adds stated warned warns stressed stresses
reiterated reiterates noted argued argues insisted insists claimed wrote writes
posted declared declares explained explains acknowledged acknowledges confirmed confirms denied denies urged urges
remarked emphasised emphasized emphasises emphasizes accused accuses asserted asserts""".split())
# "Macron's office said": the speaker is the name before these.
_AGENTS = frozenset("office spokesperson spokesman spokeswoman government ministry aides".split())
# Capitalised words that stand before a speech verb without naming anyone.
_NOT_SPEAKERS = frozenset("""a an the this that these those it its he she they we i you his her their our who which
and but or so also then however meanwhile separately later earlier still yet while as after before when
president prime minister premier chancellor secretary general chief leader leaders king queen mr mrs ms dr sir
officials official authorities analysts experts reports report sources critics observers diplomats ministers
lawmakers residents witnesses police army military forces force troops coalition summit according note
statement spokesperson spokesman spokeswoman office government ministry state department house""".split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z.'-]*|[,\"]")


def speakers(sentence: str) -> set[str]:
    """The names a sentence gives as who said it (lower case, possessive dropped)."""
    tokens = _TOKEN.findall(fold(sentence))
    found: set[str] = set()
    for i, token in enumerate(tokens):
        lowered = token.lower()
        if token in SPEECH_VERBS:  # lower case: "Says" in a Title Case headline is left alone
            before = i - 1
            if before >= 0 and tokens[before].lower() in _AGENTS:
                before -= 1
            found |= _names_from(tokens, before, -1)
            if i > 0 and tokens[i - 1] in {",", '"'}:  # '..." said French President Emmanuel Macron'
                found |= _names_from(tokens, _past_titles(tokens, i + 1), 1)
        elif lowered == "according" and i + 1 < len(tokens) and tokens[i + 1].lower() == "to":
            found |= _names_from(tokens, _past_titles(tokens, i + 2), 1)
    return found


def misattributed_speaker(claim: str, passage: str) -> str | None:
    """The speaker the claim names when the passage sentence its words come from names only other
    speakers ("Zelenskyy" for Costa's words), or None. The claimed name may appear in that sentence
    in another role ("While welcoming Trump's push for peace, Rutte said ..."): it is still not
    the one who said it."""
    claimed = speakers(claim)
    if not claimed:
        return None
    sources = source_sentences(words(claim) - words(" ".join(claimed | SPEECH_VERBS)), passage)
    for sentence in sources:
        theirs = speakers(sentence)
        if not theirs or any(_same_name(a, b) for a in claimed for b in theirs):
            return None
    return " ".join(sorted(claimed)) if sources else None


def speakers_differ(claim: str, sentence: str) -> bool:
    """Both name who said it, and no name is the same: the claim is then no copy of the sentence."""
    claimed, theirs = speakers(claim), speakers(sentence)
    return bool(claimed and theirs) and not any(_same_name(a, b) for a in claimed for b in theirs)


def _names_from(tokens: list[str], start: int, step: int) -> set[str]:
    """Up to three consecutive name words from `start`, walking by `step`."""
    found: set[str] = set()
    at = start
    while 0 <= at < len(tokens) and len(found) < 3:
        key = _key(tokens[at])
        if not _is_name(tokens[at], key):
            break
        found.add(key)
        if step > 0 and tokens[at].endswith("'s"):  # "according to Macron's office"
            break
        at += step
    return found


def _past_titles(tokens: list[str], at: int) -> int:
    """The first token from `at` that is not a title or country word ("French President ...")."""
    while at < len(tokens) and (_key(tokens[at]) in _NOT_SPEAKERS or is_country_word(_key(tokens[at]))) \
            and tokens[at][:1].isupper():
        at += 1
    return at


def _is_name(token: str, key: str) -> bool:
    return (token[:1].isupper() and len(key) >= 2 and key not in _NOT_SPEAKERS and not is_country_word(key)
            and not dates(token))


def _key(token: str) -> str:
    return token.removesuffix("'s").strip(".'-").lower().replace(".", "")


def _same_name(a: str, b: str) -> bool:
    """One name in two spellings: 'zelensky' / 'zelenskyy'."""
    return a == b or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)))
