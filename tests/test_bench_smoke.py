"""The benchmark scripts run end to end at tiny sizes and print their table (no timing asserted).

Each runs in this process (--in-process), so the network guard covers it, on the test's own
contracts; the real figures come from running the scripts themselves (see the README)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_query_latency_prints_a_table(contracts, tmp_path, capsys):
    from eval.bench import query_latency

    query_latency.main(["--docs", str(contracts), "--sizes", "200", "--queries", "2", "--warmup", "0",
                        "--cache", str(tmp_path / "cache"), "--in-process"])
    out = capsys.readouterr().out
    assert "p50/p95" in out and "recommendation" in out
    rows = {line.split()[1]: line.split() for line in out.splitlines() if line.split() and line.split()[0].isdigit()
            and line.split()[1] in ("before", "after")}
    assert len(rows) == 2, out  # both engines, one run
    assert all(float(row[9]) >= 0.9 for row in rows.values()), out  # dense recall@10 against exact search
    assert "before/after" in out
    assert any(line.split()[0] == "dense" for line in out.splitlines() if line.strip())
    assert list((tmp_path / "cache").glob("base-*.pkl"))  # the real embeddings, kept for the next run


def test_ingest_throughput_prints_a_table(contracts, capsys):
    from eval.bench import ingest_throughput

    ingest_throughput.main(["--docs", str(contracts), "--limit", "2", "--repeat", "1", "--in-process"])
    out = capsys.readouterr().out
    for label in ("embedding alone", "rights ingest, first run", "llamaindex from_documents", "unchanged re-run"):
        assert label in out, out
    assert "MiB" in out


def test_llm_speed_prints_a_table(contracts, capsys):
    pytest.importorskip("llama_cpp", reason="the embedded model needs llama-cpp-python")
    from eval.bench import llm_speed

    llm_speed.main(["--docs", str(contracts), "--prompts", "1", "--max-tokens", "4", "--passages", "1", "--in-process"])
    out = capsys.readouterr().out
    assert "TTFT" in out and "median of 1 prompts" in out and "peak RSS" in out


def test_consolidation_benchmark_reports_every_change_to_a_missing_clause(capsys):
    from eval.bench import consolidation

    result = consolidation.main(["--families", "20"])
    out = capsys.readouterr().out
    assert "ratio consolidation / key terms" in out and result["families"] == 20
    assert result["missing"] > 0 and result["reported"] == result["missing"]


def test_api_latency_prints_ratios_against_the_chat(capsys):
    from eval.bench.serving import api_latency

    api_latency.main(["--rounds", "1"])
    out = capsys.readouterr().out
    rows = {line.split("p50")[0].strip(): line for line in out.splitlines() if "ratio p50 vs chat" in line}
    assert set(rows) == {"chat", "api", "api stream (first content)", "api stream (end)"}, out
    assert "ratio p50 vs chat 1.00" in rows["chat"]
