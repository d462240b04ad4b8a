"""Summarise a run, and write it as JSON and as an HTML report with plots."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from eval.metrics import JudgeMeasurement, percentile
from eval.runner import QuestionResult

JUDGE_FLOOR = 0.8  # a run whose judge scores below this is flagged: its citation metrics are not trustworthy


def summarise(results: Sequence[QuestionResult], judge: JudgeMeasurement) -> dict[str, Any]:
    """Every headline metric of a run (definitions: eval/metrics.py and docs/evaluation.md)."""
    answered = [r for r in results if not r.error]
    answerable = [r for r in answered if r.answerable]
    unanswerable = [r for r in answered if not r.answerable]
    abstained = [r for r in answered if r.abstained]
    sentences = sum(r.answer_sentences for r in answered)
    citations = sum(r.citation_count for r in answered)
    ranks = [r.gold_rank for r in answerable]
    summary: dict[str, Any] = {
        "questions": len(results), "errors": len(results) - len(answered),
        # A question that errored counts as answered wrongly: a crash must not improve the score.
        "correctness": _ratio(sum(r.correct for r in answered), len(results)),
        "correctness_answerable": _ratio(sum(r.correct for r in answerable), len(answerable)),
        "citation_recall": _ratio(sum(r.recalled for r in answered), sentences),
        "citation_precision": _ratio(sum(r.precise for r in answered), citations),
        "faithfulness": _ratio(sum(r.faithful for r in answered), sentences),
        "gold_evidence_cited": _ratio(sum(r.gold_cited for r in answered), sum(r.answer_bearing for r in answered)),
        "abstention_precision": _ratio(sum(not r.answerable for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r.abstained for r in unanswerable), len(unanswerable)),
        "sentences_removed": sum(s["verdict"] == "removed" for r in answered for s in r.sentences),
        "sentences_repaired": sum(s["verdict"] == "repaired" for r in answered for s in r.sentences),
        "sentences_quoted": sum(s["verdict"] == "quoted" for r in answered for s in r.sentences),
        "hits@4": _ratio(sum(1 for k in ranks if k and k <= 4), len(ranks)),
        "hits@10": _ratio(sum(1 for k in ranks if k and k <= 10), len(ranks)),
        "mrr@10": round(sum(1 / k for k in ranks if k) / len(ranks), 4) if ranks else None,
        "latency": _latency(answered),
        "tokens": {"prompt_p50": percentile([r.usage.get("prompt_tokens", 0) for r in answered], 50),
                   "completion_p50": percentile([r.usage.get("completion_tokens", 0) for r in answered], 50)},
        "judge": asdict(judge), "judge_flagged": judge.balanced_accuracy < JUDGE_FLOOR,
    } | ceiling(results) | archive_counts(results)
    return summary


def ceiling(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """How far verification, and how far the model, stand between the run and a perfect score.

    `draft_correct_answerable`: the share of answerable questions whose draft (the sentences the model
    wrote, before verification: `eval.metrics.draft_holds_answer`) holds an accepted answer.
    `lost_in_verification`: the answerable questions whose draft held one and whose returned answer does
    not (removed, or replaced by a quote without it).
    `ceiling_correctness` is the correctness a perfect verifier would reach on these drafts: every
    answerable question the draft or the answer got right, and an abstention on every unanswerable one.
    A draft holding the answer is not proof it was true ("31 delegations took part" holds "31" either way),
    so the ceiling is an upper bound; what it leaves out was lost before verification, by the model or by
    retrieval. A question that errored counts as wrong, as in `correctness`."""
    answered = [r for r in results if not r.error]
    answerable = [r for r in answered if r.answerable]
    right = [r for r in answerable if r.correct or r.draft_correct]
    unanswerable = len(answered) - len(answerable)
    return {
        "draft_correct_answerable": _ratio(sum(r.draft_correct for r in answerable), len(answerable)),
        "lost_in_verification": [r.id for r in answerable if r.draft_correct and not r.correct],
        "ceiling_correctness": _ratio(len(right) + unanswerable, len(results)),
    }


def archive_counts(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The counts the real-archive targets are stated in: right answers of the answerable questions,
    wrong answers (answered without an accepted answer; an errored question counts) of all questions,
    abstentions on the unanswerable ones, where each answerable miss was lost (`eval.runner.lost_at`),
    answers about the present resting only on articles from outside the question's window, and how
    often the cited text itself holds the gold answer."""
    answerable = [r for r in results if r.answerable]
    answered = [r for r in answerable if not r.error and not r.abstained]
    lost: dict[str, int] = {}
    for r in answerable:
        if not r.correct:
            key = r.lost_at or ("error" if r.error else "other")
            lost[key] = lost.get(key, 0) + 1
    return {
        "right": sum(r.correct for r in answerable), "answerable": len(answerable),
        "wrong": sum(r.wrong or bool(r.error) for r in results),
        "abstained_unanswerable": sum(r.abstained for r in results if not r.answerable and not r.error),
        "unanswerable": len(results) - len(answerable),
        "lost": lost,
        "stale_answers": sum(r.stale for r in results),
        "gold_in_cited_text": _ratio(sum(_cited_holds_answer(r) for r in answered), len(answered)),
    }


def _cited_holds_answer(r: QuestionResult) -> bool:
    from eval.metrics import contains_answer

    return contains_answer(" ".join(c["text"] for c in r.citations), r.accepted, r.match)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _latency(results: Sequence[QuestionResult]) -> dict[str, dict[str, float]]:
    stages = sorted({stage for r in results for stage in r.timings})
    return {stage: {"p50": round(percentile([r.timings[stage] for r in results if stage in r.timings], 50), 3),
                    "p95": round(percentile([r.timings[stage] for r in results if stage in r.timings], 95), 3)}
            for stage in stages}


def one_line(suite: str, summary: dict[str, Any]) -> str:
    flag = " JUDGE-FLAGGED" if summary["judge_flagged"] else ""
    return (f"{suite}: {summary['questions']} questions, correctness {summary['correctness']}, "
            f"citation precision {summary['citation_precision']}, recall {summary['citation_recall']}, "
            f"gold evidence cited {summary.get('gold_evidence_cited')}, "
            f"abstention P/R {summary['abstention_precision']}/{summary['abstention_recall']}, "
            f"hits@4 {summary['hits@4']}, MRR@10 {summary['mrr@10']}, "
            f"total p50 {summary['latency'].get('total', {}).get('p50')} s, "
            f"ceiling {summary['ceiling_correctness']}, "
            f"right {summary['right']}/{summary['answerable']}, wrong {summary['wrong']}/{summary['questions']}, "
            f"abstained {summary['abstained_unanswerable']}/{summary['unanswerable']} unanswerable, "
            f"lost {summary['lost']}, stale {summary['stale_answers']}, "
            f"judge balanced accuracy {summary['judge']['balanced_accuracy']}{flag}")


def write_reports(out_dir: Path, suite: str, summary: dict[str, Any], results: Sequence[QuestionResult],
                  settings: dict[str, Any], beside: Sequence[Any] = (),
                  provenance: dict[str, str] | None = None) -> tuple[Path, Path]:
    """The run as JSON and HTML; `beside`: scorecards of other systems on the same questions
    (`eval.frontier.Scorecard`), shown in a table with this run's; `provenance`: its date, commit and
    command (`eval.record.provenance`), kept so the run can be re-recorded later."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / f"{suite}.json", out_dir / f"{suite}.html"
    json_path.write_text(json.dumps({"suite": suite, "summary": summary, "settings": settings,
                                     **({"provenance": provenance} if provenance else {}),
                                     "beside": [asdict(c) for c in beside],
                                     "results": [asdict(r) for r in results]}, indent=1, ensure_ascii=False))
    html_path.write_text(_html(suite, summary, results, beside))
    return json_path, html_path


def scorecard_table(beside: Sequence[Any]) -> str:
    """Scorecards as a Markdown-style table (for the docs and the terminal)."""
    lines = ["| system | right (answerable) | wrong (all) | abstained (unanswerable) |", "|---|---|---|---|"]
    lines += [f"| {c.model} | {c.right}/{c.answerable} | {c.wrong}/{c.questions} | "
              f"{c.abstained_unanswerable}/{c.unanswerable} |" for c in beside]
    return "\n".join(lines)


def _beside_html(beside: Sequence[Any]) -> str:
    if not beside:
        return ""
    rows = "".join(f"<tr><td>{html.escape(c.model)}</td><td>{c.right}/{c.answerable}</td><td>{c.wrong}/{c.questions}"
                   f"</td><td>{c.abstained_unanswerable}/{c.unanswerable}</td></tr>" for c in beside)
    return ("<h2>Beside other systems (same questions, same scoring)</h2><table><tr><th>system</th>"
            "<th>right (answerable)</th><th>wrong (all)</th><th>abstained (unanswerable)</th></tr>"
            f"{rows}</table>")


def _html(suite: str, summary: dict[str, Any], results: Sequence[QuestionResult], beside: Sequence[Any] = ()) -> str:
    rows = "\n".join(_row(r) for r in results)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Eval: {suite}</title>
<style>body{{font:14px sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:4px;vertical-align:top}}.bad{{background:#fdd}}.ok{{background:#dfd}}small{{color:#555}}</style></head>
<body><h1>{html.escape(one_line(suite, summary))}</h1>
<img alt="metrics" src="data:image/png;base64,{_metric_plot(summary)}">
<img alt="latency" src="data:image/png;base64,{_latency_plot(results)}">
{_beside_html(beside)}
<pre>{html.escape(json.dumps(summary, indent=1))}</pre>
<table><tr><th>id</th><th>type</th><th>question</th><th>answer</th><th>verdicts</th><th>citations</th>
<th>gold rank</th><th>total s</th></tr>{rows}</table></body></html>"""


def _row(r: QuestionResult) -> str:
    verdicts = "<br>".join(f"{s['verdict']} {s['cited']} {s['support']:.2f}: {html.escape(s['claim'])}"
                           + (f" <small>({html.escape(s['reason'])})</small>" if s.get("reason") else "")
                           for s in r.sentences)
    cites = "<br>".join(f"[{c['n']}] {html.escape(c['article_id'])}: {html.escape(c['text'][:160])}…"
                        for c in r.citations)
    answer = html.escape(r.error or r.answer) + (" <b>(abstained)</b>" if r.abstained else "")
    if r.lost_at:
        answer += f" <small>(lost: {html.escape(r.lost_at)})</small>"
    if r.stale:
        answer += " <small>(stale: cites only articles from outside the question's window)</small>"
    return (f"<tr class={'ok' if r.correct else 'bad'}><td>{r.id}</td><td>{r.type}</td>"
            f"<td>{html.escape(r.question)}<br><small>accepted: {html.escape(', '.join(r.accepted))}; "
            f"as of {r.as_of}, window {r.time_window}, evidence {r.evidence_date}</small></td>"
            f"<td>{answer}</td><td>{verdicts}</td><td>{cites}</td><td>{r.gold_rank}</td>"
            f"<td>{r.timings.get('total', 0):.1f}</td></tr>")


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _metric_plot(summary: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["correctness", "citation_precision", "citation_recall", "gold_evidence_cited", "faithfulness",
             "abstention_precision", "abstention_recall", "hits@4", "hits@10", "mrr@10"]
    values = [summary[n] or 0 for n in names]
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh(names, values, color="#4a7")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    return _png(fig)


def _latency_plot(results: Sequence[QuestionResult]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    stages = ["retrieve", "first_token", "generate", "verify", "total"]
    ax.boxplot([[r.timings.get(s, 0.0) for r in results if s in r.timings] or [0.0] for s in stages],
               tick_labels=stages)
    ax.set_ylabel("seconds")
    return _png(fig)
