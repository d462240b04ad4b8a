"""Hard facts in a sentence — numbers, amounts, dates, quoted phrases, names — and whether a
passage states them. This is the deterministic veto of verification: a claim whose number, date,
quote or name is absent from the passage it cites is not supported, whatever a model thinks.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# "one" is left out: far more often a pronoun ("the previous one") than a number.
_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split()) if w != "one"}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12}
_MONTHS = "january february march april may june july august september october november december".split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
# Full names and the usual abbreviations ("Sept.", "Wed."), but not bare words that are also
# verbs or nouns ("march", "may", "sat", "sun"), which count only when capitalised.
_DATE_FORMS = {**{m: m for m in _MONTHS + _WEEKDAYS}, "sept": "september",
               **{m[:3]: m for m in _MONTHS}, **{d[:3]: d for d in _WEEKDAYS}}
_MONTH_FORMS = frozenset(form for form, full in _DATE_FORMS.items() if full in _MONTHS)
_ORDINAL_ENDS = frozenset({"st", "nd", "rd", "th"})  # "the 20th": a day, not a count of 20
_AMBIGUOUS_DATES = {"march", "may", "sat", "sun", "wed", "mar", "jan"}
# Demonyms and short forms that name the same place; a claim may use either.
_ALIASES = [
    {"france", "french"}, {"britain", "british", "uk", "england", "english"}, {"germany", "german", "germans"},
    {"italy", "italian", "italians"}, {"ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"},
    {"russia", "russian", "russians", "moscow", "kremlin"}, {"europe", "european", "europeans", "eu"},
    {"us", "america", "american", "americans", "washington"}, {"poland", "polish"}, {"spain", "spanish"},
    {"canada", "canadian"}, {"japan", "japanese"}, {"australia", "australian"}, {"turkey", "turkish"},
]
_ALIAS_OF = {name: frozenset(group) for group in _ALIASES for name in group}
# Capitalised words that are titles or sentence furniture, not names to check.
_NOT_NAMES = set("""a an the this that these those it its he she they we i you his her their our in on at of for by
with from to and or but as if when while after before since during under over about into than then there here
what which who whom whose why how where also however meanwhile yet so still some many most all both each other
president prime minister premier chancellor secretary general chief leader leaders king queen mr mrs ms dr sir
officials official army military forces force troops coalition summit according said says note""".split())
_NEGATIONS = re.compile(r"\b(?:not|no|never|neither|nor|none|without|cannot)\b|n't\b|\bruled? out\b|\brefus|\bdeclin",
                        re.IGNORECASE)
# A scale word may follow after a space; a one- or two-letter scale ("2.16bn", "5m") must be glued on.
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion)\b|(bn|mn|tn|k|m|b)\b"
                     r"|(?:st|nd|rd|th)\b)?", re.IGNORECASE)
_SPELLED = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](one|two|three|four|five|six|"
                      r"seven|eight|nine))?\b|\b(" + "|".join(_SMALL) + r")\b", re.IGNORECASE)
# Double quotes, or single ones opening after a non-letter: an apostrophe ("Italy's") opens nothing.
_QUOTED = re.compile(r"[\"“]([^\"”]{3,}?)[\"”]|(?<![A-Za-z])[‘']([^’']{3,}?)[’'](?![A-Za-z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z.'’-]*")
# "U. S." as some models write it: one abbreviation, "U.S.", not two names "U" and "S".
_SPACED_INITIALS = re.compile(r"\b([A-Za-z])\.\s(?=[A-Za-z]\.)")


@dataclass(frozen=True)
class MissingFact:
    kind: str  # number, date, quote, name, affiliation, negation
    value: str

    def __str__(self) -> str:
        return f"{self.kind} {self.value!r} is not in the cited passage"


def fold(text: str) -> str:
    """Straight quotes, plain dashes, accents folded ('António' -> 'Antonio'); case kept."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("—", " - ").replace("–", "-")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalise(text: str) -> str:
    """`fold`ed, lower case, thousands separators removed."""
    return _THOUSANDS.sub("", fold(text)).lower()


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def numbers(text: str) -> set[float]:
    """Every number in the text, scaled ('2.15 billion' and '$2.15bn' are both 2.15e9; 'twenty-six' is 26)."""
    return {value for value, _ in figures(text)}


def figures(text: str) -> list[tuple[float, int]]:
    """(value, where it ends in `normalise(text)`) for every figure, in digits or spelled out, in order."""
    plain = normalise(text)
    found = [(_value(m), m.end()) for m in _NUMBER.finditer(plain)]
    for m in _SPELLED.finditer(plain):
        if m.group(3):
            found.append((float(_SMALL[m.group(3).lower()]), m.end()))
        else:
            found.append((float(_TENS[m.group(1).lower()] + (_SMALL[m.group(2).lower()] if m.group(2) else 0)),
                          m.end()))
    return sorted(found, key=lambda f: f[1])


def is_country_word(word: str) -> bool:
    """A country's (or its capital's) name or demonym, lower case: 'ukraine', 'ukrainians', 'kyiv'."""
    return word in _ALIAS_OF


def figure_ends(text: str) -> list[int]:
    """Where each figure, in digits or spelled out, ends in `normalise(text)`."""
    return [end for _, end in figures(text)]


def dates(text: str) -> set[str]:
    """Month and weekday names, canonical ('Sept.' -> 'september')."""
    found = set()
    for word in _WORD.findall(fold(text)):
        key = word.strip(".").lower()
        if key in _DATE_FORMS and (key not in _AMBIGUOUS_DATES or word[:1].isupper()):
            found.add(_DATE_FORMS[key])
    return found


def names(sentence: str) -> set[str]:
    """Capitalised words that are not titles or sentence furniture: the names a claim commits to.

    The first word of a sentence is capitalised anyway, so it counts only when it is a known place
    or is possessive ("Italy's"), which common words rarely are.
    """
    found = set()
    for i, word in enumerate(_WORD.findall(_SPACED_INITIALS.sub(r"\1.", fold(sentence)))):
        possessive = word.endswith("'s")
        bare = word.removesuffix("'s").strip(".'-")
        key = bare.lower().replace(".", "")
        # A lone initial ("Donald J. Trump") names nothing on its own.
        if len(key) < 2 or not bare[:1].isupper() or key in _NOT_NAMES or dates(bare):
            continue
        if i == 0 and not possessive and key not in _ALIAS_OF:
            continue
        found.add(key)
    return found


def quotes(sentence: str) -> set[str]:
    found = (double or single for double, single in _QUOTED.findall(sentence))
    return {normalise(q).strip() for q in found if len(q.split()) >= 2}


def is_negated(text: str) -> bool:
    return bool(_NEGATIONS.search(text))


def missing_facts(claim: str, passage: str, given: str = "") -> list[MissingFact]:
    """The hard facts of `claim` that `passage` does not state (empty when all are there).

    Facts that `given` (the question) also states are the asker's premises echoed back ("the March
    2025 summit was held at ..."), not claims the answer adds, so they are not held against it.
    """
    stated = normalise(passage) + "\n" + normalise(given)
    words = _words(stated)
    known_numbers = numbers(passage) | numbers(given)
    known_dates = dates(passage) | dates(given)
    missing = [MissingFact("number", _fmt(n)) for n in sorted(numbers(claim)) if not _number_in(n, known_numbers)]
    missing += [MissingFact("date", d) for d in sorted(dates(claim) - known_dates)]
    missing += [MissingFact("quote", q) for q in sorted(quotes(claim)) if q not in stated]
    missing += [MissingFact("name", n) for n in sorted(names(claim)) if not _name_in(n, words)]
    missing += _misattributed(claim, passage, given)
    return missing


def quoted_from_title(claim: str, passage: str, given: str = "") -> str | None:
    """A phrase the claim quotes that the passage holds only in its title lines, or None.

    The passage is as the verifier writes it (`rag.verification.with_header`): its article's title
    (the headline, or the article's first sentence when it has none) on the first line, then the
    cited text. The title is there for the date and names it gives its passage, not as evidence
    that anyone said the words it quotes: the 1.5B judge accepted "Macron used the word "coalition
    of the willing" to describe the peace-minded nature of stationing European soldiers …" (P(yes)
    0.83) from a passage whose text never uses the phrase and whose title does. A passage of one
    line has no title to tell apart; a quote the question holds is its premise. Of joined passages
    (a blank line between them) each dated title is told apart; an undated one only when it is
    the first line, so the check errs towards keeping."""
    lines = passage.split("\n")
    if len(lines) < 2:
        return None
    titles = [i for i, line in enumerate(lines) if i == 0 or (_DATED_TITLE.search(line) and not lines[i - 1].strip())]
    in_title = normalise("\n".join(lines[i] for i in titles))
    in_body = normalise("\n".join(line for i, line in enumerate(lines) if i not in titles))
    in_given = normalise(given)
    return next((q for q in sorted(quotes(claim)) if q in in_title and q not in in_body and q not in in_given), None)


# A title line as the verifier writes it: "Title (5 September 2025)" (rag.verification.with_header).
_DATED_TITLE = re.compile(r"\(\d{1,2} (?:" + "|".join(m.title() for m in _MONTHS) + r") \d{4}\)\s*$")


# Words that may stand between a country and the name it qualifies: "Italian Prime Minister Giorgia Meloni".
_TITLES = frozenset("""president prime minister premier chancellor secretary general chief leader king queen foreign
defence defense envoy special ambassador spokesperson spokesman commander mr mrs ms dr sir""".split())


def affiliations(text: str) -> dict[tuple[frozenset[str], str], str]:
    """{(country, name word): the country word as written} for each name a country word qualifies:
    "Italian Prime Minister Giorgia Meloni" and "Italy's Giorgia Meloni" both tie "giorgia" and
    "meloni" to Italy's names. Between them only titles may stand, and a comma after a title
    ("Canada's prime minister, ..."); "Canada, and New Zealand" ties nothing."""
    # A lone dash is a token too: "Russia - Reuters" ties nothing. A name runs three words at most.
    tokens = re.findall(r"[A-Za-z][A-Za-z.'-]*|[,-]", _SPACED_INITIALS.sub(r"\1.", fold(text)))
    found = {}
    for i, token in enumerate(tokens):
        country = _ALIAS_OF.get(_name_key(token))
        if not country:
            continue
        j = i + 1
        while j < len(tokens) and (tokens[j].lower() in _TITLES
                                   or (tokens[j] == "," and tokens[j - 1].lower() in _TITLES)):
            j += 1
        for name in tokens[j:j + 3]:
            if not name[:1].isupper() or _name_key(name) in _NOT_NAMES or _name_key(name) in _ALIAS_OF:
                break
            found[(country, _name_key(name))] = _name_key(token)
    return found


def _misattributed(claim: str, passage: str, given: str) -> list[MissingFact]:
    """A name the claim ties to one country while the passage ties it only to others: "Canada's prime
    minister, Giorgia Meloni" against "Italian Prime Minister Giorgia Meloni". A name the passage
    ties to no country is not held against the claim."""
    stated, premises = affiliations(passage).keys(), affiliations(given).keys()
    missing = []
    for (country, name), written in sorted(affiliations(claim).items(), key=lambda item: item[0][1]):
        theirs = {c for c, n in stated if n == name}
        if (country, name) not in premises and theirs and country not in theirs:
            missing.append(MissingFact("affiliation", f"{written} {name}"))
    return missing


def _name_key(token: str) -> str:
    return token.removesuffix("'s").strip(".'-").lower().replace(".", "")


def _words(plain: str) -> set[str]:
    plain = _SPACED_INITIALS.sub(r"\1.", plain)
    return {w.removesuffix("'s").strip(".'-").replace(".", "") for w in _WORD.findall(plain)}


_ANCHOR_STOPWORDS = frozenset("a an the of to in on at for by with and or that this it is was were be said says "
                              "he she they we about some over nearly around than more less".split())


def _value(match: re.Match[str]) -> float:
    scale = (match.group(2) or match.group(3) or "").lower()
    return float(match.group(1)) * _SCALE.get(scale, 1.0)


def _number_in(value: float, candidates: set[float]) -> bool:
    return any(abs(value - c) <= 1e-9 * max(1.0, abs(c)) for c in candidates)


def _name_in(name: str, passage_words: set[str]) -> bool:
    if name in passage_words or _ALIAS_OF.get(name, set()) & passage_words:
        return True
    # Inflected forms of one name: "Crimea"/"Crimean", "Zelensky"/"Zelenskyy".
    return len(name) >= 5 and any(len(w) >= 5 and (w.startswith(name) or name.startswith(w)) for w in passage_words)


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:.4g}"


@dataclass(frozen=True)
class NumberMention:
    value: float
    raw: str  # as written, e.g. "$2.15 billion"
    anchor: tuple[str, ...]  # the words just before it, which say what it counts
    # "exact", or what a qualifier before it makes it: "at least" / "more than" a lower bound ("min"),
    # "up to" / "fewer than" an upper one ("max"), "about" / "nearly" an estimate ("approx").
    bound: str = "exact"
    strict: bool = False  # the bound excludes the figure itself: "more than 26" is not 26
    day: bool = False  # a day of a month: "26 September", "September 26", "the 26th"

    def agrees_with(self, other: NumberMention) -> bool:
        """Can both be true of one quantity? "at least 18" and "more than 20" can; 2.15 and 2.16 cannot."""
        low = max([m.value for m in (self, other) if m.bound in ("min", "exact")], default=float("-inf"))
        high = min([m.value for m in (self, other) if m.bound in ("max", "exact")], default=float("inf"))
        return "approx" in (self.bound, other.bound) or low <= high


def number_mentions(text: str, anchor_words: int = 3) -> list[NumberMention]:
    """Digit-written numbers with what precedes them (what they count), their bound and whether they
    are a day of a month: for spotting two sources giving different figures, and for the veto."""
    cased = _THOUSANDS.sub("", fold(text))  # `normalise(text)` before lower-casing: "May" is a month, "may" not
    plain = cased.lower()
    mentions = []
    for m in _NUMBER.finditer(plain):
        value = _value(m)
        # What a figure counts is said by the words before it; figures and filler words say nothing.
        before = [w for w in re.findall(r"[a-z]+", plain[max(0, m.start() - 60):m.start()])
                  if w not in _ANCHOR_STOPWORDS][-anchor_words:]
        currency = "$" if plain[max(0, m.start() - 1):m.start()] == "$" else ""
        qualifier = _QUALIFIER.search(plain[max(0, m.start() - 30):m.start()])
        bound = _BOUNDS[qualifier.group(1)] if qualifier else "exact"
        strict = bool(qualifier) and qualifier.group(1) in _STRICT
        day = value.is_integer() and 1 <= value <= 31 and (
            m.group(0)[-2:].lower() in _ORDINAL_ENDS or _beside_a_month(cased, m.start(), m.end()))
        mentions.append(NumberMention(value, currency + m.group(0).strip(), tuple(before), bound, strict, day))
    return mentions


def _beside_a_month(text: str, start: int, end: int) -> bool:
    """Is the number at text[start:end] a day: "September 26", "Sept. 26", "26 September", "26 of
    September"? Not after "in": "In May 5 people died" counts people."""
    before = re.search(r"(\w+\s+)?([A-Za-z]+)\.?\s+$", text[max(0, start - 16):start])
    after = re.match(r"\s*(?:of\s+)?([A-Za-z]+)", text[end:])
    month_before = bool(before and _is_month(before.group(2)) and (before.group(1) or "").strip().lower() != "in")
    return month_before or bool(after and _is_month(after.group(1)))


def _is_month(word: str) -> bool:
    """A month's name or abbreviation; "may" and "march" only capitalised, as in `dates`."""
    key = word.lower()
    return key in _MONTH_FORMS and (key not in _AMBIGUOUS_DATES or word[:1].isupper())


def only_a_day(claim: str, passage: str, given: str = "") -> str | None:
    """A figure the claim counts with ("more than 20 people") that the passage has only as a day of
    a month ("on March 20"), or None. The digits are there, so the fact veto passes them, and the
    1.5B judge is left to notice that they date something. A figure the question states is its
    premise; one the passage also spells out ("five hours" beside "(5 September 2025)") is a count."""
    days = Counter(m.value for m in number_mentions(passage) if m.day)
    written = Counter(value for value, _ in figures(passage))  # every figure, spelled out too, days among them
    premises = {m.value for m in number_mentions(given)}
    return next((m.raw for m in number_mentions(claim) if not m.day and m.value not in premises
                 and days[m.value] and written[m.value] == days[m.value]), None)


def bound_beyond(claim: str, passage: str, given: str = "") -> str | None:
    """The claim's figure with a strict bound ("more than 26") where the passage states that figure
    only exactly ("26 countries"), or None. "More than 26" is false of 26; the 1.5B judge accepted
    "Over 26 countries pledged soldiers …" from "We have today 26 countries who have formally
    committed …" (its title: "Over two dozen countries"). An inclusive bound ("at least 26", "up
    to 26") is true of 26 and passes; so does a bound the question states (its premise), and a year."""
    stated: dict[float, set[str]] = {}
    for mention in number_mentions(passage):
        if not mention.day:  # "on 26 September" states no count of 26
            stated.setdefault(mention.value, set()).add(mention.bound)
    premises = {(m.value, m.bound) for m in number_mentions(given)}
    for mention in number_mentions(claim):
        year = 1900 <= mention.value <= 2100 and mention.value.is_integer()
        if mention.strict and not year and not mention.day and stated.get(mention.value) == {"exact"} \
                and (mention.value, mention.bound) not in premises:
            return mention.raw
    return None


# A qualifier right before a figure ("at least 18", "more than $20 billion") and the bound it makes.
_BOUNDS = {"at least": "min", "more than": "min", "over": "min", "above": "min", "upwards of": "min",
           "up to": "max", "at most": "max", "fewer than": "max", "less than": "max", "under": "max",
           "about": "approx", "around": "approx", "nearly": "approx", "almost": "approx", "roughly": "approx",
           "approximately": "approx", "some": "approx", "an estimated": "approx"}
_QUALIFIER = re.compile(r"\b(" + "|".join(sorted(_BOUNDS, key=len, reverse=True)) + r")\s+\$?$")
_STRICT = frozenset({"more than", "over", "above", "fewer than", "less than", "under"})
