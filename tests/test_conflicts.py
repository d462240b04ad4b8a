"""Sources that disagree on the answer: another account giving another name, place, date or figure."""

import pytest

from rag.conflicts import differs_in_a_value, find_conflicts
from rag.types import CheckedSentence, Chunk, Hit


def hit(text: str, n: int = 0) -> Hit:
    return Hit(Chunk(f"a{n}:0", f"a{n}", text, 0, len(text), 0, "T"), 0.9, 0.5)


def kept(claim: str, *cited: int) -> CheckedSentence:
    return CheckedSentence(f"{claim} [{cited[0]}]", claim, "supported", 0.9, cited)


HOSTED = "On Thursday morning Macron hosted the 31 delegations at the presidential Elysee Palace in Paris."


@pytest.mark.parametrize("other, ours, theirs", [
    (HOSTED.replace("Elysee", "Matignon"), "Elysee Palace", "Matignon Palace"),  # a place
    (HOSTED.replace("Macron", "Bayrou"), "Macron", "Bayrou"),  # a name
])
def test_another_account_giving_another_value_where_the_answer_stands_is_a_disagreement(
        other: str, ours: str, theirs: str) -> None:
    hits = [hit(HOSTED, 1), hit(other, 2)]
    question = "Who hosted the delegations, and where?"
    [conflict] = find_conflicts([kept("Macron hosted the delegations at the Elysee Palace.", 1)], hits, question)
    assert (conflict.cited, conflict.value, conflict.other, conflict.other_value) == (1, ours, 2, theirs)
    assert conflict.sentence() == f"The sources disagree: [1] says “{ours}”, while [2] says “{theirs}”."


def test_a_differing_date_is_a_disagreement() -> None:
    attack = "Ukraine said its attack at Engels military airfield in Russia on March 20 destroyed 96 missiles."
    hits = [hit(attack, 1), hit(attack.replace("March 20", "March 18"), 2)]
    [conflict] = find_conflicts([kept("Ukraine attacked the Engels airfield on March 20.", 1)], hits,
                                "On what date did Ukraine attack the Engels airfield?")
    assert (conflict.kind, conflict.value, conflict.other_value) == ("account", "March 20", "March 18")


def test_a_difference_beside_the_answer_or_in_wording_is_none() -> None:
    claim = kept("Macron hosted the delegations at the Elysee Palace.", 1)
    question = "Where did Macron host the delegations?"
    elsewhere = hit(HOSTED.replace("Thursday", "Friday"), 2)  # the day differs, the place does not
    worded = hit(HOSTED.replace("presidential", "grand"), 3)  # a lower-case word is wording, not a value
    assert find_conflicts([claim], [hit(HOSTED, 1), elsewhere, worded], question) == []


def test_figures_that_can_both_be_true_are_no_disagreement() -> None:
    wounded = "Russian drone attacks overnight wounded at least 18 people in the Kharkiv region, officials said."
    hits = [hit(wounded, 1), hit(wounded.replace("18", "25"), 2)]
    claim = kept("Drone attacks wounded at least 18 people in the Kharkiv region.", 1)
    assert find_conflicts([claim], hits, "How many people did the drone attacks wound in Kharkiv?") == []


def test_a_near_copy_differs_in_a_value_only_when_a_name_number_or_date_changes() -> None:
    assert differs_in_a_value(HOSTED, HOSTED.replace("31", "30"))
    assert differs_in_a_value(HOSTED, HOSTED.replace("Paris", "Lyon"))
    assert not differs_in_a_value(HOSTED, HOSTED.replace("presidential", "grand"))
    # A syndicated copy's furniture is no other account: a dateline, a credit line, a sentence more.
    assert not differs_in_a_value(HOSTED, "PARIS (AP) - " + HOSTED)
    assert not differs_in_a_value(HOSTED, HOSTED + " Reporting by Reuters.")
    assert not differs_in_a_value(HOSTED, "It was cold. " + HOSTED)


def test_a_name_that_opens_the_sentence_is_a_value_too() -> None:
    medals = "Norway earned the most overall medals with 16 gold, eight silver and 13 bronze, 37 in total."
    hits = [hit(medals, 1), hit(medals.replace("Norway", "Germany"), 2)]
    [conflict] = find_conflicts([kept("Norway won the most medals at Beijing 2022.", 1)], hits,
                                "Which country won the most medals at the Beijing 2022 Winter Games?")
    assert (conflict.value, conflict.other_value) == ("Norway", "Germany")
