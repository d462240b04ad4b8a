import pytest

from rag.grounding import RuleJudge, copies_a_sentence
from rag.modality import drops_a_hedge, overstated_certainty, reported_as_done

# Sentences of the seed articles.
MELONI = ("Taking a similar line, Prime Minister Giorgia Meloni reiterated at the meeting that Italy will not send "
          "troops to Ukraine, but it could help monitor any potential peace deal, her office said.")
TOWNS = ("Macron said Wednesday that the proposed European force could deploy to “important towns, strategic bases” "
         "in Ukraine and that it could “respond” to a Russian attack if Moscow launched one.")
TROOPS = ("Building a force big enough to act as a credible deterrent — U.K. officials have talked about possibly "
          "10,000 to 30,000 troops — would also be a considerable effort for nations that shrank their militaries "
          "after the Cold War but are now rearming.")
AID = ("But as the nearly three dozen nations gather again for more talks in Paris, it is still far from clear "
       "exactly what kind of aid they are preparing that could contribute toward their goal of making any ceasefire "
       "with Russia lasting.")
RUBIO = "U.S. Secretary of State Marco Rubio said that Russia’s demands would be evaluated and presented to Trump."


def test_a_claim_stating_as_certain_what_its_source_hedges_is_caught() -> None:
    assert overstated_certainty("Italy will help monitor the peace deal.", MELONI) == "could"
    assert overstated_certainty("The European force will deploy to important towns and strategic bases in Ukraine.",
                                TOWNS) == "could"
    assert overstated_certainty("The force will have 10,000 to 30,000 troops.", TROOPS) == "possibly"


def test_a_claim_keeping_some_uncertainty_or_about_something_else_passes() -> None:
    assert overstated_certainty("Italy could help monitor a potential peace deal.", MELONI) is None
    assert overstated_certainty("Macron said the force may deploy to important towns in Ukraine.", TOWNS) is None
    assert overstated_certainty("Italy will not send troops to Ukraine.", MELONI) is None  # that part is plain
    # The hedge governs another verb than the claim's ("could contribute", not "preparing").
    assert overstated_certainty("It remains far from clear what kind of aid the coalition is preparing.", AID) is None
    # "would" in reported speech is "will" moved into the past: not a hedge to hold against a claim.
    assert overstated_certainty("Russia's demands will be evaluated and presented to Trump.", RUBIO) is None
    assert overstated_certainty("Macron met Starmer on Monday.", TOWNS) is None  # not from this passage


def test_a_claim_dropping_a_hedge_is_no_copy_and_the_veto_names_the_hedge() -> None:
    dropped = "The European force will deploy to important towns and strategic bases in Ukraine."
    assert drops_a_hedge(dropped, TOWNS)
    assert not copies_a_sentence(dropped, TOWNS)
    assert not drops_a_hedge("Russia's demands would be evaluated.", RUBIO)
    assert drops_a_hedge("Russia's demands have been presented to Trump.", RUBIO)  # left to the model judge
    judgement = RuleJudge().judge(dropped, TOWNS)
    assert not judgement.supported
    assert judgement.reason == "the cited passage hedges this ('could'); the sentence states it as certain"


SUMMIT = ("Macron spoke after talks with Ukraine President Volodymyr Zelenskyy and ahead of a summit in Paris of some "
          "30 nations on Thursday that will discuss the proposed force for Ukraine.")


def test_a_claim_reporting_as_done_what_its_source_says_will_happen_is_caught() -> None:
    assert reported_as_done("The Paris summit of some 30 nations discussed the proposed force for Ukraine.",
                            SUMMIT) == "will discuss"
    assert reported_as_done("The force was deployed to Kyiv.", "The force will be deployed to Kyiv.") == \
        "will be deployed"
    assert reported_as_done("Macron met Trump on Friday.",
                            "Macron met Starmer on Monday and will meet Trump on Friday.") == "will meet"
    judgement = RuleJudge().judge("The Paris summit of some 30 nations discussed the proposed force.", SUMMIT)
    assert judgement.reason == "the cited passage says this will discuss; the sentence says it has happened"


def test_a_hedge_also_governs_the_purpose_of_the_verb_it_hedges() -> None:
    """A false real answer the model judge accepted (0.84, `a092` in eval/data/answer_pairs.jsonl)."""
    planners = ("Starmer mentioned that military planners are expected to reconvene in the U.K. on Thursday to "
                "advance practical strategies for bolstering Ukraine’s future security.")
    assert overstated_certainty("The military planners decided to advance practical strategies for bolstering "
                                "Ukraine’s future security.", planners) == "expected"
    assert overstated_certainty("Military planners are expected to advance practical strategies.", planners) is None


def test_a_claim_keeping_the_future_or_about_what_did_happen_passes() -> None:
    assert reported_as_done("The Paris summit of some 30 nations will discuss the proposed force.", SUMMIT) is None
    assert reported_as_done("The summit was expected to discuss the proposed force.", SUMMIT) is None
    assert reported_as_done("Macron met Starmer on Monday.",
                            "Macron met Starmer on Monday and will meet Trump on Friday.") is None
    assert reported_as_done("Italy has not sent troops.", "Italy will not send troops.") is None  # negated


@pytest.mark.parametrize(("passage", "claim"), [
    ("The Fed held rates steady on Wednesday as officials said they might cut rates later this year.",
     "The Fed held rates steady on Wednesday."),
    ("Revenue rose more than expected to $5 billion in the third quarter.",
     "Revenue rose to $5 billion in the third quarter."),
    ("Russia's military might has been weakened by three years of war.",
     "Russia's military has been weakened by three years of war."),
    ("The city council approved the plans on Monday.", "The city council approved the stadium plans on Monday."),
    ("The lawsuit seeks $10 million in damages from the company.", "The lawsuit asks for $10 million in damages."),
    ("Zelenskyy said Ukraine hopes to join NATO within a decade.", "Zelenskyy said Ukraine hoped to join NATO."),
    ("Possibly 30,000 troops will be sent, officials said.", "Possibly 30,000 troops will be sent."),
    ("Russia attacked Kyiv overnight with drones as officials warned Moscow will attack again.",
     "Russia attacked Kyiv overnight with drones."),
    ("Boeing delivered 40 jets in March, and it said it will deliver more in April.",
     "Boeing delivered 40 jets in March."),
    ("Officials might comment later because Russia continued to attack Kyiv.", "Russia continued to attack Kyiv."),
    ("Leaders may meet next week after Russia agreed to withdraw.", "Russia agreed to withdraw."),
    ("Macron said troops could be sent to western Ukraine.", "Macron spoke about western Ukraine."),
    ("Starmer could speak there after he travelled to Paris to attend the summit.",
     "Starmer travelled to Paris to attend the summit."),
], ids=["might-cut-other-verb", "than-expected", "might-noun", "plans-noun", "seeks-object", "hoped",
        "capitalised-hedge", "as-clause", "done-and-promised", "to-in-a-because-clause", "to-in-an-after-clause",
        "to-a-place", "to-after-the-subordinator"])
def test_news_phrasings_that_only_look_like_a_dropped_hedge_or_future_pass(passage: str, claim: str) -> None:
    """True claims a review found the first versions vetoed."""
    assert overstated_certainty(claim, passage) is None
    assert reported_as_done(claim, passage) is None


def test_past_forms_are_the_verbs_own() -> None:
    assert reported_as_done("The council banned protests in the square on Friday.",
                            "The council will ban protests in the square on Friday.") == "will ban"
    assert reported_as_done("Leaders decided on the force in Paris on Thursday.",
                            "Leaders will decide on the force in Paris on Thursday.") == "will decide"
    # "band" and "wind" are no past forms of "ban" and "win".
    assert reported_as_done("The band played in the square on Friday.",
                            "The council will ban the band in the square on Friday.") is None
