"""The ``rights`` command line: ingest, search, list and forget documents, show settings, demo."""

from __future__ import annotations

import functools
import json
import sys
import warnings
from pathlib import Path
from typing import Callable, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import ProgressColumn, BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ingest.pipeline import FileResult, IngestReport

from .embedding import EmbeddingError
from .settings import Settings, load_settings
from .store import StoreError

console = Console()
err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the width

app = typer.Typer(
    help=(
        "rights-assistant: search and question a music company's contracts, offline.\n\n"
        "Typical use: `rights ingest ~/contracts` then `rights search \"when does the Nova "
        "Records deal expire?\"`. Everything runs on this machine; nothing is sent anywhere."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    config: Optional[Path] = None


def _settings() -> Settings:
    return load_settings(State.config)


# Failures a user can fix: one red line, exit 2. Plugins add their own (see load_plugins).
USER_ERRORS: list[type[BaseException]] = [StoreError, EmbeddingError, FileNotFoundError]


def friendly(fn: Callable) -> Callable:
    """Turn expected failures into one red line and exit status 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except tuple(USER_ERRORS) as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            err.print(f"[bold red]error:[/] invalid setting {where}: {escape(first.get('msg', str(exc)))}")
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]: the store is consistent; run the same command again to finish")
            raise typer.Exit(130) from None

    return wrapper


@app.callback()
def _main(
    config: Optional[Path] = typer.Option(
        None, "--config", "-c", help="TOML settings file (also RIGHTS_CONFIG). See `rights config`.", show_default=False
    ),
) -> None:
    State.config = config


# -- ingest ---------------------------------------------------------------------------------------
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
        self.progress.update(self.files, description=f"files [dim]{escape(path.name[:40])}[/]")

    def chunks_planned(self, n: int) -> None:
        task = self.progress.tasks[self.chunks]
        self.progress.update(self.chunks, total=(task.total or 0) + n)

    def chunks_done(self, n: int) -> None:
        self.progress.advance(self.chunks, n)

    def file_done(self, result: FileResult) -> None:
        self.progress.advance(self.files, 1)
        if result.status in ("failed", "skipped"):
            self.progress.console.print(f"[red]✗[/] {escape(result.path)}: {escape(result.reason or '')}")


def run_ingest(service, paths: list[Path], prune: bool, quiet: bool) -> IngestReport:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, disable=quiet, transient=False) as progress:
        report = service.ingest(paths, prune=prune, listener=RichProgress(progress))
    print_report(report, service.embedder.embedded_count)
    return report


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
            console.print(f"  [yellow]![/] {escape(r.path)}")
            for w in r.warnings[:WARNINGS_SHOWN]:
                console.print(f"      {escape(w)}", highlight=False)
            if len(r.warnings) > WARNINGS_SHOWN:
                console.print(f"      … {len(r.warnings) - WARNINGS_SHOWN} more (`rights sources --json`)")
    if report.problems:
        console.print(f"[bold red]{len(report.problems)} file(s) not ingested:[/]")
        for r in report.problems:
            console.print(f"  [red]✗[/] {escape(r.path)} — {escape(r.reason or r.status)}")


WARNINGS_SHOWN = 8


@app.command("ingest")
@friendly
def ingest_cmd(
    paths: list[Path] = typer.Argument(..., help="Files and folders (searched recursively) to ingest."),
    prune: bool = typer.Option(False, "--prune", help="Also remove documents whose files under PATHS no longer exist."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; summary only."),
) -> None:
    """Ingest contracts (PDF, DOCX, TXT, Markdown) and music data (split sheets and catalog
    exports as CSV/XLSX, DDEX ERN 3.8/4.x XML, CWR 2.1/2.2/3.0) into the store, incrementally.

    Contracts are chunked by clause; structured files become one chunk per work, recording,
    release or deal, with identifiers (ISWC, ISRC, IPI, UPC) normalised and validated. Shares
    that don't total 100%, bad check digits and identifiers given to two titles are listed as
    validation warnings (the records are still ingested). Unchanged files are skipped; changed files replace their earlier chunks; bad files are
    reported with a reason and the rest of the batch goes on. Safe to interrupt: run it again
    to finish. Exit status: 0 all ingested, 1 some files failed, 2 the job could not run.
    """
    from .service import RightsService

    with RightsService(_settings()) as service:
        report = run_ingest(service, paths, prune, quiet)
    raise typer.Exit(0 if report.ok else 1)


# -- search ---------------------------------------------------------------------------------------
def print_hits(hits, show_text: bool = True, width: int = 600) -> None:
    if not hits:
        console.print("[yellow]No passages found.[/] Is anything ingested? Try `rights sources`.")
        return
    for rank, hit in enumerate(hits, start=1):
        if hit.payload.get("record_kind"):
            print_record(rank, hit)
            continue
        where = [hit.payload.get("file_name", "?")]
        if hit.payload.get("section"):
            where.append(f"§ {hit.payload['section']}")
        if hit.payload.get("heading"):
            where.append(str(hit.payload["heading"]))
        if hit.payload.get("page"):
            page, page_end = hit.payload["page"], hit.payload.get("page_end")
            where.append(f"p. {page}" if not page_end or page_end == page else f"pp. {page}-{page_end}")
        where.append(f"chars {hit.payload.get('start')}-{hit.payload.get('end')}")
        console.print(f"[bold cyan]{rank}.[/] [bold]{escape(' · '.join(where))}[/]  [dim]score {hit.score:.3f}[/]")
        if show_text:
            text = " ".join(str(hit.payload.get("text", "")).split())
            console.print(f"   {escape(text[:width])}{'…' if len(text) > width else ''}", highlight=False)


def print_record(rank: int, hit) -> None:
    """A record chunk (work, recording, release, deal, row) as a small table, not raw JSON."""
    p = hit.payload
    kind = {"row": "table row"}.get(p["record_kind"], p["record_kind"])
    where = f"{p.get('file_name', '?')} · {p.get('location') or ''}".strip(" ·")
    found = f"  [green]identifier {escape(hit.signals['identifier'])}[/]" if hit.signals.get("identifier") else ""
    console.print(f"[bold cyan]{rank}.[/] [bold]{escape(kind)}: {escape(str(p.get('record_title') or '(untitled)'))}[/]"
                  f"  [dim]{escape(where)} · score {hit.score:.3f}[/]{found}")
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
        by_scheme.setdefault(ident["scheme"], []).append(escape(format_identifier(ident["scheme"], ident["value"])) + bad)
    for scheme, values in by_scheme.items():
        table.add_row(scheme, ", ".join(values))
    for field, value in (p.get("fields") or {}).items():
        if value in (None, "", [], {}):
            continue
        shown = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        table.add_row(field.replace("_", " "), escape(shown[:300]))
    console.print(table)
    if parties:
        pt = Table(box=None, padding=(0, 1), pad_edge=False, header_style="dim")
        for col in ("party", "role", "IPI", "society", "shares", "controlled"):
            pt.add_column(col, overflow="fold")
        for party in parties:
            shares = format_shares(party.get("shares") or {})
            ctl = {True: "yes", False: "no"}.get(party.get("controlled"), "")
            pt.add_row(escape(party.get("name") or ""), escape(party.get("role") or party.get("kind") or ""),
                       party.get("ipi") or "", escape(party.get("society") or ""), shares, ctl)
        console.print(pt)
    for w in p.get("warnings") or []:
        console.print(f"   [yellow]! {escape(w)}[/]", highlight=False)


@app.command("search")
@friendly
def search_cmd(
    question: str = typer.Argument(..., help="A question or keywords, e.g. \"sync licence territory\"."),
    k: int = typer.Option(None, "-k", "--top", min=1, max=100, help="How many passages (default: search_k setting)."),
    doc_type: Optional[str] = typer.Option(None, "--doc-type", "-t", help="Only this document type, e.g. contract."),
    mode: str = typer.Option("auto", "--mode", help="auto (the product's retrieval: hybrid, identifiers first, "
                             "named documents preferred), hybrid (plain fusion), dense or lexical."),
    party: Optional[str] = typer.Option(None, "--party", "-p", help="Only agreements with this party (part of the name is enough)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only agreements made on or after this date (YYYY or YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Only agreements made on or before this date."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Retrieval only: print the passages that best match QUESTION, with file, section, page
    and character offsets into the document's extracted text."""
    from .service import RightsService

    if mode not in ("auto", "hybrid", "dense", "lexical"):
        raise typer.BadParameter("mode must be auto, hybrid, dense or lexical", param_hint="--mode")
    with RightsService(_settings()) as service:
        if mode == "auto":
            hits = service.retrieve(question, k, doc_type=doc_type, party=party,
                                    date_from=_iso(since, "--since"), date_to=_iso(until, "--until"))
        else:
            scope = service.scope_documents(None, party, _iso(since, "--since"), _iso(until, "--until"))
            hits = [] if scope == [] else service.search(question, k, doc_type=doc_type, mode=mode, doc_ids=scope)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps([{"score": h.score, **h.payload} for h in hits], ensure_ascii=False, indent=1))
    elif not hits and (party or since or until):
        console.print("[yellow]No ingested document matches --party/--since/--until.[/] See `rights sources` for parties and dates.")
    else:
        print_hits(hits)


# -- ask ------------------------------------------------------------------------------------------
STATUS_NOTE = {
    "answered": "",
    "reduced": "[yellow]The model's own wording was not supported by its sources; showing the passage's words instead.[/]",
    "flagged": "[bold yellow]Warning: this answer states facts its cited sources do not contain.[/]",
    "abstained": "",
}


def print_answer(answer, show_all_sources: bool = False) -> None:
    console.print()
    console.print(Text(answer.text, style="bold"))
    if answer.status != "answered" and STATUS_NOTE.get(answer.status):
        console.print(STATUS_NOTE[answer.status])
        for p in answer.problems[:3]:
            console.print(f"  [dim]· {escape(p)}[/]")
    if answer.abstained and answer.reason:
        console.print(f"[dim]({escape(answer.reason)})[/]")
    cited = answer.cited_sources()
    shown = answer.sources if show_all_sources or not cited else cited
    if shown:
        console.print()
        console.print("[bold]Sources[/]" if cited else "[bold]Closest passages[/] [dim](none cited)[/]")
    for source in shown:
        p = source.payload
        console.print(f"[bold cyan][{source.number}][/] [bold]{escape(source.label)}[/] [dim]chars {p.get('start')}-{p.get('end')} · {escape(str(p.get('file_path', '')))}[/]")
        quote = next((c for n, c in answer.cited if n == source.number), None)
        text = " ".join(source.text.split())
        console.print(f"    {escape(text[:420])}{'…' if len(text) > 420 else ''}", highlight=False)
        del quote
    timing = f"retrieval {answer.retrieval_s:.2f} s"
    if answer.ttft_s is not None:
        timing += f" · first token {answer.ttft_s:.2f} s · total {answer.total_s:.2f} s · {answer.model}"
    console.print(f"[dim]{timing}[/]")


@app.command("ask")
@friendly
def ask_cmd(
    question: str = typer.Argument(..., help="A question, e.g. \"When does the Nova Records deal expire?\""),
    doc_type: Optional[str] = typer.Option(None, "--doc-type", "-t", help="Only documents of this type."),
    doc: Optional[list[str]] = typer.Option(None, "--doc", "-d", help="Only this document (id, file name or title); repeatable."),
    party: Optional[str] = typer.Option(None, "--party", "-p", help="Only agreements with this party (part of the name is enough)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only agreements made on or after this date (YYYY or YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Only agreements made on or before this date (YYYY or YYYY-MM-DD)."),
    all_sources: bool = typer.Option(False, "--all-sources", help="Show every passage given to the model, not only the cited ones."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Answer QUESTION from the ingested documents, citing the passages it rests on.

    The model is Ollama when OLLAMA_HOST (or llm.ollama_host) is set, else the embedded model.
    Every fact in the answer is checked against the passage it cites; when the documents do not
    answer, it says "The documents do not say." Exit status 0 answered, 3 abstained.
    """
    from .answering import Answerer, TokenEvent, FinalEvent, describe_source
    from .llm import LLMError
    from .service import RightsService

    with RightsService(_settings()) as service:
        doc_ids = None
        if doc:
            doc_ids = []
            for ref in doc:
                found = service.find_documents(ref)
                if not found:
                    raise FileNotFoundError(f"no ingested document matches {ref!r} (see `rights sources`)")
                doc_ids += [d.doc_id for d in found]
        answerer = Answerer(service)
        final = None
        try:
            with console.status("retrieving and generating…", spinner="dots") if not as_json else _null():
                for event in answerer.stream(question, doc_type=doc_type, doc_ids=doc_ids, party=party,
                                             date_from=_iso(since, "--since"), date_to=_iso(until, "--until")):
                    if isinstance(event, FinalEvent):
                        final = event.answer
        except LLMError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None
    assert final is not None
    import getpass

    from . import audit

    filters = {"doc_type": doc_type, "party": party, "since": since, "until": until, "doc": doc}
    audit.append(service.settings.audit_path, audit.entry(getpass.getuser(), question, final, filters, "cli"))
    if as_json:
        print(json.dumps({
            "question": final.question, "answer": final.text, "status": final.status, "reason": final.reason,
            "problems": final.problems, "draft": final.draft, "model": final.model,
            "cited": [{"source": n, "claim": c} for n, c in final.cited],
            "sources": [describe_source(s) for s in final.sources],
            "timings": {"retrieval_s": final.retrieval_s, "ttft_s": final.ttft_s, "total_s": final.total_s, "tokens": final.tokens},
        }, ensure_ascii=False, indent=1))
    else:
        print_answer(final, all_sources)
    raise typer.Exit(3 if final.abstained else 0)


def _iso(value: Optional[str], option: str) -> Optional[str]:
    import re

    if value is None:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise typer.BadParameter("use YYYY, YYYY-MM or YYYY-MM-DD", param_hint=option)
    return value


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- sources / forget -----------------------------------------------------------------------------
@app.command("sources")
@friendly
def sources_cmd(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List ingested documents: title, kind, chunks, pages, state and when they were ingested."""
    from .service import RightsService

    with RightsService(_settings()) as service:
        docs = service.sources()
    if as_json:
        print(json.dumps([d.payload() for d in docs], ensure_ascii=False, indent=1))
        return
    if not docs:
        console.print("No documents ingested yet. Try `rights demo` or `rights ingest FOLDER`.")
        return
    table = Table(title=f"{len(docs)} document(s)")
    for col in ("file", "title", "parties", "made", "kind", "chunks", "pages", "state", "id"):
        table.add_column(col, overflow="fold")
    for d in docs:
        state = d.state if d.state == "complete" else f"[yellow]{d.state}[/]"
        table.add_row(escape(d.file_name), escape(d.title[:60]), escape(" · ".join(d.parties)), d.agreement_date or "",
                      d.kind, str(d.n_chunks), str(d.pages or ""), state, d.doc_id)
    console.print(table)


@app.command("forget")
@friendly
def forget_cmd(
    docs: list[str] = typer.Argument(..., help="Document id, path, file name or title (see `rights sources`)."),
) -> None:
    """Remove documents and all their chunks from the store (the files are not touched)."""
    from .service import RightsService

    missing = 0
    with RightsService(_settings()) as service:
        for ref in docs:
            found = service.find_documents(ref)
            if not found:
                err.print(f"[red]✗[/] no ingested document matches '{escape(ref)}'")
                missing += 1
                continue
            if len(found) > 1:
                err.print(f"[red]✗[/] '{escape(ref)}' matches {len(found)} documents; use the id:")
                for d in found:
                    err.print(f"    {d.doc_id}  {escape(d.file_path)}")
                missing += 1
                continue
            service.forget(found[0])
            console.print(f"[green]✓[/] forgot {escape(found[0].file_path)}")
    raise typer.Exit(1 if missing else 0)


# -- config ---------------------------------------------------------------------------------------
@app.command("config")
@friendly
def config_cmd(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Print the effective settings (secrets masked) and how to change them.

    Environment: RIGHTS_DATA_DIR, RIGHTS_COLLECTION, RIGHTS_SEARCH_K, RIGHTS_CHUNKING__MAX_CHARS,
    RIGHTS_EMBEDDING__BATCH_SIZE ..., QDRANT_URL, QDRANT_API_KEY; or a TOML file via --config /
    RIGHTS_CONFIG with the same keys (sections [chunking], [embedding]).
    """
    data = _settings().public_dict()
    if as_json:
        print(json.dumps(data, indent=1))
        return
    table = Table(title="Effective settings", show_header=False)
    for key, value in _flatten(data):
        table.add_row(key, escape(str(value)))
    console.print(table)


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


# -- demo -----------------------------------------------------------------------------------------
@app.command("demo")
@friendly
def demo_cmd(
    questions: int = typer.Option(3, "--questions", "-n", min=0, help="How many sample questions to answer after ingesting."),
    chat: bool = typer.Option(True, "--chat/--no-chat", help="Then open the browser chat on the demo (Ctrl-C stops it)."),
) -> None:
    """Ingest the bundled demo corpus (nine fictional music contracts, a split sheet and a
    catalog export), answer sample questions with cited sources, saying whether the cited
    passages hold the expected answer, and look up a work by its ISWC."""
    from .answering import Answerer
    from .demo import corpus_dir, sample_questions
    from .llm import LLMError
    from .service import RightsService

    with RightsService(_settings()) as service:
        report = run_ingest(service, [corpus_dir()], prune=False, quiet=False)
        answerer = Answerer(service)
        for q in sample_questions(questions):
            console.rule(f"[bold]{escape(q['question'])}")
            try:
                with console.status("retrieving and generating…", spinner="dots"):
                    answer = answerer.ask(q["question"])
            except LLMError as exc:
                err.print(f"[bold red]error:[/] {escape(str(exc))}")
                raise typer.Exit(2) from None
            print_answer(answer)
            cited = " ".join(" ".join(s.text.split()).lower() for s in answer.cited_sources())
            ok = " ".join(q.get("gold_answer", "").split()).lower() in cited and not answer.abstained
            console.print(f"expected: {escape(q.get('gold_answer', '?'))} ({escape(q.get('doc_id', '?'))} § {escape(str(q.get('gold_section')))}) — "
                          + ("[green]a cited passage holds it[/]" if ok else "[yellow]not in the cited passages[/]"))
        lookup = "Who wrote t 345 246 800 3 and what are the splits?"
        console.rule(f"[bold]{escape(lookup)}[/]  (rights search: identifiers match exactly, any formatting)")
        print_hits(service.retrieve(lookup, 2))
        if chat:
            _serve_chat(service, None, None, answerer)
    raise typer.Exit(0 if report.ok else 1)


def _serve_chat(service, host: Optional[str], port: Optional[int], answerer=None) -> None:
    from .ui import LOOPBACK, SignInRequired, launch

    host = host or service.settings.ui.host
    port = port or service.settings.ui.port
    console.rule(f"[bold]Chat: http://{host}:{port}[/]  (Ctrl-C stops it)")
    if host not in LOOPBACK:
        err.print(f"[yellow]The chat listens on {escape(host)}: anyone who can reach it can ask questions.[/]")
    try:
        launch(service, host, port, answerer=answerer, block=True)
    except SignInRequired as exc:
        raise StoreError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"cannot start the chat on {host}:{port}: {exc.strerror or exc} (is another chat running? use --port)") from None


@app.command("chat")
@friendly
def chat_cmd(
    host: Optional[str] = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1: this machine only)."),
    port: Optional[int] = typer.Option(None, "--port", min=1, max=65535, help="Port (default 7860)."),
) -> None:
    """Open the staff chat in the browser: streamed answers whose citations [n] point at a
    sources panel (file, clause or record, page, the quoted words highlighted), filters by
    document type, party and date, and a documents tab with validation warnings.
    Every question is written to the audit log (`rights audit`)."""
    from .service import RightsService

    with RightsService(_settings()) as service:
        _serve_chat(service, host, port)


@app.command("user")
@friendly
def user_cmd(
    name: str = typer.Argument(..., help="User name to add or update (the chat's sign-in name)."),
    group: list[str] = typer.Option([], "--group", "-g", help="Access group (repeatable); '*' sees every document."),
    remove: bool = typer.Option(False, "--remove", help="Remove the user instead."),
) -> None:
    """Add, update or remove a chat user in the users file (settings auth_file / RIGHTS_AUTH_FILE).

    The password is asked twice and stored as a salted scrypt hash. Documents get access groups
    from a sidecar `<file>.groups` or a folder's `.access` file at ingest; a signed-in user sees
    only documents without groups or sharing one of theirs."""
    from .auth import Users, hash_password

    settings = _settings()
    if settings.auth_file is None:
        raise FileNotFoundError("no users file configured: set auth_file in the config or RIGHTS_AUTH_FILE=/path/users.toml")
    users = Users.load(settings.auth_file) if settings.auth_file.exists() else Users()
    if remove:
        if users.entries.pop(name, None) is None:
            raise FileNotFoundError(f"no user {name!r} in {settings.auth_file}")
        users.save(settings.auth_file)
        console.print(f"removed {escape(name)}")
        return
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise typer.BadParameter("use at least 8 characters", param_hint="password")
    users.entries[name] = {"password": hash_password(password), "groups": sorted(set(group))}
    users.save(settings.auth_file)
    console.print(f"saved {escape(name)} (groups: {', '.join(sorted(set(group))) or 'none: public documents only'}) to {settings.auth_file}")


@app.command("audit")
@friendly
def audit_cmd(
    last: int = typer.Option(20, "--last", "-n", min=0, help="How many of the latest entries (0 = all)."),
    user: Optional[str] = typer.Option(None, "--user", help="Only this user's questions."),
    as_json: bool = typer.Option(False, "--json", help="Export as JSON lines (one entry a line)."),
) -> None:
    """Print or export the audit log: who asked what, which sources were shown, which model
    answered, and timings (append-only JSON lines in DATA_DIR/audit.jsonl)."""
    from . import audit

    settings = _settings()
    entries = [e for e in audit.read(settings.audit_path) if user is None or e.get("user") == user]
    entries = entries[-last:] if last else entries
    if as_json:
        for e in entries:
            print(json.dumps(e, ensure_ascii=False))
        return
    if not entries:
        console.print(f"[yellow]No audit entries[/] in {settings.audit_path}.")
        return
    table = Table(show_lines=False)
    for col in ("time", "user", "question", "status", "model", "sources shown", "total s"):
        table.add_column(col, overflow="fold")
    for e in entries:
        shown = ", ".join(f"[{s['n']}] {s['file']}" + (f" § {s['section']}" if s.get("section") else "") for s in e.get("sources", []))
        table.add_row(e["time"], e["user"], escape(e["question"]), e["status"], str(e.get("model") or ""),
                      escape(shown), str((e.get("timings") or {}).get("total_s") or ""))
    console.print(table)


def load_plugins() -> None:
    """Commands other packages add (``rights eval`` from ``eval``) via the ``rights.commands``
    entry point: a small seam that keeps dependencies flowing one way."""
    from importlib.metadata import entry_points

    if getattr(app, "_plugins_loaded", False):
        return
    for ep in entry_points(group="rights.commands"):
        ep.load()(app)
    app._plugins_loaded = True  # type: ignore[attr-defined]


def main() -> None:
    load_plugins()
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        app()
    except BrokenPipeError:  # `rights sources | head`
        sys.exit(0)


if __name__ == "__main__":
    main()
