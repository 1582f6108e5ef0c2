"""The per-step timing of retrieval (`rights -v search`, the latency benchmark): every step is
reported, the steps add up to (nearly) the whole, and asking for no timings changes nothing."""

from __future__ import annotations

import time


def test_each_retrieval_step_is_timed_and_they_add_up(fast_service, contracts):
    assert fast_service.ingest([contracts]).ok
    question = "When does the Nova Records agreement expire?"
    fast_service.retrieve(question, 5)  # first use: caches
    timings: dict[str, float] = {}
    began = time.perf_counter()
    timed = fast_service.retrieve(question, 5, timings=timings)
    total = time.perf_counter() - began
    assert set(timings) >= {"filters", "names", "embedding", "engine", "quoted", "clause types", "fusion", "identifiers"}
    assert all(v >= 0 for v in timings.values())
    assert sum(timings.values()) <= total and sum(timings.values()) >= 0.5 * total, (timings, total)
    plain = fast_service.retrieve(question, 5)
    assert [h.point_id for h in plain] == [h.point_id for h in timed]
