import json
from pathlib import Path

import pytest

from bench import speed
from bench.speed import Timing


def _pair(question: str, service_total: float, raw_total: float) -> tuple[Timing, Timing]:
    stages = {"retrieve": 0.2, "generate": raw_total, "first_token": 1.0, "verify": service_total - raw_total - 0.2}
    return (Timing(question, 1.0, service_total, 400, 20, stages, [{"text": "passage"}]),
            Timing(question, 0.9, raw_total, 0, 20))


def test_rows_keep_each_questions_service_and_raw_timings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speed, "ROWS", tmp_path / "rows.json")
    (s1, r1), (s2, r2) = _pair("a?", 9.0, 6.0), _pair("b?", 4.0, 3.0)
    abstained = Timing("c?", None, 0.3)
    speed._write_rows([s1, abstained, s2], [r1, r2])
    rows = json.loads((tmp_path / "rows.json").read_text())["rows"]
    assert [r["question"] for r in rows] == ["a?", "c?", "b?"]
    assert rows[0]["service"]["total"] == 9.0 and rows[0]["raw"]["total"] == 6.0
    assert rows[0]["service"]["stages"]["verify"] == pytest.approx(2.8)
    assert rows[1]["raw"] is None and "passages" not in rows[0]["service"]


def test_the_report_gives_both_ratios_of_the_verified_total() -> None:
    (s1, r1), (s2, r2), (s3, r3) = _pair("a?", 9.0, 6.0), _pair("b?", 4.0, 3.0), _pair("c?", 12.0, 10.0)
    report = speed._report([s1, s2, s3], [r1, r2, r3], [], 30.0, (4000.0, 3000.0))
    # p50 of per-question ratios (1.5, 1.33, 1.2) is 1.33; the ratio of p50s is 9 / 6 = 1.5.
    assert "| total, s (service: verified answer) | 9.00 / 11.70 | 6.00 / 9.60 | 1.33 /" in report
    assert "ratio of the p50s: 1.50" in report


def test_a_section_between_markers_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    from bench.speed import write_section

    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nintro\n")
    write_section(doc, "t", "first")
    write_section(doc, "t", "second")
    assert doc.read_text() == "# Performance\n\nintro\n\n<!-- t:start -->\nsecond\n<!-- t:end -->\n"


def test_the_llama_settings_table_compares_each_variant_with_the_defaults() -> None:
    from bench.llama_settings import report

    table = report(500, {"llama.cpp defaults": {"prompt": [70.0, 72.0, 74.0], "decode": [12.0, 12.0, 12.0]},
                         "flash attention (RAG_FLASH_ATTN=1)": {"prompt": [90.0, 86.4, 80.0],
                                                                "decode": [11.0, 12.0, 13.0]}}, 3)
    assert "| llama.cpp defaults | 72.0 | 12.0 | 1.00x |" in table
    assert "| flash attention (RAG_FLASH_ATTN=1) | 86.4 | 12.0 | 1.20x |" in table
    assert "`python -m bench.llama_settings --rounds 3`" in table and "500-token prompt" in table


def test_with_evidence_selection_the_report_also_compares_with_whole_passages() -> None:
    (s1, r1), (s2, r2) = _pair("a?", 6.0, 4.0), _pair("b?", 8.0, 5.0)
    whole = [Timing("a?", 3.0, 8.0, 0, 20), Timing("b?", 4.0, 8.0, 0, 20)]
    report = speed._report([s1, s2], [r1, r2], [], 30.0, (4000.0, 3000.0), whole=whole)
    # Service totals 6 and 8 against whole-passage raw totals of 8 each: ratios 0.75 and 1.0.
    assert "| raw, the same passages whole: total, s | — | 8.00 / 8.00 | service / this 0.88 /" in report
    assert "passages whole" not in speed._report([s1, s2], [r1, r2], [], 30.0, (4000.0, 3000.0))


def test_the_embedders_table_gives_each_build_speed_against_the_torch_encoders() -> None:
    from bench.embedders import _table

    rows = [{"embedder": "all-MiniLM-L6-v2", "articles": 714, "chunks": 11347, "load_s": 4.5,
             "build_chunks_per_s": 40.0, "encode_chunks_per_s": 48.0, "peak_mb": 1682.0},
            {"embedder": "all-MiniLM-L6-v2-int8", "articles": 714, "chunks": 11347, "load_s": 4.4,
             "build_chunks_per_s": 66.0, "encode_chunks_per_s": 85.0, "peak_mb": 1848.0}]
    table = _table(rows, None)
    assert "`python -m bench.embedders`" in table and "11347 chunks" in table
    assert "| all-MiniLM-L6-v2-int8 | 66.0 | 85.0 | 1.65x | 1848 | 4.4 |" in table
    assert "--articles 50" in _table(rows, 50)
