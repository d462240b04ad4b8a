"""Who did what to whom: the roles check on swapped parties, and the orders that are not swaps."""

from __future__ import annotations

import pytest

from rag.grounding import RuleJudge, veto
from rag.roles import swapped_roles

SEAHAWKS = "The Seahawks beat the Rams in the NFC championship game, 31-27, to make the Super Bowl."


@pytest.mark.parametrize(("claim", "passage"), [
    ("The Rams beat the Seahawks in the NFC championship game, 31-27.", SEAHAWKS),
    ("Kevin Love replaced Johnson on the USA roster.",
     "Johnson replaced Kevin Love on the USA roster and made an immediate impact during exhibition play."),
    ("McGeachin sued the Idaho Press Club in July.",
     "The Idaho Press Club sued McGeachin in July after several journalists said she wrongly denied records."),
    ("Biden blamed Trump for the price of eggs.", "Trump blamed Biden Tuesday for the price of eggs and more."),
])
def test_two_parties_swapped_around_the_same_verb_are_vetoed(claim: str, passage: str) -> None:
    judgement = veto(claim, passage)
    assert judgement is not None and judgement.check == "roles"
    assert "the other way round" in judgement.reason


@pytest.mark.parametrize(("claim", "passage"), [
    ("The Seahawks beat the Rams 31-27 in the NFC championship game.", SEAHAWKS),  # the same order
    ("The Rams were beaten by the Seahawks in the NFC championship game, 31-27.", SEAHAWKS),  # the other voice
    ("Kevin Love was replaced by Johnson on the USA roster.",
     "Johnson replaced Kevin Love on the USA roster and made an immediate impact during exhibition play."),
    ("European Council President António Costa called sanctions crucial for supporting Ukraine.",  # title
     "António Costa, the president of the European Council, said that sanctions are crucial to support Ukraine."),
    ("Biden and Trump debated in Atlanta.", "Trump and Biden debated in Atlanta on Thursday."),  # coordinated
    ("Team USA lost to Brazil in the gold medal games of 2008 and 2012.",  # another verb, the roles kept
     "Brazil beat Team USA for gold medals in the 2008 and 2012 Olympics."),
])
def test_an_order_that_keeps_the_roles_is_not_a_swap(claim: str, passage: str) -> None:
    assert swapped_roles(claim, passage) is None


def test_the_rule_judge_rejects_a_swap_it_would_otherwise_take_word_for_word() -> None:
    judge = RuleJudge()
    assert judge.judge("The Seahawks beat the Rams in the NFC championship game.", SEAHAWKS).supported
    rejected = judge.judge("The Rams beat the Seahawks in the NFC championship game.", SEAHAWKS)
    assert not rejected.supported and rejected.check == "roles"
