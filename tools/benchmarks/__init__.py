"""Benchmarks run by `make bench` (tools/bench.py).

Each module here defines `bench_*` functions returning a dict of measurements (numbers or short
strings). A function with a `scale` parameter is run at 1×, 10× and 100×, where 100× is about
the size of all of China (300 cities × 10 years ≈ 3,000 reports). The runner starts each call
in its own process and measures its wall time and peak memory.
"""
