"""Peak memory of one benchmark job: run it in a fresh process and read that process's high-water mark.

``run_isolated(fn, *args)`` starts a new Python process (multiprocessing "spawn": nothing is
inherited from the parent, no model already loaded), runs ``fn`` there and returns its result with
the child's peak resident set size (``getrusage(RUSAGE_SELF).ru_maxrss``, read in the child just
before it returns). Jobs measured this way never mix their peaks, and a job's peak includes
everything it loaded (models, store, Python) - what a user's process would hold.

``fn`` must be a module-level function and its arguments and result picklable.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
from collections.abc import Callable
from typing import Any


def peak_rss_mb() -> float:
    """High-water resident memory of this process so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 1024)


def _child(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Any, float]:
    result = fn(*args, **kwargs)
    return result, peak_rss_mb()


def run_isolated(fn: Callable[..., Any], *args: Any, isolate: bool = True, **kwargs: Any) -> tuple[Any, float]:
    """``(fn(*args, **kwargs), peak RSS in MiB)`` of a fresh process running it.

    With ``isolate=False`` it runs here (quick checks, tests): the peak is then this process's,
    everything it did before included."""
    if not isolate:
        return _child(fn, args, kwargs)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_child, (fn, args, kwargs))


def percentile(values: list[float], q: float) -> float:
    """Percentile ``q`` (0..100) of a non-empty list: the value at rank round(q% of n-1), as chat_load reports p95."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]
