"""The metrics of the evaluation suite, each defined where it is computed.

Per question:
- correctness: an answerable question is answered correctly when the normalised answer contains one
  of its accepted answers (all of them for conflict questions: both figures must be given) and the
  service did not abstain; an unanswerable one, when the service abstained. Normalisation: lower
  case, accents and quotes folded, thousands separators and punctuation removed, spelled numbers
  one to ninety-nine written as digits. Containment of a whole accepted string, never word overlap.
- citation recall (ALCE, Gao et al. 2023): an answer sentence is recalled when the passages it cites,
  joined, support it (per the judge); recall is the share of recalled sentences.
- citation precision (ALCE): a citation is imprecise when its sentence is not recalled, or when it is
  irrelevant by leave-one-out: it does not support the sentence on its own and the sentence's other
  citations support it without it. Precision is the share of precise citations.
- gold-evidence citation (judge-free, beside ALCE's): an answer sentence that holds an accepted
  answer cites the gold evidence when one of its cited passages contains a hand-checked supporting
  quote (seed suite) or gold fact (MultiHop-RAG), whitespace ignored; only the quotes holding the
  answer it states count, when some do (two figures, two quotes); the rate is the share of such
  sentences that do. No model is involved, so it cannot agree with verification by construction.
  It is strict: a sentence citing another passage that also states the fact counts as a miss.
- faithfulness: the share of answer sentences that the passages the model was given (all of them,
  whole, joined) support, whatever they cite.
- retrieval: Hits@k is 1 when a gold article (seed suite) or a gold fact (MultiHop-RAG: the fact,
  whitespace removed, is a substring of the passage, as upstream) is among the top k passages;
  MRR@10 is the mean of 1/rank of the first such passage (0 when none in the top 10).
Over a run: abstention precision (abstentions on unanswerable questions / all abstentions) and
recall (abstentions on unanswerable questions / unanswerable questions); latency p50/p95 per stage.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rag.facts import fold
from rag.grounding import Judge

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
         "seventeen eighteen nineteen".split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


# Roman numerals of two letters or more, written in capitals, are numbers in news ("Artemis II", "World
# War II"): one letter ("I", "V", "X") is more often a pronoun, a letter or a name.
_ROMAN = {numeral: n for n, numeral in enumerate(
    "II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split(), start=2) if len(numeral) > 1}


def normalise_answer(text: str) -> str:
    text = re.sub(r"\b(" + "|".join(sorted(_ROMAN, key=len, reverse=True)) + r")\b",
                  lambda m: str(_ROMAN[m.group(1)]), fold(text))
    text = text.lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"\b(" + "|".join(_TENS) + r")[-\s](" + "|".join(_UNITS[1:10]) + r")\b",
                  lambda m: str(_TENS[m.group(1)] + _UNITS.index(m.group(2))), text)
    text = re.sub(r"\b(" + "|".join(_UNITS + list(_TENS)) + r")\b",
                  lambda m: str(_TENS.get(m.group(1), _UNITS.index(m.group(1)) if m.group(1) in _UNITS else 0)), text)
    text = re.sub(r"[^a-z0-9.$% ]+", " ", text)
    return " ".join(text.replace(". ", " ").split())


def contains_answer(answer: str, accepted: Sequence[str], match: str = "any") -> bool:
    """Whole accepted strings, normalised, looked for in the normalised answer (padded at word edges).
    A yes/no answer must open the answer: "no" anywhere in "no troops were sent" is not a "no".
    With match "words" (RealTimeQA's rule), an accepted string also counts when every content word of it
    is in the answer ("Davos, Switzerland" in "The forum met in Davos, in the Swiss Alps of Switzerland")."""
    if match == "words":
        return contains_answer(answer, accepted) or any(_all_content_words(answer, a) for a in accepted)
    if [normalise_answer(a) for a in accepted] in (["yes"], ["no"]):
        return normalise_answer(answer).split()[:1] == [normalise_answer(accepted[0])]
    haystack = f" {normalise_answer(answer)} "
    found = [re.search(_whole(normalise_answer(a)), haystack) is not None for a in accepted]
    return all(found) if match == "all" else any(found)


def _all_content_words(answer: str, accepted: str) -> bool:
    from rag.grounding import full_content_words

    words = full_content_words(normalise_answer(accepted)) or normalise_answer(accepted).split()
    haystack = f" {normalise_answer(answer)} "
    return bool(words) and all(re.search(_whole(normalise_answer(w)), haystack) for w in words)


def draft_holds_answer(claims: Sequence[str], accepted: Sequence[str], match: str = "any") -> bool:
    """Does the model's draft hold an accepted answer? The draft is every sentence verification was given
    (the model's own "the sources do not say" sentences are set aside before it), whatever became of them."""
    draft = " ".join(claims)
    return bool(draft.strip()) and contains_answer(draft, accepted, match)


def _whole(needle: str) -> str:
    """A pattern for `needle` not glued to a longer word or number; a figure may carry a unit ('2.16bn')."""
    right = r"(?!\.?[0-9])" if needle[-1:].isdigit() else r"(?![a-z0-9])"
    return rf"(?<![a-z0-9.]){re.escape(needle)}{right}"


@dataclass(frozen=True)
class CitationScores:
    sentences: int
    recalled: int
    citations: int
    precise: int


def citation_scores(sentences: Sequence[tuple[str, Sequence[str]]], judge: Judge,
                    question: str = "") -> CitationScores:
    """ALCE citation recall and precision counts for (claim, cited passage texts) pairs."""
    recalled = citations = precise = 0
    for claim, passages in sentences:
        citations += len(passages)
        if not passages or not judge.judge(claim, "\n\n".join(passages), question).supported:
            continue
        recalled += 1
        for i, passage in enumerate(passages):
            others = [p for j, p in enumerate(passages) if j != i]
            irrelevant = (not judge.judge(claim, passage, question).supported and bool(others)
                          and judge.judge(claim, "\n\n".join(others), question).supported)
            precise += not irrelevant
    return CitationScores(len(sentences), recalled, citations, precise)


def hits_and_rank(passages: Sequence[tuple[str, str]], gold_articles: Sequence[str], gold_facts: Sequence[str],
                  use_facts: bool) -> int | None:
    """1-based rank of the first gold passage among (article_id, text) pairs, or None."""
    squashed = [re.sub(r"\s+", "", f) for f in gold_facts]
    for rank, (article_id, text) in enumerate(passages, start=1):
        if use_facts:
            flat = re.sub(r"\s+", "", text)
            if any(f and f in flat for f in squashed):
                return rank
        elif article_id in gold_articles:
            return rank
    return None


def cites_gold_evidence(cited_texts: Sequence[str], gold_facts: Sequence[str]) -> bool:
    """Whether one of the cited passage texts contains one of the gold quotes/facts, whitespace ignored."""
    squashed = [re.sub(r"\s+", "", f) for f in gold_facts if f.strip()]
    return any(f in re.sub(r"\s+", "", text) for text in cited_texts for f in squashed)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1])


@dataclass(frozen=True)
class JudgeMeasurement:
    judge: str
    pairs: int
    balanced_accuracy: float
    true_positive_rate: float  # supported pairs judged supported
    true_negative_rate: float  # unsupported pairs judged unsupported
    accuracy_by_kind: dict[str, float]
    true_kept: int = 0  # supported pairs judged supported, of `supported`
    supported: int = 0
    false_accepted: int = 0  # unsupported pairs judged supported, of `unsupported`
    unsupported: int = 0


def measure_judge(judge: Judge, pairs: Sequence[object]) -> JudgeMeasurement:
    """Balanced accuracy of `judge` on labelled (claim, passage, supported) pairs."""
    by_kind: dict[str, list[bool]] = {}
    tp = fn = tn = fp = 0
    for pair in pairs:
        predicted = judge.judge(pair.claim, pair.passage, pair.question).supported  # type: ignore[attr-defined]
        actual = pair.supported  # type: ignore[attr-defined]
        tp += predicted and actual
        fn += actual and not predicted
        tn += not actual and not predicted
        fp += predicted and not actual
        by_kind.setdefault(pair.kind, []).append(predicted == actual)  # type: ignore[attr-defined]
    tpr = tp / (tp + fn) if tp + fn else 0.0
    tnr = tn / (tn + fp) if tn + fp else 0.0
    return JudgeMeasurement(judge.name, len(pairs), round((tpr + tnr) / 2, 4), round(tpr, 4), round(tnr, 4),
                            {k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
                            tp, tp + fn, fp, tn + fp)
