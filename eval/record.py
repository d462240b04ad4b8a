"""The results store: `docs/results/<name>.json`, the figures of the last recorded run of each measured
thing, with the day, the commit and the command that produced them. `python -m tools.docs` renders the
docs' result tables from these files, so every generated figure names its command.

When a run records (the rule, stated in docs/evaluation.md): at the end of a run that measured the
whole of what it names with the default settings and the model judge. A `--gate` run (a check, not a
measurement), a run against `--url` (whose settings are not known), one with `--judge rules`, with any
`RAG_*` setting changed, or with `--no-record` does not record and says why. A run records under its
report's name (`seed-all`, `seed-heldout`, `realtimeqa-ci`, `multihop-100`), so a sample of another size
never overwrites the headline.

`python -m eval record FILE…` re-records from a saved run (`eval/results/seed-all.json`,
`eval/results/conflicts.json`), by the same rule: the date, commit and command are the run's own when
it stored them; otherwise its file's modification day, commit `unknown` and the command its name implies.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rag.settings import PROJECT_ROOT, Settings

STORE = PROJECT_ROOT / "docs" / "results"
UNKNOWN = "unknown"
# Settings that only say where this checkout keeps its files: they differ between checkouts, not figures.
PER_CHECKOUT = frozenset({"articles_dir", "index_dir", "model_cache", "collection"})
# Paths whose changes cannot move a figure; a tree dirty only there is not "+dirty".
NOT_CODE = (":(exclude)docs", ":(exclude)*.md", ":(exclude)bench/results")


@dataclass(frozen=True)
class Record:
    name: str
    figures: dict[str, Any]
    date: str  # ISO day
    commit: str  # short hash, "+dirty" when the tree held uncommitted changes; "unknown" when not recorded
    command: str
    source: str | None = None  # the saved run it was re-recorded from, if any


def git_commit(root: Path = PROJECT_ROOT) -> str:
    """The checkout's short commit, with "+dirty" when tracked code or data differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", *NOT_CODE)
    except (OSError, subprocess.CalledProcessError):
        return UNKNOWN
    return commit + ("+dirty" if dirty else "")


def command_line(module: str, argv: Sequence[str]) -> str:
    """The command as a reader would type it: `python -m eval run --suite seed`."""
    return shlex.join(["python", "-m", module, *argv])


def today() -> str:
    return dt.date.today().isoformat()


def save(record: Record, store: Path = STORE) -> Path:
    """Write `record` as `store/<name>.json`, replacing the last one of that name."""
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{record.name}.json"
    path.write_text(json.dumps(asdict(record), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def load(store: Path = STORE) -> dict[str, Record]:
    """Every record in the store, by name."""
    return {p.stem: Record(**json.loads(p.read_text())) for p in sorted(store.glob("*.json"))}


def changed_settings(snapshot: Mapping[str, object]) -> list[str]:
    """The `RAG_*` variables whose values in a run's settings snapshot are not the defaults."""
    defaults = {k: str(v) for k, v in asdict(Settings()).items() if k not in PER_CHECKOUT}
    return [f"RAG_{k.upper()}" for k, v in defaults.items() if k in snapshot and str(snapshot[k]) != v]


def reason_not_to_record(snapshot: Mapping[str, object], gate: bool = False, judge: str = "model") -> str | None:
    """Why a run with these settings (and `url` when it has one) and this `--judge` does not record;
    None: it does."""
    if gate:
        return "a --gate run is a check, not a measurement"
    if snapshot.get("url") not in (None, "None"):
        return "the settings of a server run against --url are not known"
    if judge != "model":
        return "the rules judge was used"
    changed = changed_settings(snapshot)
    return f"settings differ from the defaults: {', '.join(changed)}" if changed else None


def run_figures(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What a question-suite run records: its summary, without the per-question lists."""
    return {k: v for k, v in summary.items() if k != "lost_in_verification"}


def run_command(name: str) -> str:
    """The `eval run` command a report's name implies (`realtimeqa-ci`, `multihop-100`)."""
    suite, _, part = name.partition("-")
    argv = ["run", "--suite", suite]
    if suite == "multihop":
        argv += [] if part == "all" else ["--sample", part]
    elif part != "all":
        argv += ["--subset", part]
    return command_line("eval", argv)


def conflict_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What `eval conflicts` records: the outcomes per split and in all, and both sides named per kind."""
    def counts(own: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        outcomes = Counter(str(r["outcome"]) for r in own)
        return {"cases": len(own), **{k: outcomes[k] for k in ("both", "original only", "swapped only",
                                                                   "abstained", "neither")},
                "copy_shown": sum(bool(r["copy_shown"]) for r in own)}

    splits = sorted({str(r["split"]) for r in rows})
    kinds = sorted({str(r["kind"]) for r in rows})
    return {"splits": {s: counts([r for r in rows if r["split"] == s]) for s in splits} | {"all": counts(rows)},
            "kinds": {k: counts([r for r in rows if r["kind"] == k]) for k in kinds}}


def from_saved(path: Path) -> Record:
    """The record a saved run file holds; ValueError when the rule says it does not record."""
    data = json.loads(path.read_text())
    day = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date().isoformat()
    source = _shown(path)
    if isinstance(data, dict) and "summary" in data:
        reason = reason_not_to_record(data.get("settings", {}))
        if reason:
            raise ValueError(f"{source} does not record: {reason}")
        own = data.get("provenance", {})
        return Record(data["suite"], run_figures(data["summary"]), own.get("date", day),
                      own.get("commit", UNKNOWN), own.get("command") or run_command(data["suite"]),
                      source)
    if isinstance(data, list) and data and "outcome" in data[0]:
        return Record("conflicts", conflict_figures(data), day, UNKNOWN, command_line("eval", ["conflicts"]), source)
    raise ValueError(f"{source} is not a saved run `python -m eval record` knows")


def provenance(command: str) -> dict[str, str]:
    """The date, commit and command a run stores in its own report, for re-recording later."""
    return {"date": today(), "commit": git_commit(), "command": command}


def _shown(path: Path) -> str:
    """The saved run's path inside its checkout (`eval/results/seed-all.json`), whichever checkout it is in."""
    parts = path.resolve().parts
    starts = [i for i in range(len(parts) - 1) if parts[i:i + 2] in (("eval", "results"), ("bench", "results"))]
    return "/".join(parts[starts[-1]:]) if starts else path.name
