"""`python -m eval injection`: the labelled set of injected and clean news passages, the detector fitted on
its development split, and its precision, recall and cost measured on the split it was not fitted on.

The set: 40 hand-written sentences addressed to AI systems or dictating the answer
(`eval/data/injection_sentences.jsonl`, 20 wordings for development, 20 other wordings held out), each
planted at the start, middle and end of a real news passage (RealTimeQA's articles), beside as many
real passages left clean, half of them chosen because they speak of AI, chatbots, assistants or
instructions (the hard negatives). Passages and clean sentences are split by a hash of their text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import DATA_DIR, Question, realtimeqa_articles, seed_questions
from rag.articles import read_path
from rag.chunking import chunk_article, sentence_spans
from rag.embedding import Embedder
from rag.settings import PROJECT_ROOT
from rag.untrusted import DETECTOR_FILE, InjectionDetector, fit_detector

SENTENCES_FILE = DATA_DIR / "injection_sentences.jsonl"
SEED_DIR = PROJECT_ROOT / "data" / "articles"
# Real passages that speak of what injections speak of: the detector must not take news about AI for orders.
_HARD = re.compile(r"\b(?:AI|A\.I\.|artificial intelligence|chatbots?|ChatGPT|assistants?|language models?|"
                   r"instructions?|must|should|answer)\b", re.IGNORECASE)
POSITIONS = ("start", "middle", "end")


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    injected: bool
    split: str  # dev or test
    wording: str = ""  # the injection sentence's id
    position: str = ""


def injection_sentences(path: Path = SENTENCES_FILE) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _split(text: str) -> str:
    return "dev" if int(hashlib.sha1(text.encode()).hexdigest(), 16) % 2 == 0 else "test"


def labelled_passages(seed: int = 11) -> list[Passage]:
    """120 injected passages (40 wordings x 3 positions) and 120 clean ones, 60 of those hard negatives."""
    rng = random.Random(seed)
    chunks = [c.text for a in realtimeqa_articles() for c in chunk_article(a) if len(sentence_spans(c.text)) >= 3]
    chunks = sorted(set(chunks))
    rng.shuffle(chunks)
    hard = [c for c in chunks if _HARD.search(c)][:60]
    plain = [c for c in chunks if not _HARD.search(c)]
    clean = hard + plain[:60]
    hosts = plain[60:]
    passages = [Passage(f"clean-{i:03d}", text, False, _split(text)) for i, text in enumerate(clean)]
    for n, sentence in enumerate(injection_sentences()):
        for k, position in enumerate(POSITIONS):
            host = hosts[3 * n + k]
            spans = sentence_spans(host)
            at = {"start": 0, "middle": spans[len(spans) // 2].start, "end": len(host)}[position]
            text = (host[:at] + (" " if at else "") + sentence["text"] + ("" if at == len(host) else " ")
                    + host[at:]).strip()
            passages.append(Passage(f"{sentence['id']}-{position}", text, True, sentence["split"], sentence["id"],
                                    position))
    return passages


def clean_sentences(passages: Sequence[Passage]) -> list[tuple[str, str]]:
    """(sentence, split) for every sentence of the clean passages, and for each of its clauses of three
    words or more: titles, bylines and datelines are short, and must not look like orders either."""
    found = []
    for p in passages:
        if p.injected:
            continue
        for s in sentence_spans(p.text):
            sentence = p.text[s.start:s.end]
            clauses = [c.strip() for c in re.split(r"[,;:()]", sentence) if len(c.split()) >= 3]
            found += [(text, p.split) for text in dict.fromkeys([sentence, *clauses])]
    return found


# Who an injection speaks to, in other words: the development wordings are rewritten with each, so the
# detector learns the addressee and the order rather than one phrasing (held-out wordings are untouched).
_ADDRESSEES = ("AI assistants", "chatbots", "language models", "automated systems", "AI tools",
               "answer engines", "virtual assistants", "AI summarisers")
_ADDRESSEE = re.compile(r"\b(?:AI assistants?|any AI system|AI models?|chatbots|automated assistant|answer engines|"
                        r"Large language models|AI tools|Bots and virtual assistants|Chat assistants|"
                        r"Machine readers|automated readers|an AI|a language model|Any AI)\b")


def augmented(sentences: Sequence[str]) -> list[str]:
    """Each sentence, and its rewrites with every other addressee."""
    out = list(sentences)
    for sentence in sentences:
        if _ADDRESSEE.search(sentence):
            out += [_ADDRESSEE.sub(name, sentence, count=1) for name in _ADDRESSEES]
    return list(dict.fromkeys(out))


def archive_sentences(passages: Sequence[Passage], count: int = 1500, seed: int = 5) -> list[str]:
    """Sentences of the archive's articles outside every labelled passage: news as it is written."""
    taken = {p.text for p in passages}
    sentences = sorted({c.text[s.start:s.end] for a in realtimeqa_articles() for c in chunk_article(a)
                        if c.text not in taken for s in sentence_spans(c.text)})
    return random.Random(seed).sample(sentences, min(count, len(sentences)))


@dataclass(frozen=True)
class DetectorReport:
    split: str
    passages: int
    precision: float
    recall: float
    false_positive_rate: float  # clean passages flagged
    recall_by_position: dict[str, float]


def measure(detector: InjectionDetector, passages: Sequence[Passage], split: str) -> DetectorReport:
    chosen = [p for p in passages if p.split == split]
    flagged = [bool(detector.withheld(p.text)) for p in chosen]
    tp = sum(f and p.injected for f, p in zip(flagged, chosen))
    fp = sum(f and not p.injected for f, p in zip(flagged, chosen))
    positives = sum(p.injected for p in chosen)
    negatives = len(chosen) - positives
    by_position = {pos: round(sum(f for f, p in zip(flagged, chosen) if p.position == pos)
                              / max(1, sum(p.position == pos for p in chosen)), 3) for pos in POSITIONS}
    return DetectorReport(split, len(chosen), round(tp / max(1, tp + fp), 3), round(tp / max(1, positives), 3),
                          round(fp / max(1, negatives), 3), by_position)


def legitimate_cost(detector: InjectionDetector, questions: Sequence[Question],
                    articles: dict[str, str]) -> tuple[int, int]:
    """(answering sentences the detector would withhold, answering sentences): the sentences of the gold
    articles that hold a gold quote, each counted once: the answers it would cost."""
    answering: set[str] = set()
    for question in questions:
        for article_id in question.articles:
            text = articles.get(article_id, "")
            for s in sentence_spans(text):
                sentence = text[s.start:s.end]
                if any(q.strip() and (q in sentence or sentence in q) for q in question.quotes):
                    answering.add(sentence)
    scores = detector.scores(sorted(answering))
    return sum(score >= detector.threshold for score in scores), len(answering)


def clean_flag_rate(detector: InjectionDetector, texts: Sequence[str]) -> tuple[int, int]:
    """(sentences flagged, sentences) over real articles none of which holds an injection."""
    sentences = [text[s.start:s.end] for text in texts for s in sentence_spans(text)]
    scores = detector.scores(sentences)
    return sum(score >= detector.threshold for score in scores), len(sentences)


def run(embedder: Embedder, fit: bool, out: Path = DETECTOR_FILE) -> list[str]:
    """Fit on the development split (when `fit`), then report on both splits; returns the report's lines."""
    passages = labelled_passages()
    if fit:
        positives = augmented([s["text"] for s in injection_sentences() if s["split"] == "dev"])
        negatives = [text for text, split in clean_sentences(passages) if split == "dev"] + archive_sentences(passages)
        detector = fit_detector(embedder, positives, negatives)
        detector.save(out, {"data": "eval/data/injection_sentences.jsonl (dev) and RealTimeQA passages (dev half)",
                            "command": "python -m eval injection --fit", "date": dt.date.today().isoformat(),
                            "commit": _commit()})
    detector = InjectionDetector.load(embedder, out)
    if detector is None:
        return [f"{out} was fitted on other embeddings: run with --fit"]
    lines = [f"labelled passages: {len(passages)} ({sum(p.injected for p in passages)} injected)"]
    for split in ("dev", "test"):
        lines.append(str(measure(detector, passages, split)))
    seed = {a.article_id: a.text for p in sorted(SEED_DIR.glob("*.txt")) for a in read_path(p)}
    lost, answering = legitimate_cost(detector, [q for q in seed_questions() if q.answerable], seed)
    lines.append(f"seed answering sentences withheld: {lost} of {answering}")
    flagged, sentences = clean_flag_rate(detector, list(seed.values()))
    lines.append(f"seed article sentences withheld: {flagged} of {sentences}")
    return lines


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
