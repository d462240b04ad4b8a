"""`python -m eval ceiling RUN.json ...`: how much of what saved runs missed was lost in verification.

For each run, the figures `eval.report.ceiling` adds to every new run's summary: the answerable questions
whose draft (the sentences the model wrote, before verification) held an accepted answer, and the
correctness a perfect verifier would have reached on those drafts. Across the runs together: the
answerable questions that no run's draft or answer ever got right, whatever its settings. Runs saved
before the draft was recorded are recomputed from their sentences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.metrics import draft_holds_answer
from eval.report import ceiling
from eval.runner import QuestionResult


def report(paths: Sequence[Path]) -> list[str]:
    """One line per run, then one for all of them together."""
    lines: list[str] = []
    right_somewhere: set[str] = set()
    answerable_ids: set[str] = set()
    for path in paths:
        results = [_result(row) for row in _rows(path)]
        answerable = [r for r in results if r.answerable and not r.error]
        figures = ceiling(results)
        correct = round(sum(r.correct for r in results) / len(results), 4) if results else "n/a"
        bound = "n/a" if figures["ceiling_correctness"] is None else figures["ceiling_correctness"]
        lines.append(f"{path}: {len(results)} questions; draft right on {sum(r.draft_correct for r in answerable)}/"
                     f"{len(answerable)} answerable; correctness {correct}, ceiling {bound}")
        right_somewhere |= {r.id for r in answerable if r.correct or r.draft_correct}
        answerable_ids |= {r.id for r in answerable}
    never = sorted(answerable_ids - right_somewhere, key=_natural)
    lines.append(f"all {len(paths)} runs: {len(right_somewhere)}/{len(answerable_ids)} answerable questions right "
                 f"in some run's draft or answer; never: {', '.join(never) or 'none'}")
    return lines


def _rows(path: Path) -> list[dict[str, Any]]:
    saved = json.loads(path.read_text())
    if not isinstance(saved, dict) or "results" not in saved:
        raise SystemExit(f"{path} is not a run written by `python -m eval run` (no \"results\")")
    return list(saved["results"])


def _result(row: dict[str, Any]) -> QuestionResult:
    result = QuestionResult(row["id"], row.get("type", ""), row.get("question", ""), row["answerable"],
                            list(row["accepted"]), correct=row["correct"], error=row.get("error", ""))
    if "draft_correct" in row:
        result.draft_correct = bool(row["draft_correct"])
    else:  # conflict questions need every figure, as in eval.datasets
        match = "all" if result.type == "conflict" else "any"
        result.draft_correct = result.answerable and draft_holds_answer([s["claim"] for s in row["sentences"]],
                                                                        result.accepted, match)
    return result


def _natural(question_id: str) -> list[Any]:
    """'mh19' before 'mh187'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", question_id)]
