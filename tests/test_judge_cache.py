from collections.abc import Sequence
from pathlib import Path

from eval.judge_cache import CachedYesNo
from rag.generation import Message

MESSAGES: list[Message] = [{"role": "user", "content": "Passage:\nItaly will not send troops.\n\n"
                                                       "Statement: Italy will send troops.\n\n"}]


class Counting:
    """A judge model giving a fixed P(yes), counting how often it is asked."""

    name = "counting"

    def __init__(self, p_yes: float, numerics: str = "") -> None:
        self.p_yes, self.numerics, self.asked = p_yes, numerics, 0

    def yes_probability(self, messages: Sequence[Message], reusable: str = "") -> float:
        self.asked += 1
        return self.p_yes


def test_a_judge_computing_p_yes_differently_does_not_read_the_others_answers(tmp_path: Path) -> None:
    default = CachedYesNo(Counting(0.9), tmp_path / "cache.json")  # type: ignore[arg-type]
    assert default.yes_probability(MESSAGES) == 0.9
    default.save()
    flash = Counting(0.7, numerics="flash attention")
    assert CachedYesNo(flash, tmp_path / "cache.json").yes_probability(MESSAGES) == 0.7  # type: ignore[arg-type]
    again = Counting(0.5)
    assert CachedYesNo(again, tmp_path / "cache.json").yes_probability(MESSAGES) == 0.9  # type: ignore[arg-type]
    assert (flash.asked, again.asked) == (1, 0)
