"""The grounding evaluation suite (`python -m eval run`); see docs/evaluation.md."""
