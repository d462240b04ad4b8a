"""Time words in questions, read relative to the day the question is asked."""

import datetime as dt

from rag.timeref import TimeFrame, time_frame

THU = dt.date(2026, 2, 12)  # a Thursday


def frame(question: str, as_of: dt.date = THU) -> TimeFrame:
    return time_frame(question, as_of)


def test_a_question_without_time_words_has_no_window() -> None:
    f = frame("Which countries may send troops?")
    assert not f.windowed and not f.present and f.as_of == THU


def test_this_week_is_the_days_before_the_question_and_about_the_present() -> None:
    f = frame("Which Texas city had its airspace shut this week?")
    assert f.present and f.end == THU and dt.date(2026, 2, 3) <= f.start <= dt.date(2026, 2, 5)
    assert f.holds("2026-02-11") and not f.holds("2014-02-11") and f.holds(None) is None


def test_present_words_reach_about_a_month_back() -> None:
    for question in ("Which NFL team recently won the Super Bowl?", "What is the latest on the strike?",
                     "Who is currently leading?", "What is happening now in Gaza?"):
        f = frame(question)
        assert f.present and f.end == THU and (THU - f.start).days == 31, question


def test_a_weekday_is_the_last_one_before_the_question() -> None:
    f = frame("Who won on Sunday?")
    assert f.start == dt.date(2026, 2, 8) and not f.present  # a preference: the day may be an article's own


def test_a_month_without_a_year_is_the_last_one_and_with_a_year_that_one() -> None:
    assert frame("What happened in March?").start == dt.date(2025, 3, 1)
    assert frame("What happened in January?").start == dt.date(2026, 1, 1)
    f = frame("What was agreed in September 2025?", dt.date(2026, 12, 3))
    assert (f.start, f.end) == (dt.date(2025, 9, 1), dt.date(2025, 10, 7))


def test_a_named_period_outweighs_vague_present_words() -> None:
    f = frame("How much was the new aid package announced in March 2025 worth?")
    assert not f.present and f.start == dt.date(2025, 3, 1)


def test_a_day_soon_after_the_question_is_one_to_come() -> None:
    f = frame("Which teams will face off in the Super Bowl on February 8?", dt.date(2026, 1, 30))
    assert f.end == dt.date(2026, 1, 30) and f.start > dt.date(2025, 12, 1)


def test_may_the_verb_and_capitalised_names_are_no_time_words() -> None:
    assert not frame("Which countries may send troops?").windowed
    assert frame("What happened in May?").start == dt.date(2025, 5, 1)
    assert not frame("Who is the mayor of New York?").windowed
    assert not frame("Who hosts the “Today” show?").windowed
    assert frame("Today, who leads the talks?").present


def test_an_article_outside_the_window_is_counted_in_days() -> None:
    f = frame("What happened this week?")
    assert f.distance("2026-02-10") == 0 and f.distance("2026-01-01") == (f.start - dt.date(2026, 1, 1)).days
    assert f.age("2026-02-02") == 10 and f.age(None) is None
