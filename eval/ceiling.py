"""`python -m eval ceiling RUN.json ...`: how much of what saved runs missed was the model's, not the verifier's.

For each run: the share of answerable questions whose draft (every sentence the model wrote, before
verification) held an accepted answer, and the correctness a perfect verifier would have reached on those
drafts (`eval.report.summarise` reports the same for every new run). Across the runs together: the answerable
questions that no run's draft or answer ever got right, whatever its settings. Runs saved before the draft
was recorded are recomputed from their sentences.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.datasets import Question, fresh_questions, heldout_questions, seed_questions
from eval.metrics import contains_answer


def report(paths: Sequence[Path]) -> list[str]:
    """One line per run, then one for all of them together."""
    matches = {q.id: q.match for q in _hand_written()}
    lines, right_somewhere, answerable_ids = [], set(), set()
    for path in paths:
        rows = json.loads(path.read_text())["results"]
        answerable = [r for r in rows if r["answerable"]]
        right = {r["id"] for r in answerable if r["correct"] or _draft_right(r, matches.get(r["id"], "any"))}
        drafted = sum(_draft_right(r, matches.get(r["id"], "any")) for r in answerable)
        ceiling = (len(right) + len(rows) - len(answerable)) / len(rows)
        actual = sum(r["correct"] for r in rows) / len(rows)
        lines.append(f"{path}: {len(rows)} questions; draft right on {drafted}/{len(answerable)} answerable; "
                     f"correctness {actual:.3f}, ceiling {ceiling:.3f}")
        right_somewhere |= right
        answerable_ids |= {r["id"] for r in answerable}
    never = sorted(answerable_ids - right_somewhere)
    lines.append(f"all {len(paths)} runs: {len(right_somewhere)}/{len(answerable_ids)} answerable questions right "
                 f"in some run's draft or answer; never: {', '.join(never) or 'none'}")
    return lines


def _draft_right(row: dict[str, Any], match: str) -> bool:
    if "draft_correct" in row:
        return bool(row["draft_correct"])
    draft = " ".join(s["claim"] for s in row["sentences"])
    return bool(row["answerable"]) and contains_answer(draft, row["accepted"], match)


def _hand_written() -> list[Question]:
    return seed_questions() + heldout_questions() + fresh_questions()
