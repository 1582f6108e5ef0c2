"""``rights config | demo | chat | user | audit | copy-store``: settings, the demo, the web chat and
its users, the audit log, and moving the store onto a Qdrant server or cluster."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.common import Commands, command_settings, friendly
from assistant.cli.documents import run_ingest
from assistant.cli.render import (
    console,
    err,
    print_answer,
    print_hits,
    safe,
)
from assistant.ops.terminal import dumps
from assistant.search.store import StoreError

commands = Commands()


# -- config ---------------------------------------------------------------------------------------
@commands.command("config")
@friendly
def config_cmd(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Print the effective settings (secrets masked) and how to change them.

    Environment: RIGHTS_DATA_DIR, RIGHTS_COLLECTION, RIGHTS_SEARCH_K, RIGHTS_CHUNKING__MAX_CHARS,
    RIGHTS_EMBEDDING__BATCH_SIZE ..., QDRANT_URL, QDRANT_API_KEY; or a TOML file via --config /
    RIGHTS_CONFIG with the same keys (sections [chunking], [embedding]).
    """
    data = command_settings().public_dict()
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
@commands.command("demo")
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

    with RightsService(command_settings()) as service:
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


@commands.command("chat")
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

    with RightsService(command_settings()) as service:
        _serve_chat(service, host, port)


@commands.command("user")
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

    settings = command_settings()
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


@commands.command("audit")
@friendly
def audit_cmd(
    last: int = typer.Option(20, "--last", "-n", min=0, help="How many of the latest entries (0 = all)."),
    user: str | None = typer.Option(None, "--user", help="Only this user's questions."),
    as_json: bool = typer.Option(False, "--json", help="Export as JSON lines (one entry a line)."),
) -> None:
    """Print or export the audit log: who asked what, which sources were shown, which model
    answered, and timings (append-only JSON lines in DATA_DIR/audit.jsonl)."""
    from assistant.ops import audit

    settings = command_settings()
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


# -- copy-store -------------------------------------------------------------------------------------
@commands.command("copy-store")
@friendly
def copy_store_cmd(
    to: str = typer.Option(..., "--to", help="The Qdrant server or cluster to copy into, e.g. http://qdrant-1:6333. "
                           "Its API key, if any, from the environment variable RIGHTS_TARGET_API_KEY."),
    collection: str | None = typer.Option(None, "--collection", help="Collection name on the target (default: the same)."),
    resume: bool = typer.Option(False, "--resume", help="Finish a copy that was cut short (points already there are "
                                "overwritten with the same content)."),
) -> None:
    """Copy the store (the embedded one, or the server QDRANT_URL names) onto another Qdrant server
    or cluster, point by point: vectors, payloads, the document ledger and the key terms as they
    are; nothing is re-embedded and no file is read again.

    The target's collections are created with this installation's settings (RIGHTS_QDRANT_SHARDS,
    RIGHTS_QDRANT_REPLICAS, quantisation, payload indexes), so this is how a store moves to a
    cluster. A target that already holds the collection is refused unless --resume. Both sides
    are counted at the end; a difference is an error. Afterwards set QDRANT_URL to the target.
    Example: `RIGHTS_QDRANT_SHARDS=6 RIGHTS_QDRANT_REPLICAS=2 rights copy-store --to http://node1:6333`.
    """
    import os
    import re

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from assistant.search.engines import open_store
    from assistant.search.engines.copying import copy_store, target_store

    if not re.match(r"^https?://[^\s/]+", to):
        raise StoreError(f"--to must be a Qdrant URL such as http://qdrant:6333, not {to!r}")
    settings = command_settings()
    if settings.qdrant_url and settings.qdrant_url.rstrip("/") == to.rstrip("/") and (collection or settings.collection) == settings.collection:
        raise StoreError("the target is the store itself: name another server or another --collection")
    with open_store(settings) as source, target_store(settings, to, collection, os.environ.get("RIGHTS_TARGET_API_KEY")) as target:
        columns = (TextColumn("chunks copied"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task("copy", total=None)
            report = copy_store(source, target, resume=resume,
                                progress=lambda done, total: progress.update(task, completed=done, total=total))
    console.print(f"copied {report.total:,} points in {report.seconds:.1f} s to {safe(to)}: "
                  + ", ".join(f"{safe(n)} {c:,}" for n, c in report.points.items())
                  + f"; counted on both sides. Now set QDRANT_URL={safe(to)}" + (f" and RIGHTS_COLLECTION={safe(collection)}" if collection else ""))
