"""Benchmarks run against a live server: `python -m bench.load`."""
