"""``rights ingest | search | ask | sources | family | forget``: the document commands."""

from __future__ import annotations

import time
from pathlib import Path

import typer
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

from assistant.cli.common import Commands, State, command_settings, friendly, one_document
from assistant.cli.render import (
    RateColumn,
    RichProgress,
    _null,
    console,
    err,
    print_answer,
    print_hits,
    print_report,
    safe,
)
from assistant.contracts.consolidated.redline import deal_change_lines, redline
from assistant.ops.terminal import dumps, printable
from ingest.errors import UserError
from ingest.pipeline import IngestReport

commands = Commands()


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




@commands.command("ingest")
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
    with RightsService(command_settings()) as service:
        report = run_ingest(service, [Path(p) for p in paths], prune, quiet)
    raise typer.Exit(0 if report.ok else 1)


# -- search ---------------------------------------------------------------------------------------
@commands.command("search")
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
    and character offsets into the document's extracted text. `rights -v search …` also prints
    the milliseconds of each retrieval step (filters, names, embedding, engine, quoted titles,
    clause types, fusion, identifiers) on stderr."""
    from assistant.service import RightsService

    if mode not in ("auto", "hybrid", "dense", "lexical"):
        raise typer.BadParameter("mode must be auto, hybrid, dense or lexical", param_hint="--mode")
    date_from, date_to = _iso(since, "--since"), _iso(until, "--until")
    timings: dict[str, float] | None = {} if State.verbose and mode == "auto" else None
    with RightsService(command_settings()) as service:
        if mode == "auto":
            if timings is not None:  # the model's load is not the query's time
                began = time.perf_counter()
                service.embedder.embed_queries(["warm up"])
                service.store.exists()
                service.retriever  # noqa: B018  (opened: its name cache and clause types)
                loaded = time.perf_counter() - began
            began = time.perf_counter()
            hits = service.retrieve(question, k, doc_type=doc_type, party=party, date_from=date_from, date_to=date_to,
                                    timings=timings)
            if timings is not None:
                total = time.perf_counter() - began
                steps = "  ".join(f"{name} {seconds * 1000:.1f}" for name, seconds in timings.items())
                err.print(f"retrieval {total * 1000:.1f} ms: {steps} (ms; opening the model and the store before it: {loaded:.1f} s)")
        else:
            scope = service.scope_documents(None, party, date_from, date_to)
            hits = [] if scope == [] else service.search(question, k, doc_type=doc_type, mode=mode, doc_ids=scope)  # type: ignore[arg-type]
        notes = service.passage_notes(hits)  # a clause a later document changed: what it says now
    if as_json:
        print(dumps([{"score": h.score, **h.payload, "current": notes.get(h.point_id, [])} for h in hits], indent=1))
    elif not hits and (party or since or until):
        console.print("[yellow]No ingested document matches --party/--since/--until.[/] See `rights sources` for parties and dates.")
    else:
        print_hits(hits, notes=notes)


# -- ask ------------------------------------------------------------------------------------------


@commands.command("ask")
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
    with RightsService(command_settings()) as service:
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


@commands.command("sources")
@friendly
def sources_cmd(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List ingested documents: title, parties, date, kind, family, chunks, pages, state and id.
    The family column says which agreement a document changes ("amendment of
    recording-agreement.pdf") or how many documents change an agreement ("agreement (+2)");
    `rights family DOC` shows one family in date order. --json has every ledger field, the
    family ones (family_role, family_of, family_evidence, refers_to, effective_date) included."""
    from assistant.service import RightsService
    from ingest.families import document_date, family_label

    with RightsService(command_settings()) as service:
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




@commands.command("family")
@friendly
def family_cmd(
    doc: str = typer.Argument(..., help="Any member of the family: document id, path, file name or title (see `rights sources`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output: the members' ledger entries, in date order "
                                 "(with --consolidated: the clauses, their changes and the unapplied changes)."),
    consolidated: bool = typer.Option(False, "--consolidated", help="Print the agreement as it reads now: every clause with its "
                                      "changes marked ([-struck-] {+inserted+}), the document and date of each, and the changes "
                                      "that could not be applied."),
    changed_only: bool = typer.Option(False, "--changed", help="With --consolidated: only the clauses a change touched."),
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

    with RightsService(command_settings()) as service:
        found = [one_document(service, doc)]
        members = service.family(found[0].doc_id)
        try:
            current = service.consolidated(found[0].doc_id) if consolidated or not as_json else None
        except UserError:
            if consolidated:
                raise
            current = None  # a member's file moved or unreadable: the family is still listed
        terms = service.contract_terms(found[0].doc_id) if current is not None else None
        deal = terms.set_by_changes() if terms is not None else []
    if consolidated:
        if current is None:
            err.print(f"[red]✗[/] {safe(found[0].file_name)} belongs to no ingested agreement: nothing to consolidate")
            raise typer.Exit(1)
        if as_json:
            print(dumps({**current.as_dict(), "deal_changes": deal}, indent=1))
            return
        console.print(f"[bold]{safe(members[0].title)}[/] ({safe(members[0].file_name)}) as it reads now, "
                      f"after {len(current.documents)} change document(s):")
        if deal:
            console.print(safe("\n".join(deal_change_lines(deal)), multiline=True) + "\n")
        console.print(safe(redline(current, changed_only), multiline=True))
        return
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
    elif current is not None:
        console.print(f"{len(current.changed)} clause(s) changed; {len(deal)} key term(s) set by later documents; "
                      + (f"[yellow]{len(current.unapplied)} change(s) could not be applied[/]" if current.unapplied else "every change applied")
                      + f" (see `rights family {safe(found[0].doc_id)} --consolidated`).")


@commands.command("forget")
@friendly
def forget_cmd(
    docs: list[str] = typer.Argument(..., help="Document id, path, file name or title (see `rights sources`)."),
) -> None:
    """Remove documents and all their chunks from the store (the files are not touched)."""
    from assistant.service import RightsService

    missing = 0
    with RightsService(command_settings()) as service:
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
