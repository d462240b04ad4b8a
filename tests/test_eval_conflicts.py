"""The conflict cases: each copy differs from its article in exactly the swapped value; outcomes are scored."""

from eval.conflicts import outcome, swapped_copy, swaps
from eval.datasets import realtimeqa_articles
from rag.articles import read_path
from tests.conftest import SEED_DIR


def test_every_case_builds_a_copy_that_changes_only_its_answer() -> None:
    seed = [a for p in sorted(SEED_DIR.glob("*.txt")) for a in read_path(p)]
    archive = realtimeqa_articles()
    cases = swaps()
    assert len(cases) >= 40 and {c.kind for c in cases} == {"name", "place", "date", "figure"}
    for case in cases:
        copy = swapped_copy(case, archive if case.suite == "realtimeqa" else seed)
        original = next(a for a in (archive if case.suite == "realtimeqa" else seed)
                        if copy.article_id == f"{a.article_id}-other")
        assert case.new in copy.text and copy.text.replace(case.new, case.old) == original.text.replace(
            case.new, case.old), case.id


def test_an_answer_naming_both_sides_is_scored_both() -> None:
    case = next(c for c in swaps() if c.target.id == "s01")
    assert outcome("The sources disagree: [1] says Elysee Palace, while [2] says Matignon Palace.", False,
                   case) == "both"
    assert outcome("Macron hosted them at the Matignon Palace [2].", False, case) == "swapped only"
    assert outcome("The articles do not say.", True, case) == "abstained"
