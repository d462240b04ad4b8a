"""The docs' result tables, rendered from the results store (`docs/results/<name>.json`, `eval.record`).

A page marks each generated table `<!-- results:NAME -->` … `<!-- /results:NAME -->`; `render` replaces
what lies between with `BLOCKS[NAME]`'s table and the line saying when, at which commit and with which
command its figures were measured. Everything outside the markers is prose, left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.record import STORE, UNKNOWN, Record, load
from rag.settings import PROJECT_ROOT

PAGES = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "docs" / "evaluation.md", PROJECT_ROOT / "docs" / "benchmarks.md")
BLOCK = re.compile(r"(<!-- results:([\w-]+) -->\n)(.*?)(<!-- /results:\2 -->)", re.DOTALL)
Records = Mapping[str, Record]
Rendered = tuple[list[str], list[Record]]  # the table's lines, and the records its figures come from


def fixed(value: float | None, places: int = 3) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def at(record: Record) -> str:
    return "an unrecorded commit" if record.commit == UNKNOWN else f"`{record.commit}`"


def measured(used: Sequence[Record]) -> str:
    """"Measured <date> at <commit> with `<command>`", the records of one day and commit together."""
    groups: dict[tuple[str, str], list[str]] = {}
    for record in used:
        groups.setdefault((record.date, at(record)), []).append(f"`{record.command}`")
    return "Measured " + "; ".join(f"{date} at {commit} with {', '.join(commands)}"
                                   for (date, commit), commands in groups.items()) + "."


def _needed(records: Records, *names: str) -> list[Record]:
    missing = [n for n in names if n not in records]
    if missing:
        raise KeyError(f"no record in docs/results/ for {missing}: run the command that writes it")
    return [records[n] for n in names]


def suites(records: Records) -> Rendered:
    """Seed, held out, fresh (and MultiHop-RAG once recorded): correctness, abstention, evidence, ceiling."""
    labels = {"seed-all": "seed", "seed-heldout": "held out", "seed-fresh": "fresh", "multihop-100": "MultiHop-RAG"}
    used = _needed(records, "seed-all", "seed-heldout", "seed-fresh") + (
        [records["multihop-100"]] if "multihop-100" in records else [])
    lines = ["| suite | correctness (answerable) | abstention precision / recall | gold evidence cited | ceiling |",
             "|---|---|---|---|---|"]
    for r in used:
        f = r.figures
        lines.append(f"| {labels[r.name]}, {f['questions']} | {fixed(f['correctness'])} "
                     f"({fixed(f['correctness_answerable'])}) | {fixed(f['abstention_precision'], 2)} / "
                     f"{fixed(f['abstention_recall'], 2)} | {fixed(f['gold_evidence_cited'], 2)} | "
                     f"{fixed(f['ceiling_correctness'])} |")
    return lines, used


def _lost(figures: Mapping[str, Any]) -> str:
    lost = figures["lost"]
    return " / ".join(str(lost.get(k, 0)) for k in ("not retrieved", "not drafted", "removed by verification"))


def realtimeqa(records: Records) -> Rendered:
    """RealTimeQA's default run, in the counts its targets are stated in."""
    [r] = _needed(records, "realtimeqa-all")
    f = r.figures
    return [f"| system | right (of {f['answerable']}) | wrong (of {f['questions']}) | abstained (of "
            f"{f['unanswerable']}) | lost: not retrieved / not drafted / verification | stale |",
            "|---|---|---|---|---|---|",
            f"| **the default** | **{f['right']}** | **{f['wrong']}** | **{f['abstained_unanswerable']}** | "
            f"{_lost(f)} | {f['stale_answers']} |"], [r]


def realtimeqa_ci(records: Records) -> Rendered:
    """RealTimeQA's CI subset, against the gate's floors."""
    [r] = _needed(records, "realtimeqa-ci")
    f = r.figures
    return ["| subset | correctness | right | wrong | unanswerable abstained | stale |", "|---|---|---|---|---|---|",
            f"| RealTimeQA CI, {f['questions']} | {fixed(f['correctness'], 2)} | {f['right']} of {f['answerable']} | "
            f"{f['wrong']} of {f['questions']} | {f['abstained_unanswerable']} of {f['unanswerable']} | "
            f"{f['stale_answers']} |"], [r]


def conflicts(records: Records) -> Rendered:
    """Sources that disagree: each split's outcomes, then both sides named per kind."""
    [r] = _needed(records, "conflicts")
    names = {"dev": "dev (odd)", "test": "test (even)", "all": "all"}
    lines = ["| split | cases | both sides named | original only | swapped only | abstained | neither | "
             "copy among the shown passages |", "|---|---|---|---|---|---|---|---|"]
    splits = r.figures["splits"]
    for split, c in sorted(splits.items(), key=lambda sc: sc[0] == "all"):  # all last
        lines.append(f"| {names.get(split, split)} | {c['cases']} | {c['both']} ({c['both'] / c['cases']:.0%}) | "
                     f"{c['original only']} | {c['swapped only']} | {c['abstained']} | {c['neither']} | "
                     f"{c['copy_shown']} |")
    kinds = {"date": "dates", "place": "places", "name": "names", "figure": "figures"}
    by_kind = ", ".join(f"{kinds.get(k, k)} {c['both']} of {c['cases']}" for k, c in
                        sorted(r.figures["kinds"].items(), key=lambda kc: -kc[1]["both"] / kc[1]["cases"]))
    return [*lines, "", f"Both sides named, by kind: {by_kind}."], [r]


def judge(records: Records) -> Rendered:
    """The verification judge alone on each labelled set: how many true sentences it keeps, false ones it passes."""
    [r] = _needed(records, "judge")
    lines = ["| set | balanced accuracy | true kept | false accepted |", "|---|---|---|---|"]
    for name, f in r.figures.items():
        lines.append(f"| {name} ({f['pairs']}) | {fixed(f['balanced_accuracy'])} | {f['true_kept']} of "
                     f"{f['supported']} | {f['false_accepted']} of {f['unsupported']} |")
    return lines, [r]


def headline(records: Records) -> Rendered:
    """The README's figures, one row each, with the day, commit and command of each."""
    seed, heldout, fresh, swaps, archive, judged = _needed(records, "seed-all", "seed-heldout", "seed-fresh",
                                                           "conflicts", "realtimeqa-all", "judge")
    s, rt, every, real = seed.figures, archive.figures, swaps.figures["splits"]["all"], judged.figures["answer pairs"]
    rows: list[tuple[str, str, list[Record]]] = [
        (f"seed suite, {s['questions']} questions: correctness (answerable only)",
         f"{fixed(s['correctness'])} ({fixed(s['correctness_answerable'])})", [seed]),
        ("seed suite: abstention recall / precision", f"{fixed(s['abstention_recall'], 2)} "
         f"({s['abstained_unanswerable']} of {s['unanswerable']}) / {fixed(s['abstention_precision'], 2)}", [seed]),
        ("seed suite: answer sentences citing the gold evidence (judge-free)",
         fixed(s["gold_evidence_cited"], 2), [seed]),
        (f"held-out questions, {heldout.figures['questions']} / {fresh.figures['questions']}: correctness",
         f"{fixed(heldout.figures['correctness'])} / {fixed(fresh.figures['correctness'])}", [heldout, fresh]),
        (f"sources that disagree ({every['cases']} swapped copies): both sides named",
         f"{every['both']} ({every['both'] / every['cases']:.0%})", [swaps]),
        (f"RealTimeQA archive, {rt['questions']} dated questions: right of {rt['answerable']} / wrong of "
         f"{rt['questions']} / unanswerable abstained",
         f"{rt['right']} / {rt['wrong']} / {rt['abstained_unanswerable']} of {rt['unanswerable']}", [archive]),
        (f"judge on {real['pairs']} real answer sentences: false accepted / true kept",
         f"{real['false_accepted']} of {real['unsupported']} / {real['true_kept']} of {real['supported']}", [judged]),
    ]
    lines = ["| measure | figure | measured | commit | command |", "|---|---|---|---|---|"]
    for label, figure, used in rows:
        dates = " / ".join(dict.fromkeys(r.date for r in used))
        commits = " / ".join(dict.fromkeys(r.commit for r in used))
        lines.append(f"| {label} | {figure} | {dates} | {commits} | "
                     f"{', '.join(f'`{r.command}`' for r in used)} |")
    return lines, []


BLOCKS: dict[str, Callable[[Records], Rendered]] = {
    "headline": headline, "suites": suites, "realtimeqa": realtimeqa, "realtimeqa-ci": realtimeqa_ci,
    "conflicts": conflicts, "judge": judge,
}


def block(name: str, records: Records) -> str:
    """What lies between a block's markers: the table, then when and how it was measured."""
    if name not in BLOCKS:
        raise KeyError(f"<!-- results:{name} --> names no table tools/results.py renders")
    lines, used = BLOCKS[name](records)
    note = measured(used) if used else "Written by `python -m tools.docs` from each row's record in `docs/results/`."
    return "\n".join([*lines, "", note, ""])


def render(text: str, records: Records) -> str:
    """`text` with every results block rewritten from `records`."""
    return BLOCK.sub(lambda m: m.group(1) + block(m.group(2), records) + m.group(4), text)


def pages(store: Path = STORE) -> dict[Path, str]:
    """Each page holding results blocks, as it should read."""
    records = load(store)
    return {page: render(page.read_text(), records) for page in PAGES}
