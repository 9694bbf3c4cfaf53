"""What a measured child process and the benchmark that started it agree on.

The child (`benchmarks.child`) prints its result as the last stdout line,
`BENCH_RESULT {json}`; the parent (`benchmarks.memory`) reads it, and raises
`BenchFailure` when the child failed. Both import this module and not each other.
"""

from __future__ import annotations

RESULT_PREFIX = "BENCH_RESULT "


class BenchFailure(RuntimeError):
    """A measured run failed: the benchmark stops rather than report a broken figure."""
