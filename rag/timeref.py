"""When a question is about: the window of publication dates its time words point at, read relative
to the day it is asked (`as_of`).

A news question has a date. "Which country was rocked by an earthquake this week?" asked on
2026-02-12 is about articles published in the days before 2026-02-12, not about a 2014 article that
answers it too. The time expressions are found by one pattern; what they mean on a given day
("Sunday", "March", "yesterday", "last week") is read by `dateparser`, relative to `as_of`.

The window is about *publication*: an article reporting Sunday's event is published on Sunday or in
the days after it, and one announcing next week's visit is published this week.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from rag.types import Chunk

_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTH = (r"january|february|march|april|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
# One alternative per kind of expression; `kind` names it for `_window`.
_EXPRESSION = re.compile(
    rf"\b(?P<relative>(?:this|last|next|past)\s+(?:week(?:end)?|month|year))\b"
    rf"|\b(?P<day>today|tonight|yesterday)\b"
    rf"|\b(?P<weekday>(?:(?:on|last|this|past)\s+)?(?:{_WEEKDAY}))\b"
    # "May" is a month only with a day or year, or after "in"/"of"/"since": "may" is usually the verb.
    rf"|\b(?P<month>(?:(?:in|of|since|during|by|early|late|mid)\s+)?(?:{_MONTH}|may)\.?"
    rf"(?:\s+\d{{1,2}}(?:st|nd|rd|th)?\b,?)?(?:\s+(?:19|20)\d\d)?)\b"
    rf"|\b(?P<year>(?:in|of|during|since)\s+(?:19|20)\d\d)\b"
    rf"|\b(?P<present>recent(?:ly)?|latest|new(?:ly)?|now|current(?:ly)?|so far|to date|this season)\b",
    re.IGNORECASE)

# How far back a "this week" question's evidence may have been published. A week, and two days for
# the searches' publication dates, which are the day a page was indexed as often as the day it was
# written (realtimeqa's answering articles, docs/evaluation.md).
WEEK_DAYS = 9
RECENT_DAYS = 31  # "recently", "latest", "now": about a month back
AFTER_EVENT_DAYS = 7  # an article reporting a named day's (or month's) events comes out within a week
UPCOMING_DAYS = 120  # a named day this soon after `as_of` is one to come, not last year's


@dataclass(frozen=True)
class TimeFrame:
    """The day a question is asked, and the publication window its time words point at (None: no
    time words). `present` is set for questions about now ("this week", "today", "currently"):
    retrieval keeps to their window when it holds a relevant passage, and an answer to them resting
    only on articles from outside it is stale. Other windows (a named weekday, month or year) are
    preferred, not required: the day may be the one an article speaks of."""

    as_of: dt.date
    start: dt.date | None = None
    end: dt.date | None = None
    present: bool = False
    expression: str = ""  # the time words found, as written

    @property
    def windowed(self) -> bool:
        return self.start is not None and self.end is not None

    def holds(self, iso: str | None) -> bool | None:
        """Whether an article published on `iso` is in the window; None when it is undated or there is
        no window."""
        day = parse_day(iso)
        if day is None or self.start is None or self.end is None:
            return None
        return self.start <= day <= self.end

    def distance(self, iso: str | None) -> int | None:
        """Days between `iso` and the window (0 inside it); None when undated or there is no window."""
        day = parse_day(iso)
        if day is None or self.start is None or self.end is None:
            return None
        return max((self.start - day).days, (day - self.end).days, 0)

    def age(self, iso: str | None) -> int | None:
        """Days from `iso` to `as_of`; None when undated."""
        day = parse_day(iso)
        return None if day is None else (self.as_of - day).days


def parse_day(iso: str | None) -> dt.date | None:
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None


def time_frame(question: str, as_of: dt.date) -> TimeFrame:
    """The frame of `question` asked on `as_of`: the union of the windows of its time expressions.

    A named month, date or year outweighs the vague present words: "the new package announced in
    March 2025" is about March 2025, not about the last month."""
    found = [(m.lastgroup, w) for m in _EXPRESSION.finditer(question) if (w := _window(m, as_of)) is not None]
    if any(kind in ("month", "year") for kind, _ in found):
        found = [(kind, w) for kind, w in found if kind != "present"]
    windows = [w for _, w in found]
    if not windows:
        return TimeFrame(as_of)
    start = min(w[0] for w in windows)
    end = min(max(w[1] for w in windows), as_of)
    expression = ", ".join(w[3] for w in windows)
    return TimeFrame(as_of, min(start, end), end, any(w[2] for w in windows), expression)


def _window(match: re.Match[str], as_of: dt.date) -> tuple[dt.date, dt.date, bool, str] | None:
    kind = match.lastgroup
    words = match.group(0)
    text = words.lower()
    days = dt.timedelta
    if kind in ("day", "present") and words[0].isupper() and match.start() > 0 \
            and not re.search(r"[.?!]\s*$", match.string[:match.start()]):
        return None  # a capital inside a sentence makes a name: "Today" anchor, New York
    if kind == "relative":
        unit = text.split()[-1]
        span = {"week": WEEK_DAYS, "weekend": WEEK_DAYS, "month": 31, "year": 366}[unit]
        back = span * 2 if text.startswith("last") and unit != "year" else span
        if text.startswith("last") and unit == "year":
            return dt.date(as_of.year - 1, 1, 1), as_of, False, words
        if unit == "year":
            return dt.date(as_of.year, 1, 1), as_of, True, words
        return as_of - days(back), as_of, True, words
    if kind == "day":
        return as_of - days(2), as_of, True, words
    if kind == "present":
        return as_of - days(RECENT_DAYS), as_of, True, words
    point = _read_date(re.sub(r"^(?:on|in|of|since|during|by|early|late|mid|this|past)\s+", "", text), as_of)
    if point is None:
        return None
    if point > as_of:  # an event to come ("the Super Bowl on February 8"): reported in the weeks before it
        return (as_of - days(RECENT_DAYS), as_of, False, words) if point - as_of <= days(UPCOMING_DAYS) else None
    if kind == "weekday":  # a preference, not a present-tense claim: the day may be an article's own
        return point, point + days(AFTER_EVENT_DAYS), False, words
    if kind == "year":
        return dt.date(point.year, 1, 1), dt.date(point.year, 12, 31) + days(AFTER_EVENT_DAYS), False, words
    if kind == "month":
        bare = re.sub(r"^(?:in|of|since|during|by|early|late|mid)\s+", "", text).rstrip(".")
        if text == "may":  # the verb
            return None
        if re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b", bare):  # a day of the month
            return point, point + days(AFTER_EVENT_DAYS), False, words
        first = point.replace(day=1)
        last = (first + days(32)).replace(day=1) - days(1)
        return first, last + days(AFTER_EVENT_DAYS), False, words
    return None


@lru_cache(maxsize=4096)
def _read_date(expression: str, as_of: dt.date) -> dt.date | None:
    """What `expression` ("sunday", "march", "march 5, 2025", "2024") means on `as_of`, read by
    dateparser: the most recent one before `as_of`, except a day of a month ("February 8") that in
    `as_of`'s year is at most UPCOMING_DAYS away: then that one."""
    import dateparser

    if re.fullmatch(r"(?:19|20)\d\d", expression):
        return dt.date(int(expression), 1, 1)
    base = dt.datetime.combine(as_of, dt.time(12))
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
                "RETURN_AS_TIMEZONE_AWARE": False}
    parsed = dateparser.parse(expression, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        return None
    day = parsed.date()
    # A day of a month without a year ("February 8") this soon after `as_of` is one to come.
    if day.year == as_of.year - 1 and re.search(r"\b\d{1,2}\b", expression) and not re.search(r"\d{4}", expression):
        try:
            this_year = day.replace(year=as_of.year)
        except ValueError:  # 29 February
            return day
        if this_year - as_of <= dt.timedelta(UPCOMING_DAYS):
            return this_year
    return day


def published_in(chunk: Chunk, frame: TimeFrame) -> bool | None:
    """Whether the chunk's article was published in the frame's window (None: undated, or no window)."""
    return frame.holds(chunk.published)
