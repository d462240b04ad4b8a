from pathlib import Path

import pytest

from eval.datasets import (
    Question,
    answer_pairs,
    fresh_questions,
    heldout_questions,
    judge_pairs,
    multihop_corpus,
    multihop_questions,
    seed_questions,
)
from eval.metrics import citation_scores, contains_answer, hits_and_rank, measure_judge
from rag.articles import read_path
from rag.grounding import Judgement, RuleJudge
from tests.conftest import SEED_DIR


@pytest.mark.parametrize("answer, accepted, match, expected", [
    ("Twenty-six countries committed [1].", ["26"], "any", True),
    ("26 countries committed.", ["twenty-six"], "any", True),
    ("Some 126 countries.", ["26"], "any", False),
    ("It was $2.15 billion [1], while [2] gives $2.16bn.", ["2.15", "2.16"], "all", True),
    ("It was $2.15 billion.", ["2.15", "2.16"], "all", False),
    ("The Élysée Palace.", ["elysee"], "any", True),
])
def test_correctness_is_containment_of_a_whole_accepted_answer(answer: str, accepted: list[str], match: str,
                                                               expected: bool) -> None:
    assert contains_answer(answer, accepted, match) is expected


def test_alce_precision_drops_the_irrelevant_citation_and_recall_counts_supported_sentences() -> None:
    italy = "Meloni says Italy will not send troops."
    unrelated = "The summit took place in Paris on Thursday."
    scores = citation_scores([("Italy will not send troops.", [italy, unrelated]),
                              ("Spain will send 500 troops.", [italy])], RuleJudge())
    assert (scores.sentences, scores.recalled, scores.citations, scores.precise) == (2, 1, 3, 1)


def test_retrieval_rank_uses_gold_articles_or_the_upstream_fact_rule() -> None:
    passages = [("x", "Other text."), ("gold", "The fact, as   quoted here.")]
    assert hits_and_rank(passages, ["gold"], [], use_facts=False) == 2
    assert hits_and_rank(passages, [], ["fact, as quoted"], use_facts=True) == 2
    assert hits_and_rank(passages, ["none"], [], use_facts=False) is None


def _assert_well_formed(questions: list[Question]) -> None:
    """Unique ids; an answer and a quote exactly when answerable; every quote in its article's text."""
    texts = {a.article_id: a.text for p in SEED_DIR.glob("*.txt") for a in read_path(p)}
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert q.answerable == bool(q.accepted) == bool(q.quotes), q.id
        assert len(q.quotes) == len(q.articles), q.id
        for article_id, quote in zip(q.articles, q.quotes):
            assert quote in texts[article_id], (q.id, quote)


def test_seed_questions_are_well_formed_and_every_quote_is_in_its_article() -> None:
    questions = seed_questions()
    assert len(questions) >= 40 and sum(not q.answerable for q in questions) >= 10
    _assert_well_formed(questions)


def test_heldout_questions_are_well_formed_and_ask_nothing_the_seed_questions_ask() -> None:
    seed, heldout = seed_questions(), heldout_questions()
    assert len(heldout) >= 20 and sum(not q.answerable for q in heldout) >= 5
    _assert_well_formed(heldout)
    assert not {q.id for q in heldout} & {q.id for q in seed}
    assert not {q.question for q in heldout} & {q.question for q in seed}
    assert not {quote for q in heldout for quote in q.quotes} & {quote for q in seed for quote in q.quotes}


def test_fresh_questions_are_well_formed_and_ask_nothing_the_other_sets_ask() -> None:
    fresh, earlier = fresh_questions(), seed_questions() + heldout_questions()
    assert len(fresh) >= 15 and sum(not q.answerable for q in fresh) >= 4
    _assert_well_formed(fresh)
    assert not {q.id for q in fresh} & {q.id for q in earlier}
    assert not {q.question for q in fresh} & {q.question for q in earlier}
    assert not {quote for q in fresh for quote in q.quotes} & {quote for q in earlier for quote in q.quotes}


def test_judge_pairs_are_balanced_and_their_passages_are_real_article_text() -> None:
    texts = {a.article_id: a.text for p in SEED_DIR.glob("*.txt") for a in read_path(p)}
    pairs = judge_pairs()
    assert len(pairs) >= 200
    assert {p.kind for p in pairs} >= {"verbatim", "paraphrase", "number_swap", "date_swap", "name_swap", "negation"}
    assert all(p.passage in texts[p.article_id] for p in pairs)
    assert all(p.supported == (p.kind in ("verbatim", "paraphrase")) for p in pairs)


def test_answer_pairs_hold_both_labels_and_real_passages_with_their_questions() -> None:
    texts = {a.article_id: a.text for p in SEED_DIR.glob("*.txt") for a in read_path(p)}
    pairs = answer_pairs()
    assert len(pairs) >= 80 and {p.supported for p in pairs} == {True, False}
    for pair in pairs:
        title_line, chunk = pair.passage.split("\n", 1)
        assert chunk in texts[pair.article_id], pair.id
        assert pair.question.endswith("?") and pair.kind == "answer", pair.id


def test_the_judge_is_measured_with_each_pairs_question() -> None:
    seen: list[str] = []

    class Recording:
        name = "recording"

        def judge(self, claim: str, passage: str, given: str = "") -> Judgement:
            seen.append(given)
            return Judgement(True, 1.0)

    measure_judge(Recording(), answer_pairs()[:2])
    assert seen == [p.question for p in answer_pairs()[:2]] and all(seen)


def test_the_rule_judge_clears_the_floor_on_the_labelled_pairs() -> None:
    assert measure_judge(RuleJudge(), judge_pairs()).balanced_accuracy >= 0.8


def test_multihop_corpus_has_one_article_per_url_and_a_fixed_sample() -> None:
    corpus = multihop_corpus()
    assert len(corpus) == 326 and len({a.article_id for a in corpus}) == 326
    assert [q.id for q in multihop_questions(sample=40)] == [q.id for q in multihop_questions(sample=40)]
    assert len(multihop_questions()) == 500


def test_a_quoted_sentence_is_scored_by_the_source_sentence_the_answer_holds() -> None:
    from eval.runner import Outcome, QuestionResult, _score_citations

    judged: list[str] = []

    class Recording:
        name = "recording"

        def judge(self, claim: str, passage: str, given: str = "") -> Judgement:
            judged.append(claim)
            return Judgement(True, 1.0)

    quote = "Meloni says Italy will not send troops."
    sentence = {"text": f"{quote[:-1]} [1].", "claim": "Meloni won't send soldiers.", "verdict": "quoted",
                "support": 1.0, "cited": [1], "reason": "doubted; replaced by the words of [1]"}
    citation = {"n": 1, "article_id": "a", "title": "T", "published": None, "text": quote}
    outcome = Outcome(sentence["text"], False, [citation], [sentence], [citation], {}, {})
    _score_citations(QuestionResult("q", "single_fact", "Who?", True, []), outcome, Recording(), "Who?")
    assert judged and set(judged) == {quote}


def test_gold_evidence_citation_counts_answer_sentences_citing_the_hand_checked_quote() -> None:
    from eval.datasets import Question
    from eval.runner import Outcome, QuestionResult, _score_gold_citations

    gold = "Italy will not send troops to Ukraine."
    citations = [{"n": 1, "article_id": "a", "title": "T", "published": None, "text": f"Rome, Monday.\n{gold}"},
                 {"n": 2, "article_id": "b", "title": "U", "published": None, "text": "Meloni spoke in Rome."}]

    def sentence(text: str, verdict: str, cited: list[int]) -> dict[str, object]:
        return {"text": text if verdict != "removed" else "", "claim": text, "verdict": verdict, "support": 1.0,
                "cited": cited, "reason": ""}

    sentences = [sentence("Italy will not send troops [1].", "supported", [1]),  # answer, gold cited
                 sentence("Meloni said Italy will not send troops [2].", "repaired", [2]),  # answer, wrong passage
                 sentence("Meloni spoke in Rome [2].", "supported", [2]),  # no answer: not counted
                 sentence("Italy will not send troops [2].", "removed", [2])]  # removed: not counted
    q = Question("q", "Will Italy send troops?", "single_fact", True, ("not send",), articles=("a",), quotes=(gold,))
    result = QuestionResult(q.id, q.type, q.question, True, list(q.accepted))
    _score_gold_citations(result, Outcome("", False, citations, sentences, citations, {}, {}), q)
    assert (result.answer_bearing, result.gold_cited) == (2, 1)


def test_a_figure_counts_as_cited_only_with_the_quote_that_holds_it() -> None:
    from eval.datasets import Question
    from eval.runner import Outcome, QuestionResult, _score_gold_citations

    one, other = "France pledged $2.15 billion in aid.", "France's aid was worth $2.16bn."
    citations = [{"n": 1, "article_id": "a", "title": "T", "published": None, "text": one},
                 {"n": 2, "article_id": "b", "title": "U", "published": None, "text": other}]
    sentences = [{"text": "France pledged $2.15 billion [2].", "claim": "France pledged $2.15 billion.",
                  "verdict": "supported", "support": 1.0, "cited": [2], "reason": ""},
                 {"text": "Its aid was worth $2.16bn [2].", "claim": "Its aid was worth $2.16bn.",
                  "verdict": "supported", "support": 1.0, "cited": [2], "reason": ""}]
    q = Question("q", "How much aid?", "conflict", True, ("2.15", "2.16"), "all", ("a", "b"), (one, other))
    result = QuestionResult(q.id, q.type, q.question, True, list(q.accepted))
    _score_gold_citations(result, Outcome("", False, citations, sentences, citations, {}, {}), q)
    assert (result.answer_bearing, result.gold_cited) == (2, 1)


def test_a_clue_that_does_not_name_the_answer_counts_as_its_evidence() -> None:
    """MultiHop-RAG inference: each gold fact is a clue towards "Google"; only some name it."""
    from eval.datasets import Question
    from eval.runner import Outcome, QuestionResult, _score_gold_citations

    clue, named = "It released only a lite version called Gemini Pro.", "Google makes default search deals."
    citations = [{"n": 1, "article_id": "a", "title": "T", "published": None, "text": clue}]
    sentences = [{"text": "Google released a lite version [1].", "claim": "Google released a lite version.",
                  "verdict": "supported", "support": 1.0, "cited": [1], "reason": ""}]
    q = Question("q", "Which company released a lite model and makes search deals?", "inference_query", True,
                 ("Google",), articles=("a", "b"), quotes=(clue, named))
    result = QuestionResult(q.id, q.type, q.question, True, list(q.accepted))
    _score_gold_citations(result, Outcome("", False, citations, sentences, citations, {}, {}), q)
    assert (result.answer_bearing, result.gold_cited) == (1, 1)


def test_a_result_keeps_the_passages_the_model_was_given() -> None:
    """Saved with every run, so a check after generation can be recomputed from it exactly."""
    from eval.datasets import Question
    from eval.runner import Outcome, score_question
    from rag.grounding import RuleJudge

    passage = {"article_id": "a", "title": "T", "published": None, "text": "Italy will not send troops.",
               "score": 0.9}

    class Canned:
        def ask(self, question: str, as_of: str | None = None) -> Outcome:
            return Outcome("The articles do not say.", True, [], [], [passage], {}, {})

        def search(self, query: str, top_k: int, as_of: str | None = None) -> list[dict[str, object]]:
            return [passage]

        def add(self, articles: object) -> None: ...

    q = Question("q", "Who commands the force?", "unanswerable", False, ())
    result = score_question(Canned(), q, RuleJudge(), use_fact_rule=False)
    assert result.correct and result.passages == [passage]


def test_a_right_draft_that_verification_removed_counts_as_lost_in_verification() -> None:
    """The draft is every sentence the model wrote; the answer is what verification left of it."""
    from eval.datasets import Question
    from eval.runner import Outcome, score_question
    from rag.grounding import RuleJudge

    removed = {"text": "", "claim": "The meeting lasted two hours.", "verdict": "removed", "support": 0.0,
               "cited": [1], "reason": "the model judges that the passage does not state it (p=0.70)"}

    class Canned:
        def ask(self, question: str, as_of: str | None = None) -> Outcome:
            return Outcome("The articles do not say.", True, [], [removed], [], {}, {})

        def search(self, query: str, top_k: int, as_of: str | None = None) -> list[dict[str, object]]:
            return []

        def add(self, articles: object) -> None: ...

    q = Question("q", "How long did the meeting last?", "single_fact", True, ("two hours",))
    result = score_question(Canned(), q, RuleJudge(), use_fact_rule=False)
    assert (result.correct, result.draft_correct) == (False, True)


def test_the_ceiling_counts_right_drafts_and_every_unanswerable_question() -> None:
    from eval.metrics import JudgeMeasurement
    from eval.report import summarise
    from eval.runner import QuestionResult

    def row(qid: str, answerable: bool, correct: bool, draft: bool) -> QuestionResult:
        result = QuestionResult(qid, "t", "?", answerable, [], correct=correct)
        result.draft_correct = draft
        return result

    crashed = row("null-crashed", False, False, False)
    crashed.error = "timeout"
    # "conflict": right only because verification added the second figure (find_conflicts)
    results = [row("right", True, True, True), row("lost", True, False, True), row("missed", True, False, False),
               row("conflict", True, True, False), row("null-answered", False, False, False), crashed]
    summary = summarise(results, JudgeMeasurement("rules", 0, 1.0, 1.0, 1.0, {}))
    assert summary["draft_correct_answerable"] == 0.5
    assert summary["lost_in_verification"] == ["lost"]
    # right, lost, conflict and the unanswerable one that did not error, of six
    assert summary["ceiling_correctness"] == round(4 / 6, 4)


def test_the_ceiling_command_reads_saved_runs_old_and_new(tmp_path: Path) -> None:
    """Runs saved before the draft was recorded are recomputed from their sentences."""
    import json

    from eval.ceiling import report

    def row(qid: str, answerable: bool, correct: bool, claims: list[str], **extra: object) -> dict[str, object]:
        sentences = [{"claim": c, "verdict": "removed"} for c in claims]
        return {"id": qid, "answerable": answerable, "correct": correct, "accepted": ["two hours"],
                "sentences": sentences, **extra}

    old = tmp_path / "old.json"
    old.write_text(json.dumps({"results": [row("a", True, False, ["It lasted two hours."]),
                                            row("b", True, False, ["It lasted a day."]),
                                            row("n", False, True, ["It lasted two hours."])]}))
    new = tmp_path / "new.json"
    new.write_text(json.dumps({"results": [row("a", True, True, [], draft_correct=True),
                                            row("b", True, False, [], draft_correct=False),
                                            row("n", False, True, [])]}))
    lines = report([old, new])
    assert lines[0].endswith("draft right on 1/2 answerable; correctness 0.3333, ceiling 0.6667")
    assert lines[1].endswith("draft right on 1/2 answerable; correctness 0.6667, ceiling 0.6667")
    assert lines[2].endswith("1/2 answerable questions right in some run's draft or answer; never: b")


def test_the_ceiling_command_reads_a_conflict_draft_as_needing_every_figure(tmp_path: Path) -> None:
    import json

    from eval.ceiling import report

    run = tmp_path / "run.json"
    conflict = {"id": "c", "type": "conflict", "answerable": True, "correct": False, "accepted": ["2.15", "2.16"],
                "sentences": [{"claim": "It is $2.15bn."}]}
    run.write_text(json.dumps({"results": [conflict]}))
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"results": []}))
    lines = report([run, empty])
    assert lines[0].endswith("draft right on 0/1 answerable; correctness 0.0, ceiling 0.0")
    assert lines[1].endswith("0 questions; draft right on 0/0 answerable; correctness n/a, ceiling n/a")
    not_a_run = tmp_path / "other.json"
    not_a_run.write_text("[]")
    with pytest.raises(SystemExit, match="not a run"):
        report([not_a_run])


def _canned(outcome: object) -> object:
    class Canned:
        def ask(self, question: str, as_of: str | None = None) -> object:
            self.as_of = as_of
            return outcome

        def search(self, query: str, top_k: int, as_of: str | None = None) -> list[dict[str, object]]:
            return []

        def add(self, articles: object) -> None: ...

    return Canned()


def test_each_miss_says_where_its_answer_was_lost() -> None:
    from eval.datasets import Question
    from eval.runner import Outcome, score_question
    from rag.grounding import RuleJudge

    holding = {"article_id": "a", "title": "T", "published": "2026-01-20", "shown": None, "score": 0.9,
               "text": "The forum met in Davos, Switzerland."}
    other = {**holding, "text": "The forum met."}
    removed = {"text": "", "claim": "It met in Davos, Switzerland.", "verdict": "removed", "support": 0.0, "cited": [1],
               "reason": ""}
    wrong = {**removed, "claim": "It met in Paris."}
    q = Question("q", "Where did the forum meet this week?", "realtimeqa", True, ("Davos, Switzerland",), "words",
                 as_of="2026-01-22")
    cases = [([other], [], "not retrieved"), ([holding], [wrong], "not drafted"),
             ([holding], [removed], "removed by verification")]
    for passages, sentences, where in cases:
        outcome = Outcome("The articles do not say.", True, [], sentences, passages, {}, {})
        assert score_question(_canned(outcome), q, RuleJudge(), False).lost_at == where  # type: ignore[arg-type]


def test_a_question_of_its_own_date_is_asked_on_it_and_a_wrong_answer_is_counted() -> None:
    from eval.datasets import Question
    from eval.runner import Outcome, score_question
    from rag.grounding import RuleJudge

    service = _canned(Outcome("It met in Paris [1].", False, [], [], [], {}, {}))
    q = Question("q", "Where did the forum meet this week?", "realtimeqa", False, ("Davos",), "words",
                 as_of="2026-01-22")
    result = score_question(service, q, RuleJudge(), False, as_of="2030-01-01")  # type: ignore[arg-type]
    assert service.as_of == "2026-01-22" and result.wrong and not result.correct  # type: ignore[attr-defined]


def test_an_answer_about_the_present_from_another_year_is_stale() -> None:
    from eval.runner import Outcome, is_stale

    cited = [{"n": 1, "article_id": "a", "published": "2014-01-20", "text": "..."}]
    old = Outcome("It met in Davos [1].", False, cited, [], [], {}, {}, "2014-01-20", ["2026-01-13", "2026-01-22"],
                  True)
    assert is_stale(old)
    assert not is_stale(Outcome(**{**old.__dict__, "about_present": False}))
    assert not is_stale(Outcome(**{**old.__dict__, "citations": [{**cited[0], "published": "2026-01-21"}]}))


def test_frontier_answers_are_scored_like_ours() -> None:
    from eval.datasets import FrontierAnswer, Question
    from eval.frontier import frontier_scorecards

    questions = [Question("a", "Where?", "realtimeqa", True, ("Davos, Switzerland",), "words"),
                 Question("b", "Who?", "realtimeqa", False, ("Maine",), "words")]
    answers = [FrontierAnswer("m", "a", "Davos in Switzerland"), FrontierAnswer("m", "b", "Vermont"),
               FrontierAnswer("n", "a", "Paris"), FrontierAnswer("n", "b", "The articles do not say.")]
    cards = {c.model: c for c in frontier_scorecards(questions, answers)}
    assert (cards["m"].right, cards["m"].wrong, cards["m"].abstained_unanswerable) == (1, 1, 0)
    assert (cards["n"].right, cards["n"].wrong, cards["n"].abstained_unanswerable) == (0, 1, 1)


def test_realtimeqa_right_answers_hold_the_gold_or_every_content_word_of_it() -> None:
    from eval.metrics import contains_answer

    assert contains_answer("Davos, in Switzerland", ["Davos, Switzerland"], "words")
    assert not contains_answer("Davos", ["Davos, Switzerland"], "words")


def test_a_roman_numeral_in_capitals_is_the_number_and_a_single_letter_is_not() -> None:
    assert contains_answer("NASA delayed the Artemis 2 moon mission to March.", ["Artemis II"], "words")
    assert contains_answer("It was the last battle of World War II.", ["World War 2"])
    assert not contains_answer("I said it in Washington.", ["1 said"])
