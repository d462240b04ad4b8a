"""eval/record.py: what a run records in docs/results/, and when it does not."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest

from eval import cli
from eval import record as store
from rag.settings import Settings

DEFAULTS = {"url": None, "judge": "model", **{k: str(v) for k, v in asdict(Settings()).items()}}


def saved_run(folder: Path, name: str = "seed-all", **changes: object) -> Path:
    path = folder / f"{name}.json"
    summary = {"questions": 63, "correctness": 0.746, "lost_in_verification": ["x"]}
    path.write_text(json.dumps({"suite": name, "summary": summary, "settings": {**DEFAULTS, **changes}}))
    os.utime(path, (1796342400, 1796342400))  # 2026-12-04 UTC
    return path


def test_a_saved_run_without_provenance_records_its_file_day_an_unknown_commit_and_its_command(
        tmp_path: Path) -> None:
    record = store.from_saved(saved_run(tmp_path, "realtimeqa-ci"))
    assert (record.name, record.date, record.commit) == ("realtimeqa-ci", "2026-12-04", "unknown")
    assert record.command == "python -m eval run --suite realtimeqa --subset ci"
    assert record.figures == {"questions": 63, "correctness": 0.746}


def test_a_run_that_stored_its_provenance_records_it(tmp_path: Path) -> None:
    path = saved_run(tmp_path)
    data = json.loads(path.read_text())
    data["provenance"] = {"date": "2026-12-05", "commit": "abc1234+dirty", "command": "python -m eval run"}
    path.write_text(json.dumps(data))
    record = store.from_saved(path)
    assert (record.date, record.commit, record.command) == ("2026-12-05", "abc1234+dirty", "python -m eval run")


@pytest.mark.parametrize("changes", [{"quote_fallback": "True"}, {"url": "http://127.0.0.1:8000"},
                                     {"judge": "rules"}])  # RAG_JUDGE, the verification judge
def test_a_run_with_other_settings_does_not_record(tmp_path: Path, changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="does not record"):
        store.from_saved(saved_run(tmp_path, **changes))


def test_a_gate_run_does_not_record_and_checkout_paths_do_not_count_as_settings() -> None:
    assert store.reason_not_to_record(DEFAULTS, gate=True) == "a --gate run is a check, not a measurement"
    assert store.reason_not_to_record(DEFAULTS, judge="rules") == "the rules judge was used"
    assert store.reason_not_to_record({**DEFAULTS, "index_dir": "/elsewhere/index"}) is None
    assert store.changed_settings({**DEFAULTS, "recency": "0.3"}) == ["RAG_RECENCY"]


def test_a_multihop_sample_records_under_a_name_of_its_own() -> None:
    assert store.run_command("multihop-100") == "python -m eval run --suite multihop --sample 100"
    assert store.run_command("seed-heldout") == "python -m eval run --suite seed --subset heldout"


def test_eval_record_writes_the_date_commit_and_command_into_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "save", lambda record: store.save(record, tmp_path / "results"))
    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path)
    assert cli.main(["record", str(saved_run(tmp_path))]) == 0
    written = json.loads((tmp_path / "results" / "seed-all.json").read_text())
    assert {k: written[k] for k in ("name", "date", "commit", "command")} == {
        "name": "seed-all", "date": "2026-12-04", "commit": "unknown", "command": "python -m eval run --suite seed"}
    assert store.load(tmp_path / "results")["seed-all"].figures["correctness"] == 0.746
    assert cli.main(["record", str(saved_run(tmp_path, recency="0.3"))]) == 1  # refused, the store unchanged


def test_conflict_rows_record_each_split_and_kind(tmp_path: Path) -> None:
    rows = [{"split": "dev", "kind": "name", "outcome": "both", "copy_shown": True},
            {"split": "test", "kind": "date", "outcome": "abstained", "copy_shown": False}]
    (tmp_path / "conflicts.json").write_text(json.dumps(rows))
    record = store.from_saved(tmp_path / "conflicts.json")
    assert record.command == "python -m eval conflicts"
    assert record.figures["splits"]["all"] == {"cases": 2, "both": 1, "original only": 0, "swapped only": 0,
                                             "abstained": 1, "neither": 0, "copy_shown": 1}
    assert record.figures["kinds"]["date"]["abstained"] == 1


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_the_commit_is_marked_dirty_only_when_code_differs(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("figures\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    clean = store.git_commit(tmp_path)
    assert len(clean) >= 7 and "+" not in clean
    (tmp_path / "README.md").write_text("new figures\n")
    assert store.git_commit(tmp_path) == clean  # the docs a run regenerates do not make it dirty
    (tmp_path / "code.py").write_text("x = 2\n")
    assert store.git_commit(tmp_path) == clean + "+dirty"
    assert store.git_commit(tmp_path / "not-a-checkout") == "unknown"


def test_eval_judge_records_its_measurements_with_the_command_and_refuses_for_the_rules_judge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "save", lambda record: store.save(record, tmp_path / "results"))
    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path)
    assert cli.main(["judge", "--judge", "rules"]) == 0
    assert "not recorded in docs/results/: the rules judge was used" in capsys.readouterr().out
    assert not (tmp_path / "results").exists()
    monkeypatch.setattr(cli, "reason_not_to_record", lambda snapshot, judge: None)  # as if it were the model judge
    cli.main(["judge", "--judge", "rules"])
    record = store.load(tmp_path / "results")["judge"]
    assert (record.date, record.commit, record.command) == (store.today(), store.git_commit(),
                                                            "python -m eval judge --judge rules")
    assert record.figures["written pairs"]["balanced_accuracy"] > 0.5
