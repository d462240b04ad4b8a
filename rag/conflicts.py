"""Sources that disagree on what the answer states: the answer names both sides and cites each.

Two ways two passages can disagree on a kept sentence's answer:

- **another account of the same thing**: the sentence of another passage that lines up with the
  cited source sentence says the same thing in the same words but for one value, and that value is
  where the answer's value stands: "hosted the delegations at the Elysee Palace" against "… at the
  Matignon Palace", "killed in Kherson" against "killed in Mykolaiv", "on March 20" against "on March 18".
  A value is a name (a capitalised word inside a sentence), a number or a date; two numbers that
  can both be true ("at least 18", "more than 20") are no disagreement.
- **a figure for the same thing**, in other words: a figure of the answer that another passage gives
  differently after the same words ("26 countries committed" against "30 countries committed").

Near-copies of one article (a syndicated story) are folded together by retrieval unless they differ in
such a value (`differs_in_a_value`), so a copy that changes the answer stays a passage of its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from rag.facts import NumberMention, number_mentions, numbers
from rag.grounding import best_aligned_sentence, content_words
from rag.types import CheckedSentence, Conflict, Hit

# Two sentences are accounts of the same thing when this share of their words line up (difflib's
# ratio over word tokens): one value swapped in a 20-word sentence leaves ~0.9; two sentences on one
# topic in different words stay under 0.5.
SAME_ACCOUNT = 0.7
MAX_VALUE_WORDS = 6  # a longer differing stretch is a different sentence, not another value
_TOKEN = re.compile(r"\w+(?:[’'.,-]\w+)*")


def find_conflicts(sentences: Sequence[CheckedSentence], hits: Sequence[Hit], question: str = "") -> list[Conflict]:
    """Values of kept sentences that another retrieved passage gives differently (see the module)."""
    found: list[Conflict] = []
    for sentence in sentences:
        found += _other_accounts(sentence, hits, question)
        claimed = numbers(sentence.stated)
        for n in sentence.cited:
            for mention in number_mentions(hits[n - 1].evidence_text):
                if mention.value in claimed and len(mention.anchor) >= 2:
                    found += _rival_figures(n, mention, hits)
    first: dict[tuple[int, int], Conflict] = {}  # another account says more than a figure: it comes first
    for conflict in found:
        first.setdefault((conflict.cited, conflict.other), conflict)
    return list(first.values())


def differs_in_a_value(text: str, other: str) -> bool:
    """Do two near-identical texts give another name, number or date in the same place (a value replaced
    by another, as `find_conflicts` reads a disagreement)? Words added or left out (a dateline, a credit
    line, one more sentence) are a copy's furniture, not another account."""
    a, b = _tokens(text), _tokens(other)
    matcher = difflib.SequenceMatcher(a=[t.lower() for t in a], b=[t.lower() for t in b], autojunk=False)
    return any(op == "replace" and max(i2 - i1, j2 - j1) <= MAX_VALUE_WORDS and _is_value(a, i1, i2)
               and _is_value(b, j1, j2) and not _only_case(a[i1:i2], b[j1:j2])
               for op, i1, i2, j1, j2 in matcher.get_opcodes())


def _other_accounts(sentence: CheckedSentence, hits: Sequence[Hit], question: str) -> list[Conflict]:
    answer_words = {w for w in content_words(sentence.stated)} - set(content_words(question))
    found = []
    for n in sentence.cited:
        source = best_aligned_sentence(sentence.stated, hits[n - 1].evidence_text)
        a = _tokens(source)
        for m, hit in enumerate(hits, start=1):
            if m in sentence.cited:
                continue
            rival = best_aligned_sentence(source, hit.evidence_text)
            b = _tokens(rival)
            matcher = difflib.SequenceMatcher(a=[t.lower() for t in a], b=[t.lower() for t in b], autojunk=False)
            if matcher.ratio() < SAME_ACCOUNT:
                continue
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op != "replace" or max(i2 - i1, j2 - j1) > MAX_VALUE_WORDS:
                    continue
                ours, theirs = " ".join(a[slice(*_widened(a, i1, i2))]), " ".join(b[slice(*_widened(b, j1, j2))])
                stated = set(content_words(ours)) & answer_words
                if not stated or not (_is_value(a, i1, i2) and _is_value(b, j1, j2)):
                    continue
                if ours.lower() in rival.lower() or _figures_agree(source, ours, rival, theirs):
                    continue
                found.append(Conflict(n, ours, m, theirs, kind="account"))
    return found


def _rival_figures(n: int, mention: NumberMention, hits: Sequence[Hit]) -> list[Conflict]:
    if 1900 <= mention.value <= 2100 and mention.value.is_integer():
        return []  # years: two different years are rarely two figures for the same thing
    found = []
    for m, hit in enumerate(hits, start=1):
        if m == n:
            continue
        for other in number_mentions(hit.evidence_text):
            same_thing = len(set(other.anchor) & set(mention.anchor)) >= 2
            close = 0.5 <= other.value / mention.value <= 2 if mention.value else False
            if same_thing and close and not mention.agrees_with(other):
                found.append(Conflict(n, mention.raw, m, other.raw))
    return found


def _only_case(ours: Sequence[str], theirs: Sequence[str]) -> bool:
    return [t.lower() for t in ours] == [t.lower() for t in theirs]


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _widened(tokens: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """tokens[start:end] with the capitalised words beside it, so a value reads whole: "March 20", not
    "20"; "Matignon Palace", not "Matignon"."""
    while start > 1 and tokens[start - 1][:1].isupper():
        start -= 1
    while end < len(tokens) and tokens[end][:1].isupper():
        end += 1
    return start, end


def _is_value(tokens: Sequence[str], start: int, end: int) -> bool:
    """Does tokens[start:end] hold a name (a capitalised word), a number or a date? Lower-case words
    ("years", "biathlon") are wording as far as this can tell. A sentence's capitalised first word counts
    too: where two accounts differ in it, both sides are capitalised words ("Norway earned …" against
    "Germany earned …"), and a differing function word ("The" / "A") says nothing the answer states."""
    return any(any(ch.isdigit() for ch in tokens[i]) or tokens[i][:1].isupper() for i in range(start, end))


def _figures_agree(source: str, ours: str, rival: str, theirs: str) -> bool:
    """Are the figures of two differing stretches ones that can both be true ("at least 18" / "more than
    20")? Read in their sentences, where the qualifier stands."""
    a = [m for m in number_mentions(source) if m.raw in ours]
    b = [m for m in number_mentions(rival) if m.raw in theirs]
    return bool(a and b) and all(x.agrees_with(y) for x in a for y in b)
