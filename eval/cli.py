"""``rights eval``: registered into the ``rights`` command through the ``rights.commands`` entry
point, so that ``assistant`` never imports ``eval`` (dependencies flow one way)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from assistant.cli.common import command_settings, friendly
from assistant.cli.render import RichProgress, console, err
from eval.compare import flips, load_run, metric_deltas
from eval.dataset import load_dataset, select
from eval.gates import check, load_gate
from eval.systems import SYSTEMS

HELP = """Score retrieval (and answers) against a gold question set, offline, and write a report.

\b
Run:      rights eval --corpus DIR --dataset FILE [--limit N] [--retrieval-only] [--out DIR]
Compare:  rights eval --compare RUN_A RUN_B
Gate:     rights eval --gate demo        (fixed slice + committed thresholds; exit 1 if below)

The corpus is ingested into the evaluation's own store (reused while it is unchanged). Every
question goes to each system: rights (the product), dense, lexical (its halves alone) and
llamaindex (LlamaIndex's tutorial pipeline on the same model). A run folder gets metrics.json,
results.jsonl (one line per question) and report.html. Metrics are defined in the README.
"""


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=err)


def _print_summary(result: dict) -> None:
    systems = list(result["retrieval"])
    table = Table(title=f"retrieval · {result['answerable']} answerable of {result['questions']} questions")
    table.add_column("metric")
    for s in systems:
        table.add_column(s, justify="right")
    keys = [k for k in next(iter(result["retrieval"].values()))["overall"] if k != "n"]
    for key in keys:
        vals = [result["retrieval"][s]["overall"].get(key) for s in systems]
        present = [v for v in vals if v is not None]
        best = max(present) if present and not key.startswith("retrieval_ms") else (min(present) if present else None)
        cells = [("–" if v is None else (f"[bold]{v:.3f}[/]" if v == best else f"{v:.3f}")) for v in vals]
        table.add_row(key, *cells)
    console.print(table)
    if result.get("answers"):
        t = Table(title="answers")
        t.add_column("metric")
        t.add_column("value", justify="right")
        for key, value in result["answers"]["overall"].items():
            t.add_row(key, "–" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value)))
        console.print(t)


def _compare(a: Path, b: Path) -> None:
    ma, ra = load_run(a)
    mb, rb = load_run(b)
    table = Table(title=f"{escape(ma['label'])} → {escape(mb['label'])}")
    for col in ("where", "metric", "A", "B", "change"):
        table.add_column(col, justify="right" if col in ("A", "B", "change") else "left")
    for d in metric_deltas(ma, mb):
        if d.change is None or abs(d.change) < 1e-9:
            continue
        lower_better = d.metric.startswith(("retrieval_ms", "ttft", "total_s", "answers_without"))
        good = (d.change < 0) if lower_better else (d.change > 0)
        colour = "green" if good else "red"
        table.add_row(d.section, d.metric, f"{d.a:.3f}", f"{d.b:.3f}", f"[{colour}]{d.change:+.3f}[/]")
    console.print(table if table.row_count else "[dim]no metric moved[/]")
    for kind, qids in flips(ra, rb).items():
        if qids:
            colour = "green" if kind.endswith("fixed") else "red"
            console.print(f"[{colour}]{kind.replace('_', ' ')}[/] ({len(qids)}): " + ", ".join(escape(q) for q in qids[:25])
                          + (" …" if len(qids) > 25 else ""))


def eval_cmd(
    corpus: Path | None = typer.Option(None, "--corpus", help="Folder of documents the dataset's doc_ids name (file name without extension)."),
    dataset: Path | None = typer.Option(None, "--dataset", help="Questions, JSON lines (format in the README)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N questions."),
    sample: int | None = typer.Option(None, "--sample", min=1, help="N questions evenly spread over the file (deterministic)."),
    retrieval_only: bool = typer.Option(False, "--retrieval-only", help="Skip answer generation (minutes faster)."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (default: DATA_DIR/eval-runs/<time>-<label>)."),
    systems: str = typer.Option(",".join(SYSTEMS), "--systems", help="Comma-separated: " + ", ".join(SYSTEMS) + "."),
    label: str = typer.Option("", "--label", help="A name for this run, shown in reports and comparisons."),
    compare: list[Path] | None = typer.Option(None, "--compare", help="Two run folders: show what moved (give twice)."),
    gate: str | None = typer.Option(None, "--gate", help="Run a committed gate (eval/gates/NAME.toml); exit 1 below threshold."),
) -> None:
    from eval.runner import Hooks, RunConfig, run_eval

    if compare:
        if len(compare) != 2:
            raise typer.BadParameter("give exactly two run folders: --compare A --compare B", param_hint="--compare")
        _compare(*compare)
        return
    settings = command_settings()
    thresholds: dict[str, float] = {}
    qids = None
    chosen = [s.strip() for s in systems.split(",") if s.strip()]
    if gate:
        g = load_gate(gate)
        corpus, dataset, qids, thresholds = g.corpus_for(settings.data_dir), g.dataset, g.qids, g.thresholds
        chosen, retrieval_only, label = g.systems, g.retrieval_only or retrieval_only, label or f"gate-{g.name}"
    if corpus is None or dataset is None:
        raise typer.BadParameter("--corpus and --dataset are required (or --gate / --compare)")
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus}")
    unknown = [s for s in chosen if s not in SYSTEMS]
    if unknown:
        raise typer.BadParameter(f"unknown system {unknown[0]!r}; choose from {', '.join(SYSTEMS)}", param_hint="--systems")
    questions = load_dataset(dataset)
    if qids:
        questions = select(questions, qids)
    if limit:
        questions = questions[:limit]
    if sample and sample < len(questions):
        step = len(questions) / sample
        questions = [questions[int(i * step)] for i in range(sample)]
    label = label or corpus.name
    out = out or settings.data_dir / "eval-runs" / f"{datetime.now():%Y%m%d-%H%M%S}-{label}"
    answer_factory = None
    if not retrieval_only:
        from eval.answers import answer_factory_for

        answer_factory = answer_factory_for(settings)
    with _progress() as progress:
        task = {"id": None}

        def start(desc: str, total: int) -> None:
            task["id"] = progress.add_task(desc, total=total)

        hooks = Hooks(
            log=lambda m: progress.console.print(escape(m)),
            ingest_listener=RichProgress(progress),
            start=start,
            advance=lambda: progress.advance(task["id"]),
        )
        config = RunConfig(corpus=corpus, dataset=dataset, out=out, systems=chosen, retrieval_only=retrieval_only, label=label)
        result = run_eval(settings, config, questions, answer_factory=answer_factory, hooks=hooks)
    _print_summary(result)
    console.print(f"wall time {result['wall_s']} s · report: [bold]{escape(str(out / 'report.html'))}[/]")
    if thresholds:
        failures = check(result, thresholds)
        for f in failures:
            err.print(f"[bold red]gate failed:[/] {escape(f)}")
        if failures:
            raise typer.Exit(1)
        console.print(f"[green]gate passed[/] ({len(thresholds)} thresholds)")


def register(app: typer.Typer) -> None:
    app.command("eval", help=HELP)(friendly(eval_cmd))
