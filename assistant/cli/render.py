"""How the ``rights`` commands print: one console for results, one for one-line errors, rich
tables for passages, records and answers, the ingest progress bars and report. Every value that
can come from a document, a file name or a question goes through ``safe`` (or, for ``--json``,
``terminal.dumps``) before it reaches the terminal. The commands themselves are in cli.py."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn
from rich.table import Table
from rich.text import Text

from assistant.ops.terminal import printable
from ingest.pipeline import FileResult, IngestReport
from ingest.readers.ocr import ocr_note

WARNINGS_SHOWN = 8

STATUS_NOTE = {
    "answered": "",
    "reduced": "[yellow]The model's own wording was not supported by its sources; showing the passage's words instead.[/]",
    "flagged": "[bold yellow]Warning: this answer states facts its cited sources do not contain.[/]",
    "abstained": "",
}

console = Console()


err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the width


def safe(value, multiline: bool = False) -> str:
    """Any text that can come from a document, a file name, a question, the audit log or the
    settings, made fit for a rich markup string: controls, bidi overrides and isolates shown as
    visible escapes (terminal.printable), then markup brackets escaped. Every such value the
    CLI prints goes through here (or, for ``--json``, through terminal.dumps)."""
    return escape(printable(value, multiline))


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed:6.1f}/s" if task.speed else "     -/s", style="progress.data.speed")


class RichProgress:
    """Files and chunks bars with rate and ETA."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.files = progress.add_task("files", total=0)
        self.chunks = progress.add_task("chunks embedded", total=0)

    def start(self, files: int) -> None:
        self.progress.update(self.files, total=files)

    def file_started(self, path: Path) -> None:
        self.progress.update(self.files, description=f"files [dim]{safe(path.name[:40])}[/]")

    def chunks_planned(self, n: int) -> None:
        task = self.progress.tasks[self.chunks]
        self.progress.update(self.chunks, total=(task.total or 0) + n)

    def chunks_done(self, n: int) -> None:
        self.progress.advance(self.chunks, n)

    def ocr_progress(self, path: Path, done: int, total: int) -> None:
        """Scanned pages of the file being read (OCR is slow: seconds a page)."""
        if not hasattr(self, "ocr"):
            self.ocr = self.progress.add_task("pages OCR'd", total=0)
            self.ocr_file: Path | None = None
            self.ocr_base = 0
        if path != self.ocr_file:  # a new file: its pages join the bar
            self.ocr_file = path
            self.ocr_base = int(self.progress.tasks[self.ocr].completed)
            self.progress.update(self.ocr, total=self.ocr_base + total)
        self.progress.update(self.ocr, completed=self.ocr_base + done, description=f"pages OCR'd [dim]{safe(path.name[:30])}[/]")

    def file_done(self, result: FileResult) -> None:
        self.progress.advance(self.files, 1)
        if result.status in ("failed", "skipped"):
            self.progress.console.print(f"[red]✗[/] {safe(result.path)}: {safe(result.reason or '')}")


def print_report(report: IngestReport, embedded: int) -> None:
    counts = report.counts
    table = Table(title="Ingestion summary", show_header=False, box=None)
    for status in ("new", "changed", "resumed", "unchanged", "removed", "failed", "skipped"):
        if counts.get(status) or status in ("new", "changed", "unchanged", "failed"):
            table.add_row(f"files {status}", str(counts.get(status, 0)))
    table.add_row("chunks written", str(report.chunks_written))
    table.add_row("chunks embedded (not cached)", str(embedded))
    table.add_row("seconds", f"{report.seconds:.1f}")
    table.add_row("chunks/s", f"{report.chunks_per_second:.1f}")
    console.print(table)
    if report.warned:
        n = sum(len(r.warnings) for r in report.warned)
        console.print(f"[bold yellow]{n} validation warning(s) in {len(report.warned)} file(s)[/] (ingested; stored on the records):")
        for r in report.warned:
            console.print(f"  [yellow]![/] {safe(r.path)}")
            for w in r.warnings[:WARNINGS_SHOWN]:
                console.print(f"      {safe(w)}", highlight=False)
            if len(r.warnings) > WARNINGS_SHOWN:
                console.print(f"      … {len(r.warnings) - WARNINGS_SHOWN} more (`rights sources --json`)")
    if report.problems:
        console.print(f"[bold red]{len(report.problems)} file(s) not ingested:[/]")
        for r in report.problems:
            console.print(f"  [red]✗[/] {safe(r.path)} — {safe(r.reason or r.status)}")


def print_hits(hits, show_text: bool = True, width: int = 600, notes: dict[str, list[str]] | None = None) -> None:
    """Ranked passages; ``notes`` (point id -> lines) say what a passage's changed clauses read now."""
    if not hits:
        console.print("[yellow]No passages found.[/] Is anything ingested? Try `rights sources`.")
        return
    for rank, hit in enumerate(hits, start=1):
        if hit.payload.get("record_kind"):
            print_record(rank, hit)
            continue
        chunk = hit.chunk
        where = [chunk.label(), f"chars {chunk.start}-{chunk.end}"]
        where += [note] if (note := ocr_note(hit.payload)) else []
        console.print(f"[bold cyan]{rank}.[/] [bold]{safe(' · '.join(map(str, where)))}[/]  [dim]score {hit.score:.3f}[/]")
        if show_text:
            text = " ".join(str(hit.payload.get("text", "")).split())
            console.print(f"   {safe(text[:width])}{'…' if len(text) > width else ''}", highlight=False)
        for note in (notes or {}).get(hit.point_id, []):
            console.print(f"   [yellow]now:[/] {safe(note)}", highlight=False)


def print_record(rank: int, hit) -> None:
    """A record chunk (work, recording, release, deal, row) as a small table, not raw JSON."""
    p = hit.payload
    kind = {"row": "table row"}.get(p["record_kind"], p["record_kind"])
    where = f"{p.get('file_name', '?')} · {p.get('location') or ''}".strip(" ·")
    found = f"  [green]identifier {safe(hit.signals['identifier'])}[/]" if hit.signals.get("identifier") else ""
    console.print(f"[bold cyan]{rank}.[/] [bold]{safe(kind)}: {safe(p.get('record_title') or '(untitled)')}[/]"
                  f"  [dim]{safe(where)} · score {hit.score:.3f}[/]{found}")
    table = Table(show_header=False, box=None, padding=(0, 1), pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    from ingest.identifiers import format_identifier
    from ingest.records.model import format_shares

    parties = p.get("parties") or []
    by_scheme: dict[str, list[str]] = {}
    for ident in p.get("identifiers") or []:
        if ident["scheme"] == "IPI" and parties:
            continue  # shown with each party below
        bad = " [red](invalid check digit)[/]" if not ident.get("valid", True) else ""
        by_scheme.setdefault(ident["scheme"], []).append(safe(format_identifier(ident["scheme"], ident["value"])) + bad)
    for scheme, values in by_scheme.items():
        table.add_row(safe(scheme), ", ".join(values))
    for field, value in (p.get("fields") or {}).items():
        if value in (None, "", [], {}):
            continue
        shown = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        table.add_row(safe(field.replace("_", " ")), safe(shown[:300]))
    console.print(table)
    if parties:
        pt = Table(box=None, padding=(0, 1), pad_edge=False, header_style="dim")
        for col in ("party", "role", "IPI", "society", "shares", "controlled"):
            pt.add_column(col, overflow="fold")
        for party in parties:
            shares = format_shares(party.get("shares") or {})
            ctl = {True: "yes", False: "no"}.get(party.get("controlled"), "")
            pt.add_row(safe(party.get("name") or ""), safe(party.get("role") or party.get("kind") or ""),
                       safe(party.get("ipi") or ""), safe(party.get("society") or ""), safe(shares), ctl)
        console.print(pt)
    for w in p.get("warnings") or []:
        console.print(f"   [yellow]! {safe(w)}[/]", highlight=False)


def print_answer(answer, show_all_sources: bool = False) -> None:
    console.print()
    console.print(Text(printable(answer.text, multiline=True), style="bold"))
    if answer.status != "answered" and STATUS_NOTE.get(answer.status):
        console.print(STATUS_NOTE[answer.status])
        for p in answer.problems[:3]:
            console.print(f"  [dim]· {safe(p)}[/]")
    if answer.abstained and answer.reason:
        console.print(f"[dim]({safe(answer.reason)})[/]")
    cited = answer.cited_sources()
    shown = answer.sources if show_all_sources or not cited else cited
    if shown:
        console.print()
        console.print("[bold]Sources[/]" if cited else "[bold]Closest passages[/] [dim](none cited)[/]")
    for source in shown:
        p = source.payload
        ocr = f" · {ocr_note(p)}" if ocr_note(p) else ""
        console.print(f"[bold cyan][{source.number}][/] [bold]{safe(source.label)}[/] [dim]chars {safe(p.get('start'))}-{safe(p.get('end'))}{ocr} · {safe(p.get('file_path', ''))}[/]")
        quote = next((c for n, c in answer.cited if n == source.number), None)
        text = " ".join(source.text.split())
        console.print(f"    {safe(text[:420])}{'…' if len(text) > 420 else ''}", highlight=False)
        del quote
    timing = f"retrieval {answer.retrieval_s:.2f} s"
    if answer.ttft_s is not None:
        timing += f" · first token {answer.ttft_s:.2f} s · total {answer.total_s:.2f} s · {safe(answer.model)}"
    console.print(f"[dim]{timing}[/]")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- sources / forget -----------------------------------------------------------------------------
