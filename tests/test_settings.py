from dataclasses import fields

import pytest

from rag.errors import BadRequest
from rag.services import checks_off
from rag.settings import PROJECT_ROOT, Settings


def test_every_setting_is_in_the_settings_page() -> None:
    page = (PROJECT_ROOT / "docs" / "settings.md").read_text()
    missing = [f.name for f in fields(Settings) if f"| `RAG_{f.name.upper()}` |" not in page]
    assert missing == []


def test_settings_are_read_from_rag_variables_and_bad_values_are_named() -> None:
    settings = Settings.from_env({"RAG_JUDGE_CONTEXT": "0", "RAG_TOP_K": "6"})
    assert settings.judge_context is False and settings.top_k == 6
    with pytest.raises(BadRequest, match="RAG_JUDGE_CONTEXT='maybe'"):
        Settings.from_env({"RAG_JUDGE_CONTEXT": "maybe"})


def test_checks_off_must_name_known_checks() -> None:
    assert checks_off(" facts, speaker ") == {"facts", "speaker"}
    with pytest.raises(BadRequest, match="unknown checks factz.*facts, title-quote"):
        checks_off("factz")
