"""``rights terms`` and ``rights register``: key terms and the contract register on the command line.

Registered into the ``rights`` app by ``register(app)`` (assistant/cli/app.py calls it); the work is
``assistant/contracts/register.py``'s, so the CLI and the chat's Contracts view show the same values.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import command_settings, friendly, one_document
from assistant.cli.render import console, err, safe
from assistant.ops.terminal import dumps, printable
from ingest.families import human_date


def _today(as_of: str | None) -> datetime.date:
    if as_of is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(as_of)
    except ValueError:
        raise typer.BadParameter(f"'{printable(as_of)}' is not a date: use YYYY-MM-DD", param_hint="--as-of") from None


def _days(value: str | None, option: str) -> int | None:
    from assistant.contracts.register import parse_days

    try:
        return parse_days(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def _where(entry) -> str:
    """"file.txt § 4.2" (and the document's role and date when it is not the agreement)."""
    v, d = entry.value, entry.doc
    parts = [d.file_name if d else "?"]
    if v.clause is not None and v.clause.label:
        parts.append(f"§ {v.clause.label}")
    if d is not None and d.family_role != "agreement":
        parts.append(f"({d.family_role}, {human_date(entry.date)})")
    return " ".join(parts)


def terms_cmd(
    doc: str = typer.Argument(..., help="Any document of the agreement's family: id, path, file name or title (see `rights sources`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output: every term, current values and history, with clauses."),
    as_of: str | None = typer.Option(None, "--as-of", help="Work deadlines out as of this date (YYYY-MM-DD; default today)."),
) -> None:
    """One agreement's key terms, each with the clause that states it: parties and roles, type,
    dates, term end, renewal and the notice to stop it (and its computed deadline), options,
    territory (ISO codes), exclusivity, rights granted, royalties by income type, advances and
    recoupment, minimum commitment, retention and the reversion date, audit, assignment,
    governing law. Family-aware: the current value (set by the latest amendment, side letter or
    notice that changed it) and, below it, what it replaced. "not stated" means the documents do
    not say; nothing is guessed. Exit status 1 when DOC matches no document or several."""
    from assistant.contracts.family import COMPUTED
    from assistant.contracts.model import KEYS
    from assistant.service import RightsService

    today = _today(as_of)
    with RightsService(command_settings()) as service:
        found = one_document(service, doc)
        ft = service.contract_terms(found.doc_id, today)
    if ft is None or found.doc_type != "contract":
        err.print(f"[red]✗[/] '{safe(doc)}' is not a contract: key terms are read from contracts only")
        raise typer.Exit(1)
    if as_json:
        print(dumps(ft.as_dict(), indent=1))
        return
    members = ", ".join(f"{m.file_name} ({m.family_role}{', ' + human_date(d) if (d := m.effective_date or m.agreement_date) else ''})"
                        for m in ft.members)
    table = Table(title=f"Key terms of {safe(ft.root.title)} ({safe(ft.root.file_name)}) as of {human_date(today.isoformat())}",
                  caption=f"Family: {safe(members)}", show_lines=True)
    for col in ("term", "value", "from", "clause"):
        table.add_column(col, overflow="fold")
    for key in [*KEYS, *COMPUTED]:
        term = ft.term(key)
        if not term.current:
            if key in KEYS:
                table.add_row(safe(term.label), "[dim]not stated[/]", "", "")
            continue
        for i, e in enumerate(term.current):
            v = e.value
            shown = safe(v.text) + (f"\n[dim]computed: {safe(v.basis)}[/]" if v.kind == "computed" and v.basis else "")
            clause = " ".join(v.clause.text.split()) if v.clause else ""
            table.add_row(safe(term.label) if i == 0 else "", shown, safe(_where(e)),
                          safe(clause[:160] + ("…" if len(clause) > 160 else "")))
        for e in term.history:
            if e.superseded:
                table.add_row("", f"[dim]was: {safe(e.value.text)}[/]", f"[dim]{safe(_where(e))}[/]", "")
    console.print(table)


def register_cmd(
    expiring_within: str | None = typer.Option(None, "--expiring-within", help="Only deals whose term ends within this many days (180d, 26w, 6m, 1y)."),
    notice_due_within: str | None = typer.Option(None, "--notice-due-within", help="Only deals whose notice deadline (to stop a renewal) falls within this many days."),
    party: str | None = typer.Option(None, "--party", help="Only deals with this party (any part of a party's name or the title)."),
    sort: str = typer.Option("expiry", "--sort", help="Column to sort by (expiry, notice_deadline, agreement, parties, reversion_date ...)."),
    descending: bool = typer.Option(False, "--desc", help="Sort in descending order."),
    csv_file: Path | None = typer.Option(None, "--csv", help="Write the rows to this CSV file (UTF-8) for a spreadsheet or calendar."),
    xlsx_file: Path | None = typer.Option(None, "--xlsx", help="Write the rows to this Excel workbook (dates as dates; a second sheet has each value's clause)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output: the rows, their dates and the family ids."),
    as_of: str | None = typer.Option(None, "--as-of", help="Work deadlines out as of this date (YYYY-MM-DD; default today)."),
) -> None:
    """The contract register: one row per agreement family (an agreement and the documents that
    change it), with its current key terms: parties, dates, when it ends (after any automatic
    renewals), status, renewal and the notice deadline to stop it, options, territory,
    exclusivity, royalties, advances, when the rights revert, governing law. Filter by what ends
    or falls due soon, or by party; export for the team's calendar with --csv or --xlsx."""
    from assistant.contracts.export import export_csv, export_xlsx
    from assistant.contracts.register import COLUMNS
    from assistant.service import RightsService

    today = _today(as_of)
    expiring = _days(expiring_within, "--expiring-within")
    notice = _days(notice_due_within, "--notice-due-within")
    if sort not in dict(COLUMNS):
        raise typer.BadParameter(f"choose one of {', '.join(c for c, _ in COLUMNS)}", param_hint="--sort")
    with RightsService(command_settings()) as service:
        rows = service.contract_register(expiring_within=expiring, notice_due_within=notice, party=party, sort=sort,
                             descending=descending, today=today)
    if csv_file is not None:
        export_csv(rows, csv_file)
        err.print(f"[green]✓[/] {len(rows)} row(s) written to {safe(csv_file)}")
    if xlsx_file is not None:
        export_xlsx(rows, xlsx_file, today)
        err.print(f"[green]✓[/] {len(rows)} row(s) written to {safe(xlsx_file)}")
    if as_json:
        print(dumps([{"family": r.family, **r.cells, "dates": r.dates} for r in rows], indent=1))
        return
    if csv_file is not None or xlsx_file is not None:
        return
    if not rows:
        console.print("No agreement matches." if (expiring or notice or party) else
                      "No agreements ingested yet. Try `rights demo` or `rights ingest FOLDER`.")
        return
    shown = ["agreement", "parties", "expiry", "status", "notice_deadline", "territory", "royalties", "advances",
             "reversion_date", "governing_law", "documents"]
    labels = dict(COLUMNS)
    table = Table(title=f"{len(rows)} agreement(s) as of {human_date(today.isoformat())}, by {labels[sort].lower()}")
    for col in shown:
        table.add_column(labels[col], overflow="fold")
    for r in rows:
        table.add_row(*[safe(r.cells[c]) for c in shown])
    console.print(table)


def register(app: typer.Typer) -> None:

    app.command("terms")(friendly(terms_cmd))
    app.command("register")(friendly(register_cmd))
