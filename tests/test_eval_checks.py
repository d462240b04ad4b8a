"""`python -m eval checks`: a check turned off alone changes exactly the answers where it fired."""

from pathlib import Path

from eval.checks import fired_checks, measure, with_check_off
from eval.datasets import Question
from eval.runner import InProcessService, score_question
from rag.fakes import HashingEmbedder, ScriptedGenerator
from rag.grounding import RuleJudge
from rag.services import Services, build_services
from rag.settings import Settings
from rag.types import Article

LAYOFFS = Question("q1", "Which company is laying off 16,000 employees?", "news", True, ("Amazon",))
UNRELATED = Question("q2", "Where did the summit take place?", "news", False, ())


def _services(tmp_path: Path) -> Services:
    settings = Settings(index_dir=tmp_path / "index", collection="test-checks", embed_model="fake-hashing",
                        min_relevance=0.0, judge="rules")
    def reply(messages: object) -> str:
        return ("Amazon is laying off 16,000 employees [1]." if "16,000 employees" in str(messages)
                else "The summit took place in Geneva [1].")

    services = build_services(settings, HashingEmbedder(), ScriptedGenerator(reply))
    services.indexer.index(Article("a1", "Amazon cuts jobs", "Amazon will cut 16,000 jobs, the company said.",
                                   "2026-01-28"))
    return services


def test_the_sentences_of_a_run_name_the_checks_that_fired(tmp_path: Path) -> None:
    services = _services(tmp_path)
    result = score_question(InProcessService(services.pipeline, services.indexer.index), LAYOFFS, RuleJudge(), False)
    assert not result.correct and fired_checks({"sentences": result.sentences}) == {"counted-thing"}
    off = InProcessService(with_check_off(services.pipeline, "counted-thing"), services.indexer.index)
    assert score_question(off, LAYOFFS, RuleJudge(), False).correct


def test_only_the_check_that_fired_is_measured_as_changing_an_answer(tmp_path: Path) -> None:
    services = _services(tmp_path)
    service = InProcessService(services.pipeline, services.indexer.index)
    baseline = [score_question(service, q, RuleJudge(), False).__dict__ for q in (LAYOFFS, UNRELATED)]
    effects = {e.check: e for e in measure(services.pipeline, services.indexer.index, [LAYOFFS, UNRELATED], baseline,
                                           ["counted-thing", "speaker"])}
    assert (effects["counted-thing"].fired, effects["counted-thing"].right_gained) == (1, 1)
    assert effects["counted-thing"].drafts_differ == 0
    assert (effects["speaker"].fired, effects["speaker"].right_gained) == (0, 0)
    assert fired_checks(baseline[1]) == {"facts"}  # the invented place
