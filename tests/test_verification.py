import pytest

from rag.conflicts import find_conflicts
from rag.grounding import Judgement, RuleJudge
from rag.types import Chunk, Hit
from rag.verification import Verifier, _added_words, source_sentence_for, split_claims

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


def test_figures_that_can_both_be_true_are_no_disagreement() -> None:
    kharkiv = hit("Russian drone attacks overnight wounded at least 18 people in the Kharkiv region.")
    overall = hit("Before the leaders met, Russian drone attacks overnight wounded more than 20 people.")
    claim = "Drone attacks overnight wounded at least 18 people in the Kharkiv region [1]."
    checked = Verifier(RuleJudge()).check(claim, [kharkiv, overall])
    assert checked[0].verdict == "supported" and find_conflicts(checked, [kharkiv, overall]) == []


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
        return [self._score(p) for p in passages]

    def _score(self, text: str) -> float:
        """A scripted sentence's score; that sentence followed by its source scores 0 unless scripted."""
        if text in self.scores:
            return self.scores[text]
        if any(text.startswith(f"{sentence} ") for sentence in self.scores):
            return 0.0
        raise KeyError(text)  # a sentence no test scripted: a typo in the test


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


def test_a_sentence_is_also_scored_with_the_source_sentence_it_rests_on() -> None:
    """The answer names the envoy the question only describes; its source says he is that envoy."""
    envoy = hit("The U.S. was represented by special envoy Steve Witkoff, who also met Zelensky separately.")
    claim = "Steve Witkoff met Zelensky separately at the summit."
    with_source = f"{claim} {envoy.chunk.text}"
    question = "Which leader did the special envoy meet separately?"
    [kept] = Verifier(RuleJudge(), ScoredRelevance({claim: 0.0, with_source: 0.9})).check(
        f"{claim[:-1]} [1].", [envoy], question)
    assert kept.verdict == "supported"
    [removed] = Verifier(RuleJudge(), ScoredRelevance({claim: 0.0, with_source: 0.3})).check(
        f"{claim[:-1]} [1].", [envoy], question)
    assert removed.verdict == "removed" and "relevance 0.30" in removed.reason


def test_a_bare_answer_is_not_scored_for_relevance() -> None:
    relevance = ScoredRelevance({})
    [checked] = Verifier(RuleJudge(), relevance).check("Macron [1].", HITS, "Who announced the aid?")
    assert checked.verdict != "removed" and relevance.asked == []


def test_a_zero_answer_relevance_turns_the_check_off() -> None:
    relevance = ScoredRelevance({})
    [checked] = Verifier(RuleJudge(), relevance, 0.0).check(f"{ITALY_CLAIM[:-1]} [3].", HITS, "Who commands?")
    assert checked.verdict != "removed" and relevance.asked == []


class Doubting:
    """A judge that confirms nothing, like the small model at P(yes) 0.7-0.79 on true paraphrases."""

    name = "doubting"

    def judge(self, claim: str, passage: str, given: str = "") -> Judgement:
        return Judgement(False, 0.75, "the model judges that the passage does not state it (p=0.75)")


def test_a_doubted_claim_is_replaced_by_the_source_sentence_stating_its_facts() -> None:
    [checked] = Verifier(Doubting()).check("Italy's leader Meloni won't contribute soldiers [1].", HITS,
                                           "Which leader ruled out sending troops?")
    assert (checked.verdict, checked.cited, checked.support) == ("quoted", (3,), 1.0)
    assert checked.text == "Meloni says Italy will not send troops, but it could help monitor any potential deal [3]."
    assert checked.claim == "Italy's leader Meloni won't contribute soldiers." and "replaced by the words of [3]" \
        in checked.reason


def test_a_claim_whose_fact_no_passage_states_is_removed_not_quoted() -> None:
    [checked] = Verifier(Doubting()).check("Germany won't contribute soldiers [3].", HITS,
                                           "Which country ruled out sending troops?")
    assert checked.verdict == "removed" and "germany" not in checked.text.lower()


def test_a_claim_restating_the_question_is_removed_before_any_quote_is_sought() -> None:
    [checked] = Verifier(Doubting()).check("Italy will send troops [3].", HITS, "Will Italy send troops?")
    assert (checked.verdict, checked.reason) == ("removed", "restates the question without answering it")


@pytest.mark.parametrize("claim", ["Kyiv needs the Kremlin's consent.", "No.", "Kyiv does not need it."])
def test_a_claim_adding_nothing_to_the_question_has_nothing_to_quote_for(claim: str) -> None:
    """Its point is a relation or a verdict, which a sentence sharing its words may not carry; "needs"
    is the question's "need" in another form."""
    consent = hit("Ukraine needs more air defence, Zelensky said. No recording of the call was available.")
    question = "According to the French leader, does Kyiv need the Kremlin's consent to host allied troops?"
    assert source_sentence_for(claim, {1: consent}, question) is None


def test_a_claim_adding_words_but_no_fact_is_quoted_by_the_sentence_holding_all_of_them() -> None:
    """A true answer the model judge doubted (0.79) whose point is a common noun, not a name."""
    porcupine = ("The 27-nation European Union is also pressing ahead with a so-called steel porcupine strategy "
                 "aimed at making Ukraine an even tougher nut for Russia to crack.")
    question = "What is the name of the EU strategy aimed at making Ukraine a tougher nut for Russia to crack?"
    [quoted] = Verifier(Doubting()).check("The strategy is the steel porcupine strategy [1].", [hit(porcupine)],
                                          question)
    assert (quoted.verdict, quoted.stated) == ("quoted", porcupine)
    [removed] = Verifier(Doubting()).check("The strategy is the steel hedgehog strategy [1].", [hit(porcupine)],
                                           question)
    assert removed.verdict == "removed"


def test_a_word_of_the_question_in_another_form_is_no_word_the_claim_adds() -> None:
    """f02: "aimed" is the question's "aim"; counted as added, no sentence held it and a true answer
    was removed. "Apple", "aides" and "news" are no forms of "app", "aid" and "new"."""
    energy = ("U.S.-brokered agreements this week to safeguard shipping in the Black Sea and last week to halt "
              "long-range strikes on energy infrastructure were greeted as a first step.")
    question = "Besides the Black Sea shipping deal, what did the U.S.-brokered agreement of last week aim to halt?"
    claim = "The U.S.-brokered agreement of last week aimed to halt long-range strikes on energy infrastructure."
    assert source_sentence_for(claim, {1: hit(energy)}, question) == (1, energy)
    assert _added_words("Apple aides read the news.", "Which app aid did she read new?") == {"apple", "aides", "news"}
    assert _added_words("Officials used it, aiming higher.", "Did officials use it to aim?") == {"highe"}


def test_two_claims_quoting_one_sentence_keep_it_once() -> None:
    first, second = Verifier(Doubting()).check("Meloni spoke for Italy [3]. It was Meloni [3].", HITS,
                                               "Which leader ruled out sending troops?")
    assert first.verdict == "quoted" and (second.verdict, second.reason) == ("removed", "repeats an earlier sentence")


def test_no_quote_from_a_passage_the_judge_did_not_lean_towards() -> None:
    class Vetoing:
        name = "vetoing"

        def judge(self, claim: str, passage: str, given: str = "") -> Judgement:
            return Judgement(False, 0.0, "name 'meloni' is not in the cited passage")

    question = "Which leader ruled out sending troops?"
    [vetoed] = Verifier(Vetoing()).check("Italy's leader Meloni won't contribute soldiers [1].", HITS, question)
    [off] = Verifier(Doubting(), quote=False).check("Italy's leader Meloni won't contribute soldiers [1].", HITS,
                                                   question)
    assert vetoed.verdict == off.verdict == "removed"


def test_the_quote_comes_from_the_passage_the_judge_leant_towards() -> None:
    class LeaningOnThree:
        name = "leaning"

        def judge(self, claim: str, passage: str, given: str = "") -> Judgement:
            return Judgement(False, 0.75 if "Italy" in passage else 0.1, "doubted")

    meloni_twice = [hit("Merz met Meloni's aides in Rome."), hit(AID_004), hit(ITALY)]
    [checked] = Verifier(LeaningOnThree()).check("It is Meloni who won't send soldiers [2].", meloni_twice,
                                                 "Which leader ruled out sending troops?")
    assert (checked.verdict, checked.cited) == ("quoted", (3,))


def test_a_quote_may_leave_a_fact_to_its_title_but_not_all_of_them() -> None:
    palace = "He is expecting 31 delegations at the presidential Elysee Palace."
    titled = Hit(Chunk("b:1", "b", palace, 0, len(palace), 0, "French President Emmanuel Macron said on Wednesday"),
                 0.9, 0.5)
    question = "In which palace did Macron host the delegations?"
    [quoted] = Verifier(Doubting()).check("French President Emmanuel Macron hosted them at the Elysee Palace [1].",
                                          [titled], question)
    assert (quoted.verdict, quoted.stated) == ("quoted", palace)
    [removed] = Verifier(Doubting()).check("The host was French President Emmanuel Macron [1].", [titled],
                                           "Who hosted the delegations?")
    assert removed.verdict == "removed"


def test_a_quoted_figure_is_checked_for_conflicts_and_scored_for_relevance_as_quoted() -> None:
    question = "What is the dollar value of Macron's aid?"
    relevance = ScoredRelevance({AID_001: 0.9})
    [checked] = Verifier(Doubting(), relevance).check("Macron's aid is worth $2.15 billion [1].", HITS, question)
    assert checked.verdict == "quoted" and checked.stated == AID_001
    assert relevance.asked == [[AID_001]]  # its source sentence is itself: scored once
    [conflict] = find_conflicts([checked], HITS)
    assert (conflict.value, conflict.other_value) == ("$2.15 billion", "$2.16bn")


def test_a_quote_must_answer_the_question_more_clearly_than_a_written_sentence() -> None:
    def verdict(relevance: float) -> tuple[str, str]:
        [checked] = Verifier(Doubting(), ScoredRelevance({AID_001: relevance})).check(
            "Macron's aid is worth $2.15 billion [1].", HITS, "What is the dollar value of Macron's aid?")
        return checked.verdict, checked.reason

    assert verdict(0.8)[0] == "quoted"
    assert verdict(0.79) == ("removed", "the quoted sentence does not answer the question (relevance 0.79)")


def test_a_sentence_counting_other_things_than_a_how_many_question_asks_about_is_removed() -> None:
    engels = hit("The attack destroyed 96 air-to-air cruise missiles at the Engels airfield.")
    [checked] = Verifier(RuleJudge()).check("The attack destroyed 96 air-to-air cruise missiles [1].", [engels],
                                            "How many strategic bombers did the attack destroy?")
    assert checked.verdict == "removed" and "count something other" in checked.reason
    [kept] = Verifier(RuleJudge()).check("The attack destroyed 96 air-to-air cruise missiles [1].", [engels],
                                         "How many missiles did the attack destroy?")
    assert kept.verdict == "supported"


def test_a_bare_answer_counting_other_things_is_removed_too() -> None:
    engels = hit("The attack destroyed 96 air-to-air cruise missiles at the Engels airfield.")
    [checked] = Verifier(RuleJudge()).check("96 cruise missiles [1].", [engels],
                                            "How many strategic bombers did the attack destroy?")
    assert checked.verdict == "removed" and "count something other" in checked.reason


def test_a_removed_sentence_names_the_checks_that_rejected_it() -> None:
    [checked] = Verifier(RuleJudge()).check("Germany pledged 5,000 troops [1].", HITS)
    assert checked.verdict == "removed" and checked.vetoes == ("facts",)


def test_a_sentence_check_turned_off_no_longer_removes() -> None:
    question = "What total number of troops will the force have?"
    claim = "The force is backed by 26 countries [1]."
    passages = [hit("The force is backed by 26 countries, officials said.")]
    [removed] = Verifier(RuleJudge()).check(claim, passages, question)
    assert removed.verdict == "removed" and removed.vetoes == ("counted-question",)
    [kept] = Verifier(RuleJudge(), off=frozenset({"counted-question"})).check(claim, passages, question)
    assert kept.verdict == "supported" and kept.vetoes == ()


def test_of_source_sentences_stating_a_bare_answer_alike_the_one_answering_the_question_is_quoted() -> None:
    invaded, disqualified = ("Russia invaded Ukraine almost four years ago.",
                             "A Ukrainian skeleton athlete has been disqualified from the Olympics.")
    passages = [hit(f"{invaded} {disqualified}")]
    question = "An athlete from which country was disqualified from the Winter Games?"
    relevance = ScoredRelevance({invaded: 0.01, disqualified: 0.97})
    [checked] = Verifier(Doubting(), relevance).check("Ukraine [1].", passages, question)
    assert (checked.verdict, checked.stated) == ("quoted", disqualified)
    [first] = Verifier(Doubting(), relevance, 0.0, off=frozenset({"quote-relevance"})).check("Ukraine [1].", passages,
                                                                                            question)
    assert (first.verdict, first.stated) == ("quoted", invaded)  # overlap alone: the first of equals
