"""`python -m eval checks`: what each verification check earns, measured by turning it off alone.

A run of `python -m eval run` records, for every sentence, the named checks that rejected it against a
passage or removed it (`vetoes`, `rag.verification.CHECK_NAMES`). Turning a check off can only change
the answers of questions where it fired, so only those are asked again, with that one check off, and
scored by the same code as the run. A check earns its keep when turning it off makes answers wrong (or
unanswerable questions answered) and costs it nothing; one that only loses right answers, on every
suite, should go.

Asking again regenerates the draft; llama.cpp at temperature 0 writes the same one for the same prompt,
and the report counts the questions whose draft still differed, so a change is not read into noise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eval.datasets import Question
from eval.runner import InProcessService, score_question
from rag.grounding import RuleJudge
from rag.pipeline import Pipeline
from rag.verification import CHECK_NAMES


@dataclass(frozen=True)
class Effect:
    """What turning one check off changed, over the questions where it fired."""

    check: str
    fired: int  # questions where it rejected some sentence
    right_gained: int  # answerable questions right only with the check off
    right_lost: int
    wrong_added: int  # answers not right (of any question) only with the check off
    wrong_removed: int
    abstained_lost: int  # unanswerable questions answered only with the check off
    drafts_differ: int  # questions whose draft was not the baseline's (noise, not the check)
    verify_seconds: float  # change in verification time, summed over the questions asked again


def fired_checks(result: dict[str, Any]) -> set[str]:
    """The checks that rejected any sentence of one saved result."""
    return {name for s in result.get("sentences", []) for name in s.get("vetoes", [])}


def with_check_off(pipeline: Pipeline, name: str) -> Pipeline:
    """`pipeline` with the named check off: a veto check leaves the judge, a sentence check the verifier."""
    verifier = pipeline.verifier
    judge = verifier.judge
    if hasattr(judge, "checks"):
        judge = replace(judge, checks=tuple(c for c in judge.checks if c.name != name))  # type: ignore[type-var]
    return replace(pipeline, verifier=replace(verifier, judge=judge, off=verifier.off | {name}))


def measure(pipeline: Pipeline, index: Callable[..., object], questions: Sequence[Question],
            baseline: Sequence[dict[str, Any]], names: Sequence[str] = CHECK_NAMES) -> list[Effect]:
    """One `Effect` per check in `names`, against the `baseline` results of `questions`."""
    if not any("vetoes" in s for r in baseline for s in r.get("sentences", [])) and any(
            r.get("sentences") for r in baseline):
        raise SystemExit("the baseline run records no vetoes: run `python -m eval run` again first")
    by_id = {r["id"]: r for r in baseline}
    asked = [q for q in questions if q.id in by_id]
    return [_effect(pipeline, index, name, [q for q in asked if name in fired_checks(by_id[q.id])], by_id)
            for name in names]


def _effect(pipeline: Pipeline, index: Callable[..., object], name: str, fired: Sequence[Question],
            by_id: dict[str, dict[str, Any]]) -> Effect:
    service = InProcessService(with_check_off(pipeline, name), index)  # type: ignore[arg-type]
    counts = dict.fromkeys(("right_gained", "right_lost", "wrong_added", "wrong_removed", "abstained_lost",
                            "drafts_differ"), 0)
    seconds = 0.0
    for q in fired:
        before = by_id[q.id]
        after = score_question(service, q, RuleJudge(), use_fact_rule=False)
        right = q.answerable and after.correct
        was_right = q.answerable and before["correct"]
        counts["right_gained"] += right and not was_right
        counts["right_lost"] += was_right and not right
        counts["wrong_added"] += after.wrong and not before["wrong"]
        counts["wrong_removed"] += before["wrong"] and not after.wrong
        counts["abstained_lost"] += not q.answerable and before["abstained"] and not after.abstained
        counts["drafts_differ"] += [s["claim"] for s in after.sentences] != [s["claim"] for s in before["sentences"]]
        seconds += after.timings.get("verify", 0.0) - before.get("timings", {}).get("verify", 0.0)
    return Effect(name, len(fired), verify_seconds=round(seconds, 2), **counts)


def table(effects: Sequence[Effect]) -> list[str]:
    lines = ["| check | fired on | right gained / lost | wrong added / removed | unanswerable answered | "
             "drafts differ | verify s |", "|---|---|---|---|---|---|---|"]
    for e in effects:
        lines.append(f"| `{e.check}` | {e.fired} | +{e.right_gained} / -{e.right_lost} | +{e.wrong_added} / "
                     f"-{e.wrong_removed} | {e.abstained_lost} | {e.drafts_differ} | {e.verify_seconds:+.1f} |")
    return lines


def run(pipeline: Pipeline, index: Callable[..., object], questions: Sequence[Question], baseline_path: Path,
        out: Path, names: Sequence[str] = CHECK_NAMES) -> list[str]:
    """Measure, write `out` (JSON) and return the table, turned-off check by check."""
    if not baseline_path.exists():
        raise SystemExit(f"no baseline run at {baseline_path}: run `python -m eval run` with the same suite first")
    baseline = json.loads(baseline_path.read_text())["results"]
    effects = measure(pipeline, index, questions, baseline, names)
    out.write_text(json.dumps({"baseline": str(baseline_path), "effects": [e.__dict__ for e in effects]}, indent=1))
    return table(effects)
