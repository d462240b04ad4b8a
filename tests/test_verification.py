from rag.grounding import RuleJudge
from rag.types import Chunk, Hit
from rag.verification import Verifier, find_conflicts, split_claims

AID_001 = ("Macron announced a new package of defense aid for Ukraine that he said was worth 2 billion euros "
           "($2.15 billion) and will include light tanks.")
AID_004 = "Macron committed to a further 2 billion euros ($2.16bn) in French military support on Wednesday."
ITALY = "Meloni says Italy will not send troops, but it could help monitor any potential deal."


def hit(text: str) -> Hit:
    return Hit(Chunk(f"a:{len(text)}", "a", text, 0, len(text), 0, "T"), 0.9, 0.5)


HITS = [hit(AID_001), hit(AID_004), hit(ITALY)]


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    assert split_claims("Italy will not send troops. [3] Aid is $2.15 billion [1][2].") == [
        ("Italy will not send troops.", (3,)), ("Aid is $2.15 billion.", (1, 2))]


def test_a_wrongly_cited_sentence_is_recited_to_the_passage_that_supports_it() -> None:
    [checked] = Verifier(RuleJudge()).check("Italy will not send troops [1].", HITS)
    assert (checked.verdict, checked.cited, checked.text) == ("repaired", (3,), "Italy will not send troops [3].")


def test_an_unsupported_sentence_is_removed_with_its_reason() -> None:
    [checked] = Verifier(RuleJudge()).check("Germany pledged 5,000 troops [1].", HITS)
    assert checked.verdict == "removed" and checked.text == "" and "5000" in checked.reason


def test_a_citation_that_adds_nothing_is_dropped() -> None:
    [checked] = Verifier(RuleJudge()).check("Italy will not send troops [3][1].", HITS)
    assert checked.cited == (3,)


def test_sources_that_give_different_figures_are_both_cited() -> None:
    checked = Verifier(RuleJudge()).check("Macron announced aid worth $2.15 billion [1].", HITS)
    [conflict] = find_conflicts(checked, HITS)
    assert conflict.sentence() == ("The sources disagree on this figure: [1] gives $2.15 billion, "
                                   "while [2] gives $2.16bn.")


def test_a_sentence_that_only_restates_the_question_is_removed() -> None:
    question = "Which specific countries are among those that pledged aid worth 2 billion euros?"
    [checked] = Verifier(RuleJudge()).check("The countries that pledged aid worth 2 billion euros are [1].", HITS,
                                            question)
    assert checked.verdict == "removed" and "restates the question" in checked.reason
