from rag.fakes import ScriptedGenerator
from rag.grounding import VETO_CHECKS, ModelJudge, RuleJudge, as_statement, copies_a_sentence

PASSAGE = ("Meloni says Italy will not send troops, but it could help monitor any potential deal. "
           "France and the United Kingdom are leading the way in putting together a reassurance force.")


def test_rules_accept_a_faithful_paraphrase() -> None:
    assert RuleJudge().judge("Italy will not send troops but could help monitor a deal.", PASSAGE).supported


def test_rules_reject_a_negated_claim_with_a_reason() -> None:
    judgement = RuleJudge().judge("Italy will send troops.", PASSAGE)
    assert not judgement.supported and "negation" in judgement.reason


def test_rules_reject_a_swapped_name_before_asking_any_model() -> None:
    generator = ScriptedGenerator("")
    judgement = ModelJudge(generator).judge("Spain will not send troops.", PASSAGE)
    assert not judgement.supported and "spain" in judgement.reason and generator.calls == []


def test_the_model_gets_the_last_word_on_claims_the_rules_let_through() -> None:
    # The fake model says yes only when every word of the claim is in the passage: "command" is not.
    judgement = ModelJudge(ScriptedGenerator("")).judge(
        "France and the United Kingdom will command the reassurance force.", PASSAGE)
    assert not judgement.supported and "model" in judgement.reason


def test_the_model_confirms_a_claim_it_finds_in_the_judge_prompts_passage() -> None:
    # Not a copy, every word in the passage: the fake model reads the prompt and says yes (0.9).
    judgement = ModelJudge(ScriptedGenerator("")).judge("Italy could help monitor any deal.", PASSAGE)
    assert judgement.supported and judgement.score == 0.9


def test_a_copied_sentence_is_supported_without_asking_the_model() -> None:
    generator = ScriptedGenerator("")
    judgement = ModelJudge(generator).judge("Italy will not send troops, but it could help monitor any deal.", PASSAGE)
    assert judgement.supported and judgement.score == 1.0 and generator.calls == []


def test_a_copy_must_keep_the_order_and_the_negation_of_its_sentence() -> None:
    assert copies_a_sentence("France and the United Kingdom are leading the reassurance force.", PASSAGE)
    assert not copies_a_sentence("The United Kingdom and France are leading the reassurance force.", PASSAGE)
    assert not copies_a_sentence("Meloni says Italy will send troops to monitor any potential deal.", PASSAGE)
    assert not copies_a_sentence("Italy will not send troops.", PASSAGE)  # too short to count as a copy


def test_a_bare_answer_is_judged_as_the_answer_to_its_question() -> None:
    assert as_statement("Meloni.", "Who says Italy will not send troops?") == \
        'The answer to the question "Who says Italy will not send troops?" is: Meloni.'
    claim = "France and the United Kingdom are leading the reassurance force."
    assert as_statement(claim, "Who leads?") == claim


def test_a_figure_counting_another_thing_is_vetoed_before_asking_any_model() -> None:
    generator = ScriptedGenerator("")
    judgement = ModelJudge(generator).judge("The reassurance force will have 26 troops.",
                                            "We have today 26 countries who have formally committed to deploy troops.")
    assert not judgement.supported and "26 counts countries there, not troops" in judgement.reason
    assert generator.calls == []


def test_words_quoted_only_in_the_title_are_vetoed_before_asking_any_model() -> None:
    """A false real answer the model judge accepted (0.83, `a070` in eval/data/answer_pairs.jsonl)."""
    passage = ("A 'coalition of the willing' is mulling a European army which would be deployed to… (28 March 2025)\n"
               "Our soldiers, when they are engaged and deployed, are there to react and respond, Macron said.")
    generator = ScriptedGenerator("")
    judgement = ModelJudge(generator).judge(
        'Macron used the word "coalition of the willing" to describe stationing European soldiers.', passage)
    assert not judgement.supported
    assert '"coalition of the willing" appear only in the article\'s title' in judgement.reason
    assert generator.calls == []


def test_more_than_a_figure_the_passage_states_exactly_is_vetoed_before_asking_any_model() -> None:
    generator = ScriptedGenerator("")
    judgement = ModelJudge(generator).judge("Over 26 countries pledged soldiers.",
                                            "We have today 26 countries who have formally committed.")
    assert not judgement.supported and generator.calls == []
    assert judgement.reason == "the cited passage says exactly 26; the sentence says more or fewer than 26"


def test_a_figure_the_passage_has_only_as_a_day_is_vetoed_and_a_spelled_out_count_is_not() -> None:
    """`a048`: the passage's only 20 dates the airfield strike."""
    passage = ("Macron said officials will work with Ukrainian counterparts (27 March 2025)\n"
               "The attack at Engels military airfield on March 20 destroyed 96 cruise missiles.")
    generator = ScriptedGenerator("yes")
    judgement = ModelJudge(generator).judge("More than 20 people have been killed in the war so far.", passage)
    assert not judgement.supported and generator.calls == []
    assert judgement.reason == "the cited passage has 20 only as a day of the month"
    # The header's day is no count, but a count written out beside it is one: the model decides.
    assert ModelJudge(generator).judge("The talks lasted 5 hours.",
                                       "Talks (5 September 2025)\nThe talks lasted five hours.").supported


def test_a_veto_names_its_check_and_a_judge_without_that_check_lets_the_model_decide() -> None:
    claim, passage = "The reassurance force will have 26 troops.", \
        "We have today 26 countries who have formally committed to deploy troops."
    vetoed = ModelJudge(ScriptedGenerator("")).judge(claim, passage)
    assert vetoed.check == "counted-thing"
    without = ModelJudge(ScriptedGenerator(""), checks=tuple(c for c in VETO_CHECKS if c.name != "counted-thing"))
    asked = without.judge(claim, passage)  # the fake model's yes/no: no, "reassurance" is not in the passage
    assert asked.check == "" and "the model judges" in asked.reason
