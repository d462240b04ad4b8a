"""`python -m eval run` (a question suite), `python -m eval judge` (the grounding judge alone),
`python -m eval retrieval` (the retrieval benchmark), `python -m eval ceiling` (saved runs: the model's
misses against the verifier's) and `python -m eval record` (a saved run into docs/results/, `eval.record`)."""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from eval.datasets import (
    Question,
    answer_pairs,
    fresh_questions,
    frontier_answers,
    heldout_questions,
    judge_pairs,
    multihop_corpus,
    multihop_questions,
    realtimeqa_articles,
    realtimeqa_questions,
    role_pairs,
    seed_articles,
    seed_questions,
)
from eval.frontier import Scorecard, frontier_scorecards, our_scorecard
from eval.judge_cache import CachedYesNo
from eval.metrics import JudgeMeasurement, measure_judge
from eval.record import (
    Record,
    command_line,
    conflict_figures,
    from_saved,
    provenance,
    reason_not_to_record,
    save,
)
from eval.report import JUDGE_FLOOR, one_line, scorecard_table, summarise, write_reports
from eval.runner import HttpService, InProcessService, QuestionResult, Service, indexed_services, run_questions
from rag.generation import Generator
from rag.grounding import Judge, ModelJudge, RuleJudge
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Article

RESULTS_DIR = PROJECT_ROOT / "eval" / "results"
# The CI gate: a fixed subset of the seed suite, and the floors it must reach (stated in docs/evaluation.md).
# They are regression floors set just under what the default model measured here
# (docs/evaluation.md), not the product's targets, which it does not reach yet.
CI_SUBSET = ("s01", "s06", "s10", "s16", "s21", "s37", "s40", "s44", "s46", "s50", "s55", "s60")
# RealTimeQA's CI questions: answerable and unanswerable ones, of several weeks and kinds of time words.
REALTIMEQA_CI_SUBSET = ("20260123_0", "20260123_2", "20260130_1", "20260213_3", "20260220_0", "20260227_4",
                        "20260306_2", "20260320_1")
# Regression floors for RealTimeQA's CI subset, set under what the default model measured on it
# (docs/evaluation.md); a stale answer about the present fails it too.
REALTIMEQA_GATE = {"correctness": 0.5, "abstention_recall": 0.5}
GATE = {"correctness": 0.5, "citation_precision": 0.9, "citation_recall": 0.9, "abstention_recall": 0.75,
        "judge_balanced_accuracy": JUDGE_FLOOR}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Grounding evaluation suite.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ask a question suite and score the answers")
    run.add_argument("--suite", choices=("seed", "multihop", "realtimeqa"), default="seed",
                     help="realtimeqa: the 714-article news archive, each question asked on its own date")
    run.add_argument("--subset", choices=("all", "ci", "heldout", "fresh"), default="all",
                     help="seed: ci, the fixed CI subset; heldout, the questions no threshold was tuned on; "
                          "fresh, a second held-out set no check was shaped by; realtimeqa: ci, its CI subset")
    run.add_argument("--sample", type=int, default=None, help="multihop: a fixed random sample of this size")
    run.add_argument("--url", help="evaluate a running server instead of the library in-process")
    run.add_argument("--judge", choices=("rules", "model"), default="model", help="judge for citation metrics")
    run.add_argument("--out", type=Path, default=RESULTS_DIR)
    run.add_argument("--gate", action="store_true", help="exit 1 when a metric is below the CI gate")
    run.add_argument("--no-record", action="store_true", help="leave docs/results/ as it is")
    judge_cmd = commands.add_parser("judge", help="measure the grounding judge on the labelled pairs "
                                                  "(written ones and real answers)")
    judge_cmd.add_argument("--judge", choices=("rules", "model"), default="model")
    judge_cmd.add_argument("--no-record", action="store_true", help="leave docs/results/ as it is")
    retrieval = commands.add_parser("retrieval", help="retrieval benchmark: dense, BM25, hybrid, rerank")
    retrieval.add_argument("--suite", choices=("seed", "multihop", "both", "realtimeqa"), default="both",
                           help="realtimeqa: the archive through the service's own dated search (its own table)")
    retrieval.add_argument("--embed-model", help="embedder to measure (default: RAG_EMBED_MODEL)")
    retrieval.add_argument("--no-doc", action="store_true", help="print the table only; leave docs/benchmarks.md")
    retrieval.add_argument("--scale", type=int, nargs="+", metavar="CHUNKS",
                           help="instead: latency as the index grows to each size (generated filler chunks)")
    injection = commands.add_parser("injection", help="the injection detector on its labelled passages: "
                                                      "precision, recall, and the answers it costs")
    injection.add_argument("--fit", action="store_true", help="first fit it on the development split "
                                                              "(writes rag/data/injection_detector.json)")
    followups = commands.add_parser("followups", help="follow-up questions made standalone, each way, on the "
                                                      "labelled conversations: gold retrieved, answers right")
    followups.add_argument("--answers", action="store_true", help="also answer each rewrite (minutes per way)")
    followups.add_argument("--rewriters", nargs="+", choices=("asked", "rules", "model", "target"),
                           default=["asked", "rules", "model", "target"])
    followups.add_argument("--out", type=Path, default=RESULTS_DIR)
    conflicts = commands.add_parser("conflicts", help="sources that disagree (an article's copy with its answer "
                                                      "swapped): does the answer name both sides?")
    conflicts.add_argument("--out", type=Path, default=RESULTS_DIR)
    checks = commands.add_parser("checks", help="each verification check turned off alone, on the questions "
                                                "where a saved run says it fired: answers gained and lost")
    checks.add_argument("--suite", choices=("seed", "multihop", "realtimeqa"), default="seed")
    checks.add_argument("--subset", choices=("all", "ci", "heldout", "fresh"), default="all")
    checks.add_argument("--sample", type=int, default=None, help="multihop: the sample the baseline ran on")
    checks.add_argument("--baseline", type=Path, help="the run to compare with (default: the suite's saved run)")
    checks.add_argument("--only", nargs="+", metavar="CHECK", help="measure only these checks")
    checks.add_argument("--out", type=Path, default=RESULTS_DIR)
    conflicts.add_argument("--no-record", action="store_true", help="leave docs/results/ as it is")
    record = commands.add_parser("record", help="re-record saved runs into docs/results/ (then run "
                                                "python -m tools.docs)")
    record.add_argument("runs", type=Path, nargs="+", help="eval/results/<suite>.json or conflicts.json")
    ceiling = commands.add_parser("ceiling", help="saved runs: answers the model never drafted against "
                                                  "answers verification removed")
    ceiling.add_argument("runs", type=Path, nargs="+", help="result files written by `run`")
    args = parser.parse_args(argv)
    args.command_line = command_line("eval", sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "retrieval":
        from eval import retrieval as benchmark

        if args.scale:
            benchmark.run_scale(args.scale, RESULTS_DIR, write_doc=not args.no_doc)
            return 0
        if args.suite == "realtimeqa":
            from eval.archive_retrieval import run as archive_retrieval

            print("\n".join(archive_retrieval(RESULTS_DIR, args.embed_model)))
            return 0
        suites = ("seed", "multihop") if args.suite == "both" else (args.suite,)
        benchmark.run(suites, RESULTS_DIR, args.embed_model, write_doc=not args.no_doc)
        return 0
    if args.command == "injection":
        from eval.injection import run as measure_injection
        from rag.services import load_embedder

        print("\n".join(measure_injection(load_embedder(Settings.from_env()), fit=args.fit)))
        return 0
    if args.command == "followups":
        from eval.followups import run as measure_followups

        print("\n".join(measure_followups(args.out, args.answers, args.rewriters)))
        return 0
    if args.command == "conflicts":
        from eval.conflicts import run as measure_conflicts

        started = provenance(args.command_line)
        print("\n".join(measure_conflicts(args.out)))
        if not args.no_record:
            rows = json.loads((args.out / "conflicts.json").read_text())
            _record(Record("conflicts", conflict_figures(rows), **started), reason_not_to_record(_settings_snapshot()))
        return 0
    if args.command == "checks":
        return _checks(args)
    if args.command == "record":
        return _record_saved(args.runs)
    if args.command == "ceiling":
        from eval.ceiling import report

        print("\n".join(report(args.runs)))
        return 0
    if args.command == "judge":
        started = provenance(args.command_line)
        judge, cache = _judge(args.judge, None)
        measured = {name: asdict(measure_judge(judge, pairs))
                    for name, pairs in (("written pairs", judge_pairs()), ("answer pairs", answer_pairs()),
                                        ("role pairs", role_pairs()))}
        for name, figures in measured.items():
            print(name, figures)
        if cache:
            cache.save()
        if not args.no_record:
            _record(Record("judge", measured, **started),
                    reason_not_to_record(_settings_snapshot(), judge=args.judge))
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    started = provenance(args.command_line)  # the commit the run began at
    questions, corpus = _suite(args)
    service, generator = _service(args, corpus)
    judge, cache = _judge(args.judge, generator)
    measured = measure_judge(judge, judge_pairs())
    results = run_questions(service, questions, judge, use_fact_rule=args.suite == "multihop",
                            progress=lambda qs: tqdm(list(qs), desc=args.suite, unit="question", disable=None),
                            as_of=suite_day(corpus))
    if cache:
        cache.save()
    summary = summarise(results, measured)
    name = f"multihop-{args.sample or 'all'}" if args.suite == "multihop" else f"{args.suite}-{args.subset}"
    beside = _beside(args.suite, questions, results)
    settings = {"url": args.url, "judge": judge.name, **_settings_snapshot()}
    json_path, html_path = write_reports(args.out, name, summary, results, settings, beside,
                                         started)
    print(one_line(name, summary))
    if beside:
        print(scorecard_table(beside))
    print(f"report: {html_path}  results: {json_path}")
    if not args.no_record:
        reason = reason_not_to_record(settings, args.gate, args.judge)
        _record(None if reason else from_saved(json_path), reason)
    return _gate(summary, measured, args.suite) if args.gate else 0


def _checks(args: argparse.Namespace) -> int:
    from eval.checks import run as measure_checks
    from rag.services import checks_off
    from rag.verification import CHECK_NAMES

    names = sorted(checks_off(",".join(args.only))) if args.only else list(CHECK_NAMES)
    questions, corpus = _suite(args)
    name = f"multihop-{args.sample or 'all'}" if args.suite == "multihop" else f"{args.suite}-{args.subset}"
    services = indexed_services(args.suite, corpus, args.out)
    lines = measure_checks(services.pipeline, services.indexer.index, questions,
                           args.baseline or args.out / f"{name}.json", args.out / f"checks-{name}.json", names)
    print("\n".join(lines))
    return 0


def suite_day(corpus: Sequence[Article]) -> str | None:
    """The day a suite's undated questions are asked on: its newest article's, so a rerun on another day
    scores the same (questions of their own date, RealTimeQA's, keep it)."""
    return max((a.published for a in corpus if a.published), default=None)


def _beside(suite: str, questions: Sequence[Question], results: Sequence[QuestionResult]) -> list[Scorecard]:
    """Our scorecard beside the frontier models', for RealTimeQA (the same questions, scored alike)."""
    if suite != "realtimeqa":
        return []
    asked = {q.id for q in questions}
    answers = [a for a in frontier_answers() if a.question_id in asked]
    return sorted([our_scorecard(results), *frontier_scorecards(questions, answers)], key=lambda c: (-c.right, c.wrong))


def ci_archive(articles: Sequence[Article], since: str = "2025-12-01", older: int = 150) -> list[Article]:
    """The CI subset's archive, a third of the whole so CI indexes it in minutes: every article published
    since `since` (the questions' weeks) and a fixed sample of `older` others, the years-old distractors
    that "this week" must not be answered from."""
    recent = [a for a in articles if (a.published or "") >= since]
    rest = sorted((a for a in articles if (a.published or "") < since), key=lambda a: a.article_id)
    return recent + random.Random(3).sample(rest, min(older, len(rest)))


def _suite(args: argparse.Namespace) -> tuple[list[Question], list[Article]]:
    if args.suite == "multihop":
        return multihop_questions(sample=args.sample), multihop_corpus()
    if args.suite == "realtimeqa":
        questions = realtimeqa_questions()
        if args.subset == "ci":
            questions = [q for q in questions if q.id in REALTIMEQA_CI_SUBSET]
            return questions, ci_archive(realtimeqa_articles())
        return questions, realtimeqa_articles()
    questions = {"heldout": heldout_questions, "fresh": fresh_questions}.get(args.subset, seed_questions)()
    if args.subset == "ci":
        questions = [q for q in questions if q.id in CI_SUBSET]
    return questions, seed_articles(Settings.from_env().articles_dir)


def _service(args: argparse.Namespace, corpus: list[Article]) -> tuple[Service, Generator | None]:
    """The service under test, with the suite's corpus indexed (an upsert: unchanged articles are skipped)."""
    if args.url:
        service: Service = HttpService(args.url)
        service.add(corpus)
        return service, None
    services = indexed_services(args.suite, corpus, args.out)
    return InProcessService(services.pipeline, services.indexer.index), services.pipeline.generator


def _judge(kind: str, generator: Generator | None) -> tuple[Judge, CachedYesNo | None]:
    """The judge for citation metrics; the model's yes/no answers are cached under eval/results/."""
    if kind == "rules":
        return RuleJudge(), None
    if generator is None:
        from rag.services import load_generator

        generator = load_generator(Settings.from_env())
    cache = CachedYesNo(generator, RESULTS_DIR / f"yes-no-cache-{generator.name}.json")
    return ModelJudge(cache), cache


def _gate(summary: dict[str, object], judge: JudgeMeasurement, suite: str = "seed") -> int:
    values = {**summary, "judge_balanced_accuracy": judge.balanced_accuracy}
    failed = [f"{summary['errors']} questions failed with an error"] if summary["errors"] else []
    floors = REALTIMEQA_GATE if suite == "realtimeqa" else GATE
    failed += [f"{name} {values.get(name)} < {floor}" for name, floor in floors.items()
               if values.get(name) is None or float(values[name]) < floor]  # type: ignore[arg-type]
    if suite == "realtimeqa" and summary["stale_answers"]:
        failed.append(f"{summary['stale_answers']} answers about the present cite only articles from outside "
                      "the question's window")
    for failure in failed:
        print(f"gate failed: {failure}", file=sys.stderr)
    return 1 if failed else 0


def _record(record: Record | None, reason: str | None) -> None:
    """Save `record` in docs/results/ unless `reason` says the run does not record."""
    if reason or record is None:
        print(f"not recorded in docs/results/: {reason}")
        return
    print(f"recorded {save(record).relative_to(PROJECT_ROOT)}; python -m tools.docs writes it into the docs")


def _record_saved(runs: Sequence[Path]) -> int:
    failed = 0
    for path in runs:
        try:
            _record(from_saved(path), None)
        except ValueError as refused:
            print(refused, file=sys.stderr)
            failed = 1
    return failed


def _settings_snapshot() -> dict[str, object]:
    return {k: str(v) for k, v in asdict(Settings.from_env()).items()}
