"""Time named in a question ("in September", "March 2025"): articles published then are preferred."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.types import Chunk

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_ABBREVIATIONS = {m[:3]: i for i, m in enumerate(_MONTHS, start=1) if m != "may"} | {"sept": 9}
_MONTH_WORD = "|".join(_MONTHS + sorted(_ABBREVIATIONS, key=len, reverse=True))
# "May" is a month only with a year or after "in"/"of"/"since": "may" is usually the verb.
_MONTH = re.compile(rf"\b(?:(?P<prep>in|of|since|during|by|early|late|mid)\s+)?(?P<month>{_MONTH_WORD})\.?"
                    r"(?:\s+(?:\d{1,2},?\s+)?(?P<year>(?:19|20)\d\d))?\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:in|of|during|since)\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A month (optionally of a given year), or a whole year when `month` is None."""

    year: int | None
    month: int | None

    def contains(self, iso_date: str | None) -> bool:
        if not iso_date or len(iso_date) < 7:
            return False
        year, month = int(iso_date[:4]), int(iso_date[5:7])
        return (self.year is None or self.year == year) and (self.month is None or self.month == month)


def periods_named(question: str) -> list[Period]:
    """The months and years a question names, in order."""
    found: list[Period] = []
    for match in _MONTH.finditer(question):
        word = match["month"].lower()
        if word == "may" and not (match["year"] or match["prep"]):
            continue
        month = _MONTHS.index(word) + 1 if word in _MONTHS else _ABBREVIATIONS[word]
        found.append(Period(int(match["year"]) if match["year"] else None, month))
    if not found:
        found = [Period(int(m["year"]), None) for m in _YEAR.finditer(question)]
    return found


def published_in(chunk: Chunk, periods: list[Period]) -> bool:
    return any(p.contains(chunk.published) for p in periods)
