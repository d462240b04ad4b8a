import json
from pathlib import Path

import pytest

from rag.grounding import ModelJudge, RuleJudge, copies_a_sentence
from rag.speakers import misattributed_speaker, speakers, speakers_differ

# Sentences of the seed articles, as their passages hold them.
COSTA = ("European Council President António Costa spoke after the talks. “This means keeping up the pressure on "
         "Russia through sanctions,” Costa said Thursday.")
RUTTE = ("While welcoming Trump's push for peace in Ukraine, Rutte said there would be no normalisation of relations "
         "with Russia once the war had ended.")
RUBIO = ("While the White House said that it would help restore Russia’s access to the world market for fertilizer "
         "and farm exports, it didn’t validate Moscow’s conditions. U.S. Secretary of State Marco Rubio said that "
         "Russia’s demands would be evaluated and presented to Trump.")
MELONI = ("Taking a similar line, Prime Minister Giorgia Meloni reiterated at the meeting that Italy will not send "
          "troops to Ukraine, but it could help monitor any potential peace deal, her office said.")
FEDOROV = ("Shelling in a front-line community in the Zaporizhzhia region knocked out electricity and phone coverage, "
           "regional head Ivan Fedorov said on Telegram.")
STARMER_OFFICE = ("The office of U.K. Prime Minister Keir Starmer, who's driving the European initiative together with "
                  "Macron, said that military planners have been drilling down into details of how such a force might "
                  "be put together.")


def test_speakers_are_read_from_reporting_clauses() -> None:
    assert speakers(COSTA) == {"costa"}
    assert speakers(FEDOROV) == {"ivan", "fedorov"}
    assert speakers(MELONI) == {"giorgia", "meloni"}  # "her office said" names nobody
    assert speakers("Macron's office said the force was ready.") == {"macron"}
    assert speakers('"We are ready," said French President Emmanuel Macron.') == {"emmanuel", "macron"}
    assert speakers("According to Rubio, the demands will be evaluated.") == {"rubio"}


def test_words_that_only_look_like_speakers_are_not() -> None:
    assert speakers("He said the force was ready.") == set()
    assert speakers("Officials said the force was ready.") == set()
    assert speakers("Macron said the United States was being very clear.") == {"macron"}  # not "United"
    assert speakers("NATO Chief Says Russia Relations Should Be Restored") == set()  # a headline's "Says"
    assert speakers("Rubio said Russia's demands would be evaluated.") == {"rubio"}  # not Russia
    assert speakers(STARMER_OFFICE) == set()  # the speaker stands too far from "said" to be sure


def test_words_put_in_another_speakers_mouth_are_caught() -> None:
    assert misattributed_speaker("Zelenskyy said this means keeping up the pressure on Russia through sanctions.",
                                 COSTA) == "zelenskyy"
    assert misattributed_speaker("Zelenskyy said shelling in Zaporizhzhia knocked out electricity and phone "
                                 "coverage.", FEDOROV) == "zelenskyy"
    assert misattributed_speaker("Starmer reiterated at the meeting that Italy will not send troops to Ukraine.",
                                 MELONI) == "starmer"
    # The claimed name is in the sentence, but not as its speaker.
    assert misattributed_speaker("Trump said there would be no normalisation of relations with Russia.",
                                 RUTTE) == "trump"
    assert misattributed_speaker("Trump said that Russia's demands would be evaluated.", RUBIO) == "trump"


def test_the_right_speaker_or_an_unsure_one_passes() -> None:
    assert misattributed_speaker("Costa said this means keeping up the pressure on Russia through sanctions.",
                                 COSTA) is None
    assert misattributed_speaker("Fedorov said shelling knocked out electricity and phone coverage.", FEDOROV) is None
    assert misattributed_speaker("Rubio said Russia's demands would be evaluated and presented to Trump.",
                                 RUBIO) is None
    assert misattributed_speaker("Zelensky said this means keeping up the pressure on Russia.",
                                 "Zelenskyy said this means keeping up the pressure on Russia.") is None  # spelling
    # No speaker to compare with, or the claim's words are not from one sentence: nothing is vetoed.
    assert misattributed_speaker("Starmer's office said military planners have been drilling down into details.",
                                 STARMER_OFFICE) is None
    assert misattributed_speaker("Macron's office said military planners have been drilling down into details.",
                                 STARMER_OFFICE) is None  # not caught: left to the model judge
    assert misattributed_speaker("Putin said the talks failed.", COSTA) is None
    assert misattributed_speaker("Shelling knocked out electricity and phone coverage.", FEDOROV) is None


def test_a_claim_naming_another_speaker_is_no_copy_and_is_vetoed() -> None:
    swapped = "Trump said there would be no normalisation of relations with Russia once the war had ended."
    assert speakers_differ(swapped, RUTTE)
    assert not copies_a_sentence(swapped, RUTTE)
    assert copies_a_sentence("Rutte said there would be no normalisation of relations with Russia.", RUTTE)
    judgement = RuleJudge().judge(swapped, RUTTE)
    assert not judgement.supported
    assert judgement.reason == "the cited passage does not say that Trump said it"


def test_the_model_judge_is_not_asked_about_a_misattributed_claim() -> None:
    class NeverAsked:
        name = "never asked"

        def yes_probability(self, messages: object, reusable: str = "") -> float:
            raise AssertionError("the speaker veto should have decided")

    judgement = ModelJudge(NeverAsked()).judge(  # type: ignore[arg-type]
        "Zelenskyy said this means keeping up the pressure on Russia through sanctions.", COSTA)
    assert not judgement.supported
    assert "Zelenskyy" in judgement.reason


def _cases() -> list[dict[str, object]]:
    path = Path(__file__).parent / "data" / "speaker_cases.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=pytest.mark.xfail(strict=True, reason="a known miss (docs/how-it-works.md)"))
    if case.get("known_miss") else case for case in _cases()], ids=lambda case: str(case["id"]))
def test_news_phrasings_of_who_said_it(case: dict[str, str | bool]) -> None:
    """67 phrasings two reviews collected from news writing (inverted titles, joint statements,
    appositions, spokespeople, "he said" passages, spellings, real MultiHop-RAG sentences), each
    labelled: a true claim must pass, a swapped speaker must be caught. The check's known misses are
    expected failures (strict: one that starts passing must be relabelled)."""
    vetoed = misattributed_speaker(str(case["claim"]), str(case["passage"])) is not None
    assert vetoed == (not case["supported"])
