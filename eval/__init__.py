"""The grounding evaluation suite (`python -m eval run`); see the README."""
