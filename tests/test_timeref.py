"""Months and years named in questions."""

from rag.timeref import Period, periods_named


def test_months_with_and_without_years() -> None:
    assert periods_named("What was agreed in September 2025?") == [Period(2025, 9)]
    assert periods_named("Compare March and Sept. announcements") == [Period(None, 3), Period(None, 9)]
    assert periods_named("What happened on March 6, 2025?") == [Period(2025, 3)]


def test_may_the_verb_is_not_a_month() -> None:
    assert periods_named("Which countries may send troops?") == []
    assert periods_named("What happened in May?") == [Period(None, 5)]


def test_a_year_alone() -> None:
    assert periods_named("Who led the talks in 2024?") == [Period(2024, None)]
    assert Period(2024, None).contains("2024-07-01") and not Period(2024, 9).contains("2024-07-01")
