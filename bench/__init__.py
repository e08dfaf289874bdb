"""Benchmarks: each library layer against a raw baseline measured in the same run.

Run ``python -m bench --help`` from the repository root; see ``bench/README.md``.
"""
