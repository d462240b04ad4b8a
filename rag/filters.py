"""News-aware search filters: publication date range and outlet, applied to every retriever."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rag.errors import BadRequest
from rag.types import Chunk


@dataclass(frozen=True)
class SearchFilter:
    """Which chunks a search may return. Bounds are inclusive ISO dates; `source` matches the
    outlet case-insensitively. An article with no publication date never passes a date bound.

    `as_of` is the day the question is asked: an article published after it is no evidence for it,
    while an undated article still is (it passes `as_of`, unlike a date bound)."""

    published_after: str | None = None
    published_before: str | None = None
    source: str | None = None
    as_of: str | None = None

    @classmethod
    def checked(cls, published_after: str | None = None, published_before: str | None = None,
                source: str | None = None, as_of: str | None = None) -> SearchFilter:
        """A filter from user input; BadRequest names the field that is wrong."""
        after = _iso_date("published_after", published_after)
        before = _iso_date("published_before", published_before)
        if after and before and after > before:
            raise BadRequest(f"published_after ({after}) is later than published_before ({before})")
        return cls(after, before, " ".join(source.split()) or None if source else None, _iso_date("as_of", as_of))

    @property
    def active(self) -> bool:
        return bool(self.published_after or self.published_before or self.source or self.as_of)

    @property
    def as_of_day(self) -> int | None:
        return day_number(self.as_of)

    @property
    def after_day(self) -> int | None:
        return day_number(self.published_after)

    @property
    def before_day(self) -> int | None:
        return day_number(self.published_before)

    def accepts(self, chunk: Chunk) -> bool:
        day = day_number(chunk.published)
        if (self.after_day or self.before_day) and day is None:
            return False
        if self.after_day and day is not None and day < self.after_day:
            return False
        if self.before_day and day is not None and day > self.before_day:
            return False
        if self.as_of_day and day is not None and day > self.as_of_day:
            return False
        return not self.source or source_key(chunk.source) == source_key(self.source)


NO_FILTER = SearchFilter()


def day_number(iso_date: str | None) -> int | None:
    """2025-09-04 -> 20250904: a number, because Chroma compares only numbers with $gte/$lte."""
    if not iso_date:
        return None
    return int(iso_date[:10].replace("-", ""))


def source_key(source: str | None) -> str:
    return " ".join((source or "").lower().split())


def _iso_date(field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BadRequest(f"{field} must be an ISO date (YYYY-MM-DD), got {value!r}") from None
