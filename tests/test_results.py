"""tools/results.py: result tables rendered from the results store into the pages' marked blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.record import Record, save
from tools import docs as generator
from tools import results

PAGE = "Prose before.\n\n<!-- results:realtimeqa-ci -->\nold table\n<!-- /results:realtimeqa-ci -->\n\nProse after.\n"


def ci_record(right: int = 4, commit: str = "abc1234") -> Record:
    figures = {"questions": 8, "correctness": 0.75, "right": right, "answerable": 6, "wrong": 0,
               "abstained_unanswerable": 2, "unanswerable": 2, "stale_answers": 0}
    return Record("realtimeqa-ci", figures, "2026-12-01", commit, "python -m eval run --suite realtimeqa --subset ci")


def test_a_recorded_run_renders_its_table_and_says_when_where_and_how_it_was_measured() -> None:
    rendered = results.render(PAGE, {"realtimeqa-ci": ci_record()})
    assert rendered == (
        "Prose before.\n\n<!-- results:realtimeqa-ci -->\n"
        "| subset | correctness | right | wrong | unanswerable abstained | stale |\n|---|---|---|---|---|---|\n"
        "| RealTimeQA CI, 8 | 0.75 | 4 of 6 | 0 of 8 | 2 of 2 | 0 |\n\n"
        "Measured 2026-12-01 at `abc1234` with `python -m eval run --suite realtimeqa --subset ci`.\n"
        "<!-- /results:realtimeqa-ci -->\n\nProse after.\n")


def test_a_record_without_its_commit_says_so() -> None:
    assert "at an unrecorded commit with" in results.render(PAGE, {"realtimeqa-ci": ci_record(commit="unknown")})


def test_rendering_twice_changes_nothing() -> None:
    once = results.render(PAGE, {"realtimeqa-ci": ci_record()})
    assert results.render(once, {"realtimeqa-ci": ci_record()}) == once


def test_a_block_without_its_record_or_renderer_fails_naming_it() -> None:
    with pytest.raises(KeyError, match="realtimeqa-ci"):
        results.render(PAGE, {})
    with pytest.raises(KeyError, match="no-such-table"):
        results.render("<!-- results:no-such-table -->\n<!-- /results:no-such-table -->", {})


def test_a_block_is_stale_once_its_record_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    page, store = tmp_path / "evaluation.md", tmp_path / "results"
    save(ci_record(), store)
    page.write_text(PAGE)
    monkeypatch.setattr(results, "PAGES", (page,))
    monkeypatch.setattr(results, "STORE", store)
    monkeypatch.setattr(generator, "pages", lambda: results.pages(store))
    monkeypatch.setattr(generator, "PROJECT_ROOT", tmp_path)
    assert generator.main(["--check"]) == 1  # the block still holds "old table"
    assert generator.main([]) == 0 and "| 4 of 6 |" in page.read_text()
    assert generator.main(["--check"]) == 0
    save(ci_record(right=5), store)  # a new run recorded, the docs not regenerated
    assert generator.main(["--check"]) == 1
    assert "evaluation.md is stale" in capsys.readouterr().err


def test_the_committed_records_give_the_figures_the_docs_have_quoted() -> None:
    records = results.load()
    table, _ = results.suites(records)
    assert "| seed, 63 | 0.730 (0.644) | 0.59 / 0.94 | 1.00 | 0.825 |" in table
    assert any(row.startswith("| held out, 24 | 0.583") for row in table)
    assert any(row.startswith("| fresh, 16 | 0.625") for row in table)
    assert "| **the default** | **16** | **18** | **27** | 25 / 14 / 7 | 0 |" in results.realtimeqa(records)[0]
    assert "| all | 44 | 28 (64%) | 3 | 3 | 9 | 1 | 39 |" in results.conflicts(records)[0]
    assert "| role pairs (43) | 0.864 | 16 of 22 | 0 of 21 |" in results.judge(records)[0]
