"""Judgements remembered on disk: the model judge costs about a second a call, and an eval run asks
the same (claim, passage) pairs again and again (the judge's own measurement, every run)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.grounding import Judge, Judgement


@dataclass
class CachedJudge:
    inner: Judge
    path: Path
    _memory: dict[str, dict[str, object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = self.inner.name
        if self.path.exists():
            self._memory = json.loads(self.path.read_text())

    def judge(self, claim: str, passage: str, given: str = "") -> Judgement:
        key = hashlib.sha1("\x1f".join((self.inner.name, str(getattr(self.inner, "min_yes", "")), claim, passage,
                                         given)).encode()).hexdigest()
        if key not in self._memory:
            self._memory[key] = asdict(self.inner.judge(claim, passage, given))
        return Judgement(**self._memory[key])  # type: ignore[arg-type]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._memory))
