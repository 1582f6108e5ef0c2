"""The ``rights`` command line: ingest, search, list and forget documents, show settings, demo."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.cli.render import (  # noqa: F401  (re-exported: contracts_cli and tests use them from here)
    STATUS_NOTE,
    WARNINGS_SHOWN,
    RateColumn,
    RichProgress,
    _null,
    console,
    err,
    print_answer,
    print_hits,
    print_record,
    print_report,
    safe,
)
from assistant.ops import logs
from assistant.ops.terminal import dumps, printable
from assistant.search.embedding import EmbeddingError
from assistant.search.store import StoreError
from assistant.settings import Settings, load_settings
from assistant.web.auth import InvalidUserError, UsersFileError
from ingest.pipeline import IngestReport

# Failures a user can fix: one red line, exit 2. Plugins add their own (see load_plugins).
USER_ERRORS: list[type[BaseException]] = [StoreError, EmbeddingError, FileNotFoundError, UsersFileError, InvalidUserError]

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
    config: Path | None = None
    verbose: bool = False


def _settings() -> Settings:
    settings = load_settings(State.config)
    logs.setup(settings.data_dir, State.verbose)  # DATA_DIR/rights.log
    return settings


def friendly(fn: Callable) -> Callable:
    """Turn expected failures into one red line and exit status 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except tuple(USER_ERRORS) as exc:
            err.print(f"[bold red]error:[/] {safe(exc)}")
            raise typer.Exit(2) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            err.print(f"[bold red]error:[/] invalid setting {safe(where)}: {safe(first.get('msg', exc))}")
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]: the store is consistent; run the same command again to finish")
            raise typer.Exit(130) from None

    return wrapper


@app.callback()
def _main(
    config: Path | None = typer.Option(
        None, "--config", "-c", help="TOML settings file (also RIGHTS_CONFIG). See `rights config`.", show_default=False
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show the log's INFO lines on stderr (DATA_DIR/rights.log has them always)."),
) -> None:
    State.config = config
    State.verbose = verbose


# -- ingest ---------------------------------------------------------------------------------------
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




@app.command("ingest")
@friendly
def ingest_cmd(
    paths: list[str] = typer.Argument(..., help="Files and folders (searched recursively) to ingest.", metavar="PATHS..."),
    prune: bool = typer.Option(False, "--prune", help="Also remove documents whose files under PATHS no longer exist."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; summary only."),
) -> None:
    """Ingest contracts (PDF, DOCX, TXT, Markdown; scans as image-only PDFs or TIFF/PNG/JPEG, read
    by OCR) and music data (split sheets and catalog
    exports as CSV/XLSX, DDEX ERN 3.8/4.x XML, CWR 2.1/2.2/3.0) into the store, incrementally.

    Contracts are chunked by clause; structured files become one chunk per work, recording,
    release or deal, with identifiers (ISWC, ISRC, IPI, UPC) normalised and validated. Shares
    that don't total 100%, bad check digits and identifiers given to two titles are listed as
    validation warnings (the records are still ingested). Unchanged files are skipped; changed files replace their earlier chunks; bad files are
    reported with a reason and the rest of the batch goes on. Safe to interrupt: run it again
    to finish. Exit status: 0 all ingested, 1 some files failed, 2 the job could not run.
    """
    from assistant.service import RightsService

    if "" in paths:  # Path("") is the current folder: an unset shell variable must not ingest it
        err.print("[bold red]error:[/] an empty path was given: name the files or folders to ingest (`.` for the current folder)")
        raise typer.Exit(2)
    with RightsService(_settings()) as service:
        report = run_ingest(service, [Path(p) for p in paths], prune, quiet)
    raise typer.Exit(0 if report.ok else 1)


# -- search ---------------------------------------------------------------------------------------
@app.command("search")
@friendly
def search_cmd(
    question: str = typer.Argument(..., help="A question or keywords, e.g. \"sync licence territory\"."),
    k: int = typer.Option(None, "-k", "--top", min=1, max=100, help="How many passages (default: search_k setting)."),
    doc_type: str | None = typer.Option(None, "--doc-type", "-t", help="Only this document type, e.g. contract."),
    mode: str = typer.Option("auto", "--mode", help="auto (the product's retrieval: hybrid, identifiers first, "
                             "named documents preferred), hybrid (plain fusion), dense or lexical."),
    party: str | None = typer.Option(None, "--party", "-p", help="Only agreements with this party (part of the name is enough)."),
    since: str | None = typer.Option(None, "--since", help="Only agreements made on or after this date (YYYY or YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Only agreements made on or before this date."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Retrieval only: print the passages that best match QUESTION, with file, section, page
    and character offsets into the document's extracted text."""
    from assistant.service import RightsService

    if mode not in ("auto", "hybrid", "dense", "lexical"):
        raise typer.BadParameter("mode must be auto, hybrid, dense or lexical", param_hint="--mode")
    date_from, date_to = _iso(since, "--since"), _iso(until, "--until")
    with RightsService(_settings()) as service:
        if mode == "auto":
            hits = service.retrieve(question, k, doc_type=doc_type, party=party, date_from=date_from, date_to=date_to)
        else:
            scope = service.scope_documents(None, party, date_from, date_to)
            hits = [] if scope == [] else service.search(question, k, doc_type=doc_type, mode=mode, doc_ids=scope)  # type: ignore[arg-type]
    if as_json:
        print(dumps([{"score": h.score, **h.payload} for h in hits], indent=1))
    elif not hits and (party or since or until):
        console.print("[yellow]No ingested document matches --party/--since/--until.[/] See `rights sources` for parties and dates.")
    else:
        print_hits(hits)


# -- ask ------------------------------------------------------------------------------------------


@app.command("ask")
@friendly
def ask_cmd(
    question: str = typer.Argument(..., help="A question, e.g. \"When does the Nova Records deal expire?\""),
    doc_type: str | None = typer.Option(None, "--doc-type", "-t", help="Only documents of this type."),
    doc: list[str] | None = typer.Option(None, "--doc", "-d", help="Only this document (id, file name or title); repeatable."),
    party: str | None = typer.Option(None, "--party", "-p", help="Only agreements with this party (part of the name is enough)."),
    since: str | None = typer.Option(None, "--since", help="Only agreements made on or after this date (YYYY or YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Only agreements made on or before this date (YYYY or YYYY-MM-DD)."),
    all_sources: bool = typer.Option(False, "--all-sources", help="Show every passage given to the model, not only the cited ones."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Answer QUESTION from the ingested documents, citing the passages it rests on.

    The model is Ollama when OLLAMA_HOST (or llm.ollama_host) is set, else the embedded model.
    Every fact in the answer is checked against the passage it cites; when the documents do not
    answer, it says "The documents do not say." Exit status 0 answered, 3 abstained.
    """
    import getpass

    from assistant.answer.answering import FinalEvent, describe_source
    from assistant.llm.base import LLMError
    from assistant.service import RightsService

    date_from, date_to = _iso(since, "--since"), _iso(until, "--until")
    with RightsService(_settings()) as service:
        final = None
        filters = {"doc_type": doc_type, "party": party, "since": since, "until": until, "doc": doc}
        events = service.answer_stream(question, user=getpass.getuser(), channel="cli", doc_refs=doc or (),
                                       doc_type=doc_type, party=party, date_from=date_from, date_to=date_to,
                                       audit_filters=filters)
        try:
            with console.status("retrieving and generating…", spinner="dots") if not as_json else _null():
                for event in events:
                    if isinstance(event, FinalEvent):
                        final = event.answer
        except LLMError as exc:
            err.print(f"[bold red]error:[/] {safe(exc)}")
            raise typer.Exit(2) from None
        finally:
            events.close()
    assert final is not None
    if as_json:
        print(dumps({
            "question": final.question, "answer": final.text, "status": final.status, "reason": final.reason,
            "problems": final.problems, "draft": final.draft, "model": final.model,
            "cited": [{"source": n, "claim": c} for n, c in final.cited],
            "sources": [describe_source(s) for s in final.sources],
            "timings": {"retrieval_s": final.retrieval_s, "ttft_s": final.ttft_s, "total_s": final.total_s, "tokens": final.tokens},
        }, indent=1))
    else:
        print_answer(final, all_sources)
    raise typer.Exit(3 if final.abstained else 0)


def _iso(value: str | None, option: str) -> str | None:
    """A date filter as given, once it is a real date: YYYY, YYYY-MM (month 01-12) or YYYY-MM-DD
    (a day that exists: 2021-02-29 does not). Documents' dates compare as strings against it."""
    import datetime
    import re

    if value is None:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        raise typer.BadParameter(f"'{printable(value)}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD", param_hint=option)
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        datetime.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as exc:
        raise typer.BadParameter(f"'{printable(value)}' is not a real date ({exc}): use YYYY, YYYY-MM or YYYY-MM-DD",
                                 param_hint=option) from None
    return value


@app.command("sources")
@friendly
def sources_cmd(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List ingested documents: title, parties, date, kind, family, chunks, pages, state and id.
    The family column says which agreement a document changes ("amendment of
    recording-agreement.pdf") or how many documents change an agreement ("agreement (+2)");
    `rights family DOC` shows one family in date order. --json has every ledger field, the
    family ones (family_role, family_of, family_evidence, refers_to, effective_date) included."""
    from assistant.service import RightsService
    from ingest.families import document_date, family_label

    with RightsService(_settings()) as service:
        docs = service.sources()
    if as_json:
        print(dumps([d.payload() for d in docs], indent=1))
        return
    if not docs:
        console.print("No documents ingested yet. Try `rights demo` or `rights ingest FOLDER`.")
        return
    by_id = {d.doc_id: d for d in docs}
    table = Table(title=f"{len(docs)} document(s)")
    for col in ("file", "title", "parties", "made", "kind", "family", "chunks", "pages", "state", "id"):
        table.add_column(col, overflow="fold")
    for d in docs:
        state = d.state if d.state == "complete" else f"[yellow]{safe(d.state)}[/]"
        table.add_row(safe(d.file_name), safe(d.title[:60]), safe(" · ".join(d.parties)), safe(document_date(d) or ""),
                      safe(d.kind), safe(family_label(d, by_id)), str(d.n_chunks), safe(d.pages or ""), state, safe(d.doc_id))
    console.print(table)


def one_document(service, ref: str):
    """The one ingested document ``ref`` names (id, path, file name or title); when it names none
    or several, says so (listing the ids) and exits with status 1."""
    found = service.find_documents(ref)
    if len(found) != 1:
        if not found:
            err.print(f"[red]✗[/] no ingested document matches '{safe(ref)}' (see `rights sources`)")
        else:
            err.print(f"[red]✗[/] '{safe(ref)}' matches {len(found)} documents; use the id:")
            for d in found:
                err.print(f"    {safe(d.doc_id)}  {safe(d.file_path)}")
        raise typer.Exit(1)
    return found[0]


@app.command("family")
@friendly
def family_cmd(
    doc: str = typer.Argument(..., help="Any member of the family: document id, path, file name or title (see `rights sources`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output: the members' ledger entries, in date order."),
) -> None:
    """Show one contract family in date order: the agreement and every document that changes it
    (amendments, addenda, side letters, variations, extensions, option exercises, non-renewal
    and termination notices, assignments), each with its date, role, file, title and the
    sentence of it that names the agreement. Links are made at ingest from what the documents
    say (the agreement's type, date and parties in a recital or "Re:" line; no model); the
    latest change holds the current terms. A document that looks like a change but names no
    ingested agreement is shown as not linked, with what it refers to. Exit status 1 when DOC
    matches no document or several."""
    from assistant.service import RightsService
    from ingest.families import AGREEMENT, document_date, human_date, is_family_warning

    with RightsService(_settings()) as service:
        found = [one_document(service, doc)]
        members = service.family(found[0].doc_id)
    if as_json:
        print(dumps([m.payload() for m in members], indent=1))
        return
    root = members[0] if members and members[0].family_role == AGREEMENT else None
    heading = f"{root.title} ({root.file_name})" if root else f"{found[0].title} ({found[0].file_name})"
    table = Table(title=f"Family of {safe(heading)}: {len(members)} document(s), in date order")
    for col in ("date", "role", "file", "title", "linked by"):
        table.add_column(col, overflow="fold")
    for m in members:
        if m.family_role == AGREEMENT:
            linked = ""
        elif m.family_of:
            linked = f"\"{safe(' '.join(m.family_evidence.split()), multiline=False)}\""
        else:
            linked = "[yellow]not linked[/]: " + safe("; ".join(w for w in m.warnings if is_family_warning(w)))
        table.add_row(safe(human_date(document_date(m))), safe(m.family_role), safe(m.file_name), safe(m.title[:60]), linked)
    console.print(table)
    if len(members) == 1 and members[0].family_role == AGREEMENT:
        console.print("No ingested document changes this agreement.")


@app.command("forget")
@friendly
def forget_cmd(
    docs: list[str] = typer.Argument(..., help="Document id, path, file name or title (see `rights sources`)."),
) -> None:
    """Remove documents and all their chunks from the store (the files are not touched)."""
    from assistant.service import RightsService

    missing = 0
    with RightsService(_settings()) as service:
        for ref in docs:
            found = service.find_documents(ref)
            if not found:
                err.print(f"[red]✗[/] no ingested document matches '{safe(ref)}'")
                missing += 1
                continue
            if len(found) > 1:
                err.print(f"[red]✗[/] '{safe(ref)}' matches {len(found)} documents; use the id:")
                for d in found:
                    err.print(f"    {safe(d.doc_id)}  {safe(d.file_path)}")
                missing += 1
                continue
            service.forget(found[0])
            console.print(f"[green]✓[/] forgot {safe(found[0].file_path)}")
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
        print(dumps(data, indent=1))
        return
    table = Table(title="Effective settings", show_header=False)
    for key, value in _flatten(data):
        table.add_row(safe(key), safe(value))
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
    questions: int = typer.Option(3, "--questions", "-n", min=0, help="How many answers to show in full (all are scored)."),
    chat: bool = typer.Option(True, "--chat/--no-chat", help="Then open the browser chat on the demo (Ctrl-C stops it)."),
) -> None:
    """Ingest the bundled demo corpus (fictional music contracts with an amendment and a
    termination letter, a split sheet and a catalog export), show N answers in full with their
    cited sources, then answer and score every demo question (the answer states the expected
    value; an unanswerable question is declined), and look up a work by its ISWC."""
    import getpass

    from assistant.demo import corpus_dir, grade, load_questions, sample_questions
    from assistant.llm.base import LLMError
    from assistant.service import RightsService

    with RightsService(_settings()) as service:
        report = run_ingest(service, [corpus_dir()], prune=False, quiet=False)
        shown = {q["qid"] for q in sample_questions(questions)}
        table = Table(title="Demo questions", show_lines=False)
        for col in ("", "question", "expected", "answer"):
            table.add_column(col, overflow="fold")
        right = 0
        all_questions = load_questions()
        for q in all_questions:
            try:
                with console.status(f"answering {safe(q['qid'])}…", spinner="dots"):
                    answer = service.ask(q["question"], user=getpass.getuser(), channel="demo")
            except LLMError as exc:
                err.print(f"[bold red]error:[/] {safe(exc)}")
                raise typer.Exit(2) from None
            ok = grade(q, answer)
            right += ok
            if q["qid"] in shown:
                console.rule(f"[bold]{safe(q['question'])}")
                print_answer(answer)
                console.print(f"expected: {safe(q.get('gold_answer', '?'))} — " + ("[green]the answer states it[/]" if ok else "[yellow]not in the answer[/]"))
            expected = q.get("gold_answer") if q.get("answerable") else "(the documents do not say)"
            table.add_row("[green]✓[/]" if ok else "[red]✗[/]", safe(q["question"]), safe(expected),
                          safe(" ".join(answer.text.split())[:90]))
        console.print(table)
        console.print(f"[bold]Score: {right}/{len(all_questions)}[/] demo questions right "
                      f"({sum(1 for q in all_questions if q.get('answerable'))} answerable, "
                      f"{sum(1 for q in all_questions if not q.get('answerable'))} to decline)")
        lookup = "Who wrote t 345 246 800 3 and what are the splits?"
        console.rule(f"[bold]{escape(lookup)}[/]  (rights search: identifiers match exactly, any formatting)")
        print_hits(service.retrieve(lookup, 2))
        if chat:
            _serve_chat(service, None, None)
    raise typer.Exit(0 if report.ok else 1)


def _serve_chat(service, host: str | None, port: int | None, answerer=None) -> None:
    from assistant.web.app import LOOPBACK, SignInRequired, launch

    host = host or service.settings.ui.host
    port = port or service.settings.ui.port
    console.rule(f"[bold]Chat: http://{safe(host)}:{port}[/]  (Ctrl-C stops it)")
    if host not in LOOPBACK:
        err.print(f"[yellow]The chat listens on {safe(host)}: anyone who can reach it can ask questions.[/]")
    try:
        launch(service, host, port, answerer=answerer, block=True)
    except SignInRequired as exc:
        raise StoreError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"cannot start the chat on {host}:{port}: {exc.strerror or exc} (is another chat running? use --port)") from None


@app.command("chat")
@friendly
def chat_cmd(
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1: this machine only)."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port (default 7860)."),
) -> None:
    """Open the staff chat in the browser: streamed answers whose citations [n] point at a
    sources panel (file, clause or record, page, the quoted words highlighted), filters by
    document type, party and date, and a documents tab with validation warnings.
    Every question is written to the audit log (`rights audit`)."""
    from assistant.service import RightsService

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
    from assistant.web.auth import MAX_PASSWORD, Users, hash_password, validate_group, validate_name

    settings = _settings()
    if settings.auth_file is None:
        raise FileNotFoundError("no users file configured: set auth_file in the config or RIGHTS_AUTH_FILE=/path/users.toml")
    users = Users.load(settings.auth_file) if settings.auth_file.exists() else Users()
    if remove:
        if users.entries.pop(name, None) is None:
            raise FileNotFoundError(f"no user {name!r} in {settings.auth_file}")
        users.save(settings.auth_file)
        console.print(f"removed {safe(name)}")
        return
    validate_name(name)  # before the password prompt: a name that cannot be stored is refused at once
    groups = sorted({validate_group(g) for g in group})
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise typer.BadParameter("use at least 8 characters", param_hint="password")
    if len(password) > MAX_PASSWORD:
        raise typer.BadParameter(f"use at most {MAX_PASSWORD} characters", param_hint="password")
    users.entries[name] = {"password": hash_password(password), "groups": groups}
    users.save(settings.auth_file)
    console.print(f"saved {safe(name)} (groups: {safe(', '.join(groups)) or 'none: public documents only'}) to {safe(str(settings.auth_file))}")


@app.command("audit")
@friendly
def audit_cmd(
    last: int = typer.Option(20, "--last", "-n", min=0, help="How many of the latest entries (0 = all)."),
    user: str | None = typer.Option(None, "--user", help="Only this user's questions."),
    as_json: bool = typer.Option(False, "--json", help="Export as JSON lines (one entry a line)."),
) -> None:
    """Print or export the audit log: who asked what, which sources were shown, which model
    answered, and timings (append-only JSON lines in DATA_DIR/audit.jsonl)."""
    from assistant.ops import audit

    settings = _settings()
    entries = [e for e in audit.read(settings.audit_path) if user is None or e.get("user") == user]
    entries = entries[-last:] if last else entries
    if as_json:
        for e in entries:
            print(dumps(e))
        return
    if not entries:
        console.print(f"[yellow]No audit entries[/] in {safe(settings.audit_path)}.")
        return
    table = Table(show_lines=False)
    for col in ("time", "user", "question", "status", "model", "sources shown", "total s"):
        table.add_column(col, overflow="fold")
    for e in entries:
        shown = ", ".join(f"[{s.get('n')}] {s.get('file')}" + (f" § {s['section']}" if s.get("section") else "") for s in e.get("sources") or [])
        table.add_row(safe(e.get("time", "")), safe(e.get("user", "")), safe(e.get("question", "")), safe(e.get("status", "")),
                      safe(e.get("model") or ""), safe(shown), safe((e.get("timings") or {}).get("total_s") or ""))
    console.print(table)


from assistant.cli.contracts import register as _register_contracts  # noqa: E402  (rights terms, rights register)

_register_contracts(app)

from assistant.cli.catalog import register as _register_catalog  # noqa: E402  (rights catalog ..., rights conflicts)

_register_catalog(app)


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
