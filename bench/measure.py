"""Measures shared by the benchmarks (imported as bench.measure: bench/run.py puts the repository on the path)."""

from __future__ import annotations


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
