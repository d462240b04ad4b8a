import pytest

from rag.facts import (
    bound_beyond,
    dates,
    missing_facts,
    names,
    number_mentions,
    numbers,
    only_a_day,
    quoted_from_title,
)

PASSAGE = ("Macron announced a new package of defense aid for Ukraine that he said was worth 2 billion euros "
           "($2.15 billion) on Wednesday, and Italy’s Meloni said “we will not send troops”.")


def test_numbers_are_scaled_and_spelled_numbers_read() -> None:
    assert numbers("$2.15 billion, $2.16bn, 10,000 troops, twenty-six nations") == {2.15e9, 2.16e9, 10000, 26}
    assert numbers("the previous one") == set()


def test_months_and_weekdays_are_canonical_but_may_is_not_a_month() -> None:
    assert dates("On Sept. 4, a Thursday, they may meet") == {"september", "thursday"}


def test_names_skip_titles_and_a_plain_first_word() -> None:
    assert names("Prime Minister Keir Starmer met Macron in Paris.") == {"keir", "starmer", "macron", "paris"}
    assert names("Assembling a force is hard.") == set()
    assert names("Italy's leader spoke.") == {"italy"}


def test_initials_are_not_names_and_spaced_ones_are_one_abbreviation() -> None:
    assert names("Then Donald J. Trump spoke.") == {"donald", "trump"}
    assert names("Then U. S. envoys spoke.") == {"us"}
    assert missing_facts("The U. S. envoy met Putin.", "The U.S. envoy met Putin on Monday.") == []
    assert missing_facts("The U.S. envoy met Putin.", "The U. S. envoy met Putin on Monday.") == []


@pytest.mark.parametrize("claim", [
    "Macron announced aid worth $2.15 billion.",
    "The president pledged 2 billion euros for Ukraine.",
    "Italian leader Meloni said “we will not send troops”.",
    "On Wednesday, Macron announced aid.",
])
def test_claims_whose_facts_are_in_the_passage_pass_the_veto(claim: str) -> None:
    assert missing_facts(claim, PASSAGE) == []


@pytest.mark.parametrize("claim, kind", [
    ("Macron announced aid worth $3.15 billion.", "number"),
    ("On Tuesday, Macron announced aid.", "date"),
    ("Aid worth 2 billion euros came from Scholz.", "name"),
    ("The French president pledged aid.", "name"),  # strict: the passage never says France
    ("Meloni said “we will send many troops”.", "quote"),
])
def test_a_changed_fact_is_vetoed_by_kind(claim: str, kind: str) -> None:
    assert [m.kind for m in missing_facts(claim, PASSAGE)] == [kind]


def test_number_mentions_keep_what_the_figure_counts() -> None:
    [two, dollars] = number_mentions("worth 2 billion euros ($2.15 billion)")
    assert two.value == 2e9 and two.anchor[-1] == "worth"
    assert (dollars.value, dollars.raw) == (2.15e9, "$2.15 billion")
    assert dollars.anchor[-2:] == ("billion", "euros")


def test_a_qualified_figure_is_a_bound_and_bounds_that_can_both_hold_agree() -> None:
    [least] = number_mentions("drone attacks overnight wounded at least 18 people")
    [more] = number_mentions("drone attacks overnight wounded more than 20 people")
    [dollars] = number_mentions("more than $20 billion")
    [exact] = number_mentions("wounded 15 people")
    assert (least.bound, more.bound, dollars.bound, exact.bound) == ("min", "min", "min", "exact")
    assert least.agrees_with(more) and more.agrees_with(least)
    assert not more.agrees_with(exact) and least.agrees_with(number_mentions("wounded 19")[0])
    [up_to] = number_mentions("up to 10,000 troops")
    assert up_to.bound == "max" and not up_to.agrees_with(number_mentions("at least 30,000 troops")[0])


def test_a_plain_first_word_is_not_checked_as_a_name() -> None:
    # Known limit: "Scholz said ..." opens the sentence like any common word; the coverage check must catch it.
    assert missing_facts("Scholz announced aid worth 2 billion euros.", PASSAGE) == []


def test_premises_echoed_from_the_question_are_not_held_against_the_answer() -> None:
    claim = "At the March 2025 summit in Paris, Macron announced aid worth $2.15 billion."
    assert [m.value for m in missing_facts(claim, PASSAGE)] == ["2025", "march", "paris"]
    assert missing_facts(claim, PASSAGE, given="What did Macron announce at the March 2025 Paris summit?") == []


CALL = ("The call included approximately 30 leaders such as Italian Prime Minister Giorgia Meloni, Ukraine's "
        "President Volodymyr Zelenskyy, and leaders from Australia, Canada, and New Zealand.")


def test_a_name_tied_to_another_country_than_the_passage_ties_it_to_is_vetoed() -> None:
    """A held-out answer the model judge accepted at P(yes) 0.92."""
    claim = "Canada's prime minister, Giorgia Meloni, said allies will persist."
    assert [str(m) for m in missing_facts(claim, CALL)] == [
        "affiliation 'canada giorgia' is not in the cited passage",
        "affiliation 'canada meloni' is not in the cited passage"]


@pytest.mark.parametrize("claim", [
    "Italy's Giorgia Meloni took part in the call.",  # the same country, another of its words
    "Kyiv's Volodymyr Zelenskyy took part in the call.",
    "Leaders from Canada, and New Zealand took part in the call.",  # a list ties nothing
])
def test_a_name_tied_to_its_own_country_passes(claim: str) -> None:
    assert [m for m in missing_facts(claim, CALL) if m.kind == "affiliation"] == []


def test_a_name_the_passage_ties_to_no_country_or_the_question_ties_is_not_held_against_the_claim() -> None:
    untied = "Giorgia Meloni joined leaders from Canada on the call."
    assert missing_facts("Canada's Giorgia Meloni joined the call.", untied) == []
    assert missing_facts("Canadian Giorgia Meloni joined.", CALL, "Why did Canadian Giorgia Meloni join?") == []


def test_a_quote_counts_from_the_passage_body_or_the_question_not_from_the_title_alone() -> None:
    passage = "A 'coalition of the willing' is mulling a European army… (28 March 2025)\nMacron hosted the summit."
    claim = 'Macron called it a "coalition of the willing".'
    assert quoted_from_title(claim, passage) == "coalition of the willing"
    assert quoted_from_title(claim, passage, "Who is in the 'coalition of the willing'?") is None
    assert quoted_from_title(claim, passage + " Its name, coalition of the willing, suggests help.") is None
    assert quoted_from_title(claim, "A 'coalition of the willing' is mulling a European army.") is None  # no title
    assert quoted_from_title("Macron hosted the summit.", passage) is None


def test_each_dated_title_of_joined_passages_is_told_apart_from_their_text() -> None:
    first = "Leaders meet in Paris (4 September 2025)\nMacron spoke of peace."
    second = "A 'coalition of the willing' forms (28 March 2025)\nStarmer spoke.\n\nHe called allies."
    claim = 'Starmer spoke of a "coalition of the willing".'
    assert quoted_from_title(claim, f"{first}\n\n{second}") == "coalition of the willing"
    assert quoted_from_title(claim, f"{first}\n\n{second} A coalition of the willing, he said.") is None
    undated = "A 'coalition of the willing' forms\nStarmer spoke."  # after a blank line: the body's paragraph
    assert quoted_from_title(claim, f"{first}\n\n{undated}") is None


def test_a_strict_bound_on_a_figure_the_passage_states_exactly_is_caught() -> None:
    """A false answer under evidence selection: "Over 26 countries pledged …"."""
    passage = "Over two dozen countries have pledged… (5 September 2025)\nWe have today 26 countries who committed."
    assert bound_beyond("Over 26 countries pledged soldiers.", passage) == "26"
    assert bound_beyond("Fewer than 26 countries pledged soldiers.", passage) == "26"
    assert bound_beyond("At least 26 countries pledged soldiers.", passage) is None  # true of exactly 26
    assert bound_beyond("Over two dozen countries pledged.", passage) is None  # the passage's own bound
    assert bound_beyond("More than 26 countries pledged.", passage, "Did more than 26 countries pledge?") is None
    assert bound_beyond("More than 26 countries pledged.", "More than 26 countries and 26 donors pledged.") is None
    assert bound_beyond("The talks ran over 2025 and beyond.", "The talks ran in 2025.") is None  # a year


def test_a_day_of_the_month_is_no_count_a_bound_could_overstate() -> None:
    assert bound_beyond("More than 20 countries joined.", "On 20 March, dozens of countries joined.") is None
    assert bound_beyond("More than 20 countries joined.", "Dozens joined on March 20.") is None
    assert bound_beyond("More than 20 countries joined.", "On 20 March, 20 countries joined.") == "20"
    assert only_a_day("More than 20 people were killed.", "The attack on March 20 destroyed missiles.") == "20"
    assert only_a_day("20 people were killed on March 20.", "On March 20, 20 people were killed.") is None
    assert only_a_day("The attack came on 20 March.", "The attack on March 20 destroyed missiles.") is None
    assert only_a_day("20 people died.", "The attack on March 20 killed.", "Did 20 people die?") is None
    assert only_a_day("20 people may have died.", "Officials said 20 may have died.") is None  # "may" is no month
    assert only_a_day("5 people died.", "In May 5 people died.") is None  # "in May 5 …" counts
    assert only_a_day("5 people died.", "On May 5, people died.") == "5"
    assert only_a_day("On the 20th, 5 died.", "On March 20, 5 died.") is None  # an ordinal is a day too
    assert [m.day for m in number_mentions("On 5 of September 2025, 31 delegations met; on Sept. 6, 20.")] == \
        [True, False, False, True, False]
