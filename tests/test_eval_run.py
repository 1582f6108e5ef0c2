"""`rights eval` end to end on the bundled demo corpus (retrieval), the report, comparisons and
the committed regression gates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from assistant.demo import corpus_dir, questions_path
from eval.compare import flips, load_run, metric_deltas
from eval.dataset import load_dataset
from eval.gates import GateUnavailable, check, load_gate
from eval.runner import RunConfig, run_eval


@pytest.fixture(scope="module")
def run(tmp_path_factory, embedder):
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("data")
    out = tmp_path_factory.mktemp("runs") / "a"
    questions = load_dataset(questions_path())
    config = RunConfig(corpus=corpus_dir(), dataset=questions_path(), out=out, systems=["rights", "dense", "lexical"],
                       retrieval_only=True, label="demo-a")
    result = run_eval(Settings(data_dir=data), config, questions, embedder=embedder)
    return data, out, result


def test_run_writes_metrics_results_and_a_report(run):
    _, out, result = run
    assert {p.name for p in out.iterdir()} >= {"metrics.json", "results.jsonl", "report.html"}
    assert json.loads((out / "metrics.json").read_text()) == json.loads(json.dumps(result, default=str))
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    demo = load_dataset(questions_path())
    assert len(rows) == result["questions"] == len(demo)
    assert all(set(r["retrieval"]) == {"rights", "dense", "lexical"} for r in rows)
    assert all(len(r["retrieval"]["rights"]["top"]) == 10 for r in rows)
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 3 and "Span recall@5 by category" in html and "http" not in html.split("<svg")[0]


def test_metrics_are_consistent(run):
    _, _, result = run
    for system, data in result["retrieval"].items():
        o = data["overall"]
        assert o["n"] == sum(q.answerable for q in load_dataset(questions_path()))
        for metric in ("doc_hit", "span_recall", "mrr"):
            values = [o[f"{metric}@{k}"] for k in (1, 3, 5, 10)]
            assert all(0.0 <= v <= 1.0 for v in values)
            assert values == sorted(values), f"{system} {metric} must not fall as k grows"
        assert o["span_recall@1"] <= o["doc_hit@1"]


def test_our_retrieval_is_not_worse_than_its_halves_on_the_demo(run):
    _, _, result = run
    r = {s: d["overall"] for s, d in result["retrieval"].items()}
    assert r["rights"]["span_recall@5"] >= max(r["dense"]["span_recall@5"], r["lexical"]["span_recall@5"])


def test_rerun_reuses_the_store_and_gives_the_same_numbers(run, embedder, tmp_path):
    from assistant.settings import Settings

    data, _, first = run
    config = RunConfig(corpus=corpus_dir(), dataset=questions_path(), out=tmp_path / "b", systems=["rights", "dense", "lexical"],
                       retrieval_only=True, label="demo-b")
    before = embedder.embedded_count
    second = run_eval(Settings(data_dir=data), config, load_dataset(questions_path()), embedder=embedder)
    n = len(load_dataset(questions_path()))
    assert embedder.embedded_count - before <= 3 * n * 2  # only the questions, never the corpus again
    for system in first["retrieval"]:
        a, b = first["retrieval"][system]["overall"], second["retrieval"][system]["overall"]
        assert {k: v for k, v in a.items() if "ms" not in k} == {k: v for k, v in b.items() if "ms" not in k}


def test_compare_reports_moved_metrics_and_flipped_questions(run, tmp_path):
    _, out, _ = run
    b = tmp_path / "b"
    shutil.copytree(out, b)
    rows = [json.loads(line) for line in (b / "results.jsonl").read_text().splitlines()]
    target = next(r for r in rows if r["answerable"] and r["retrieval"]["rights"]["span_recall@5"])
    target["retrieval"]["rights"]["span_recall@5"] = 0.0
    (b / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    metrics = json.loads((b / "metrics.json").read_text())
    metrics["retrieval"]["rights"]["overall"]["span_recall@5"] -= 0.05
    (b / "metrics.json").write_text(json.dumps(metrics))
    ma, ra = load_run(out)
    mb, rb = load_run(b)
    moved = [d for d in metric_deltas(ma, mb) if d.change]
    assert [(d.section, d.metric) for d in moved] == [("retrieval:rights", "span_recall@5")]
    assert flips(ra, rb)["retrieval_broken"] == [target["qid"]]
    assert flips(rb, ra)["retrieval_fixed"] == [target["qid"]]


def test_gate_thresholds_pass_and_fail():
    result = {"retrieval": {"rights": {"overall": {"span_recall@5": 0.8}}}, "answers": None}
    assert check(result, {"retrieval.rights.span_recall@5": 0.75}) == []
    assert check(result, {"retrieval.rights.span_recall@5": 0.9}) == ["retrieval.rights.span_recall@5 = 0.8 < 0.9"]
    assert check(result, {"answers.token_f1": 0.1}) == ["answers.token_f1 = None < 0.1"]


def test_the_demo_gate_holds(run):
    _, _, result = run
    gate = load_gate("demo")
    assert gate.thresholds, "the demo gate must have thresholds"
    assert check(result, {k: v for k, v in gate.thresholds.items() if k.startswith("retrieval.")}) == []


def test_cuad_slice_gate(tmp_path, embedder):
    """The committed cuad-dev slice; runs where ../shared/data is present (not part of the repo)."""
    from assistant.settings import Settings

    try:
        gate = load_gate("cuad-slice")
    except GateUnavailable as exc:
        pytest.skip(str(exc))
    questions = load_dataset(gate.dataset)
    from eval.dataset import select

    questions = select(questions, gate.qids) if gate.qids else questions
    config = RunConfig(corpus=gate.corpus_for(tmp_path), dataset=gate.dataset, out=tmp_path / "run", systems=gate.systems, retrieval_only=True)
    result = run_eval(Settings(data_dir=tmp_path / "data"), config, questions, embedder=embedder)
    assert check(result, gate.thresholds) == []


def rights(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli.app", *args], capture_output=True, text=True, env=env, timeout=600)


def test_cli_errors_are_one_line(tmp_path):
    env = dict(os.environ, RIGHTS_DATA_DIR=str(tmp_path / "d"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"qid": 1\n')
    p = rights("eval", "--corpus", str(corpus_dir()), "--dataset", str(bad), env=env)
    assert p.returncode == 2 and "bad.jsonl:1: not JSON" in p.stderr and "Traceback" not in p.stderr
    p = rights("eval", "--compare", str(tmp_path), "--compare", str(tmp_path), env=env)
    assert p.returncode == 2 and "not an evaluation run" in p.stderr
    p = rights("eval", "--gate", "nope", env=env)
    assert p.returncode == 2 and "known: " in p.stderr and "demo" in p.stderr
