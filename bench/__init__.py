"""Benchmarks for survey-coder: speed against spaCy's own tokenizer, accuracy against
plain baselines. Run with `make bench` (or `.venv/bin/python -m bench`); results go to
bench/results/<date>-<kind>.json and are printed as rich tables. Not part of the tests.
"""
