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


class ScoredRelevance:
    """A reranker stand-in that gives each sentence a fixed relevance to the question."""

    name = "scripted"

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores
        self.asked: list[list[str]] = []

    def score(self, query: str, passages: list[str]) -> list[float]:
        self.asked.append(list(passages))
        return [self.scores[p] for p in passages]


ITALY_CLAIM = "Italy will not send troops but could help monitor any potential deal."


def test_a_true_answer_beside_the_question_is_removed_with_its_relevance() -> None:
    relevance = ScoredRelevance({ITALY_CLAIM: 0.5})
    [checked] = Verifier(RuleJudge(), relevance).check(f"{ITALY_CLAIM[:-1]} [3].", HITS, "Who commands the force?")
    assert checked.verdict == "removed" and checked.text == "" and "relevance 0.50" in checked.reason


def test_one_sentence_that_answers_keeps_the_others() -> None:
    aid = "Macron announced aid worth $2.15 billion."
    relevance = ScoredRelevance({ITALY_CLAIM: 0.1, aid: 0.9})
    checked = Verifier(RuleJudge(), relevance).check(f"{aid[:-1]} [1]. {ITALY_CLAIM[:-1]} [3].", HITS,
                                                     "How much aid did Macron announce?")
    assert [c.verdict for c in checked] == ["supported", "supported"]


def test_a_bare_answer_is_not_scored_for_relevance() -> None:
    relevance = ScoredRelevance({})
    [checked] = Verifier(RuleJudge(), relevance).check("Macron [1].", HITS, "Who announced the aid?")
    assert checked.verdict != "removed" and relevance.asked == []


def test_a_zero_answer_relevance_turns_the_check_off() -> None:
    relevance = ScoredRelevance({})
    [checked] = Verifier(RuleJudge(), relevance, 0.0).check(f"{ITALY_CLAIM[:-1]} [3].", HITS, "Who commands?")
    assert checked.verdict != "removed" and relevance.asked == []
