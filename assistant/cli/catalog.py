"""``rights catalog ...`` and ``rights conflicts``: the records table on the command line.

Registered into the ``rights`` app by ``register(app)`` (assistant/cli/app.py calls it). Every
listing comes from assistant/catalog (the chat's catalog answers and Conflicts view use the same
code), is filtered to what the caller may see, and cites each record's file and lines.
"""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import command_settings, friendly
from assistant.cli.render import console, err, safe
from assistant.ops.spreadsheets import cell_text
from assistant.ops.terminal import dumps

catalog_app = typer.Typer(
    help="Catalog questions from the records table: works by a writer or publisher, recordings of a work, "
    "releases containing a recording, counts, share totals, missing or invalid identifiers. Deterministic, "
    "every row cited to its file and lines.",
    no_args_is_help=True,
)

JSON = typer.Option(False, "--json", help="Machine-readable output.")
CSV = typer.Option(None, "--csv", help="Write the rows to this CSV file (UTF-8).")


def _service():
    from assistant.service import RightsService

    return RightsService(command_settings())


def _emit(result, as_json: bool, csv_file: Path | None) -> None:

    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["kind", "title", "identifiers", "writers", "note", "file", "location"])
            for r in result.rows:
                w.writerow([cell_text(x) for x in (
                    r.kind, r.title, "; ".join(f"{s} {v}" for s, v, _ in r.identifiers),
                    "; ".join(p["name"] for p in r.writers()), r.note, r.file_name, r.location)])
        err.print(f"[green]✓[/] {len(result.rows)} row(s) written to {safe(csv_file)}")
    if as_json:
        print(dumps(result.as_dict(), indent=1))
        return
    if csv_file is not None:
        return
    if not result.rows:
        console.print(safe(result.empty[:1].upper() + result.empty[1:]) + ".")
        return
    more = f" (first {len(result.rows)})" if result.total > len(result.rows) else ""
    table = Table(title=f"{safe(result.title)}: {result.total:,}{more}")
    for col in ("record", "source"):
        table.add_column(col, overflow="fold")
    for r in result.rows:
        table.add_row(safe(r.summary()), safe(r.cite))
    console.print(table)


def _run(fn, as_json: bool, csv_file: Path | None) -> None:
    with _service() as service:
        result = fn(service.catalog())
    _emit(result, as_json, csv_file)


@catalog_app.command("works")
def works_cmd(
    name: str = typer.Argument(..., help="Writer or publisher name (every word must match, any order)."),
    role: str | None = typer.Option(None, "--role", help="writer or publisher (default: either)."),
    as_json: bool = JSON, csv_file: Path | None = CSV,
) -> None:
    """Works by a writer or publisher."""
    if role not in (None, "writer", "publisher"):
        raise typer.BadParameter("writer or publisher", param_hint="--role")
    _run(lambda c: c.works_by(name, role), as_json, csv_file)


@catalog_app.command("recordings")
def recordings_cmd(work: str = typer.Argument(..., help="The work: ISWC or title."),
                   as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Recordings of a work."""
    _run(lambda c: c.recordings_of(work), as_json, csv_file)


@catalog_app.command("releases")
def releases_cmd(recording: str = typer.Argument(..., help="The recording: ISRC or title."),
                 as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Releases containing a recording."""
    _run(lambda c: c.releases_with(recording), as_json, csv_file)


@catalog_app.command("shares")
def shares_cmd(as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Works whose shares do not total 100% (per right type)."""
    _run(lambda c: c.share_problems(), as_json, csv_file)


@catalog_app.command("missing")
def missing_cmd(scheme: str = typer.Argument(..., help="ISWC, ISRC, IPI or UPC."),
                kind: str | None = typer.Option(None, "--kind", help="work, recording or release (default: what the identifier names)."),
                release: str | None = typer.Option(None, "--release", help="Only the recordings of this release (UPC or title)."),
                as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Records missing an identifier (works without ISWC, recordings without ISRC ...)."""
    _check_scheme(scheme)
    _run(lambda c: c.identifier_problems(scheme, "missing", kind, release), as_json, csv_file)


@catalog_app.command("invalid")
def invalid_cmd(scheme: str = typer.Argument(..., help="ISWC, ISRC, IPI or UPC."),
                as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Records with an invalid identifier: wrong shape or check digits (IPI check digits too)."""
    _check_scheme(scheme)
    _run(lambda c: c.identifier_problems(scheme, "invalid"), as_json, csv_file)


@catalog_app.command("lookup")
def lookup_cmd(identifier: str = typer.Argument(..., help="An ISWC, ISRC, IPI or UPC, any formatting."),
               as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Records carrying an identifier."""
    _run(lambda c: c.lookup(identifier), as_json, csv_file)


@catalog_app.command("search")
def search_cmd(text: str = typer.Argument(..., help="Words of a title (then of names)."),
               as_json: bool = JSON, csv_file: Path | None = CSV) -> None:
    """Records by title words (exact titles first), then by names."""
    _run(lambda c: c.search(text), as_json, csv_file)


@catalog_app.command("count")
def count_cmd(kind: str | None = typer.Option(None, "--kind", help="work, recording or release."),
              name: str | None = typer.Option(None, "--party", help="Only records of this writer, publisher or artist."),
              role: str | None = typer.Option(None, "--role", help="writer, publisher or artist (with --party)."),
              as_json: bool = JSON) -> None:
    """How many works, recordings and releases (of one party)."""

    with _service() as service:
        counts = service.catalog().count(kind, name, role)
    if as_json:
        print(dumps(counts, indent=1))
        return
    for k, n in sorted(counts.items()):
        console.print(f"{safe(k)}: {n:,}")


@catalog_app.command("ask")
def ask_cmd(question: str = typer.Argument(..., help="A catalog question, e.g. \"which works does Mara Quinn have with us?\""),
            as_json: bool = JSON) -> None:
    """Answer a catalog question the way the chat does (exit status 1 when it is not one)."""
    from assistant.catalog.questions import answer

    with _service() as service:
        found = answer(service, question)
    if found is None:
        err.print("not a catalog question (see `rights catalog --help` for what is answered from the records table)")
        raise typer.Exit(1)
    if as_json:
        print(dumps({"text": found.text, "rows": [r.as_dict() for r in found.rows]}, indent=1))
        return
    console.print(_multiline(found.text))


def _multiline(text: str) -> str:
    return safe(text, True)


def _check_scheme(scheme: str) -> None:
    if scheme.upper() not in ("ISWC", "ISRC", "IPI", "UPC"):
        raise typer.BadParameter("one of ISWC, ISRC, IPI, UPC", param_hint="SCHEME")


def conflicts_cmd(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output: every conflict with both sources."),
    csv_file: Path | None = typer.Option(None, "--csv", help="Write the conflicts to this CSV file (UTF-8)."),
    kind: str | None = typer.Option(None, "--kind", help="Only one kind: writers, shares, ipi, society, title, identifiers."),
) -> None:
    """Conflicts between sources: the same work (by ISWC, else title and writers) or recording (by
    ISRC) described differently by two files - writers, shares, IPIs, societies, titles or
    identifiers. Each conflict cites both sources; files you may not see take no part."""
    from assistant.catalog.conflicts import KINDS, export_csv

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"one of {', '.join(KINDS)}", param_hint="--kind")
    with _service() as service:
        found = [c for c in service.conflicts() if kind is None or c.kind == kind]
    if csv_file is not None:
        export_csv(found, csv_file)
        err.print(f"[green]✓[/] {len(found)} conflict(s) written to {safe(csv_file)}")
    if as_json:
        print(dumps([c.as_dict() for c in found], indent=1))
        return
    if csv_file is not None:
        return
    if not found:
        console.print("No conflicts between sources.")
        return
    table = Table(title=f"{len(found)} conflict(s) between sources", show_lines=True)
    for col in ("kind", "work / recording", "difference", "source A", "source B"):
        table.add_column(col, overflow="fold")
    for c in found:
        table.add_row(c.kind, safe(f"{c.entity}: {c.title}"), safe(c.detail), safe(c.a.cite), safe(c.b.cite))
    console.print(table)


def register(app: typer.Typer) -> None:

    for command in catalog_app.registered_commands:
        command.callback = friendly(command.callback)
    app.add_typer(catalog_app, name="catalog")
    app.command("conflicts")(friendly(conflicts_cmd))
