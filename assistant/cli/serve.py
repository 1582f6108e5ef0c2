"""``rights serve`` (the chat and the HTTP API in one process, optionally watching folders),
``rights token create | list | revoke`` (the API's per-user bearer tokens) and, from
feedback.py, ``rights feedback list | export``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import Commands, command_settings, friendly
from assistant.cli.render import console, err, print_report, safe
from assistant.search.store import StoreError

commands = Commands()
token_app = typer.Typer(help="API tokens: `rights token create USER` (shown once, stored hashed), `list`, `revoke`.",
                        no_args_is_help=True)


def _tokens(settings):
    from assistant.api.tokens import Tokens
    from assistant.web.auth import Users

    users = Users.load(settings.auth_file) if settings.auth_file and settings.auth_file.exists() else None
    return Tokens(settings.tokens_path, users)


@commands.command("serve")
@friendly
def serve_cmd(
    host: str | None = typer.Option(None, "--host", help="Address the API listens on (default 127.0.0.1: this machine only)."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port of the API (default 8000)."),
    chat: bool = typer.Option(True, "--chat/--no-chat", help="Also serve the staff chat (on ui.port, default 7860)."),
    watch: list[Path] = typer.Option([], "--watch", "-w", help="Folder to watch (repeatable): new, changed and removed "
                                     "files are ingested within seconds, with the same report as `rights ingest`."),
    interval: float = typer.Option(1.0, "--interval", min=0.2, max=3600, help="Seconds between scans of watched folders."),
) -> None:
    """Serve the HTTP API (OpenAI-compatible /v1/chat/completions with citations, /v1/search,
    /v1/documents, /v1/register, /v1/catalog/…) beside the chat, in one process.

    Every request needs a token (`rights token create USER`) and sees only what that user may
    see; each is written to the audit log with channel "api". Point an OpenAI client at
    http://127.0.0.1:8000/v1 with the token as its API key."""
    import threading

    import uvicorn

    from assistant.api.app import build_api
    from assistant.service import RightsService
    from assistant.web.app import LOOPBACK

    settings = command_settings()
    host = host or settings.api.host
    port = port or settings.api.port
    tokens = _tokens(settings)
    with RightsService(settings) as service:
        answer_lock, ingest_lock = threading.Lock(), threading.Lock()
        if chat:
            from assistant.web.app import SignInRequired, launch

            try:
                app = launch(service, block=False)
            except SignInRequired as exc:
                raise StoreError(str(exc)) from None
            answer_lock, ingest_lock = app.rights_session.lock, app.rights_session.ingesting
            console.print(f"[bold]Chat:[/] http://{safe(settings.ui.host)}:{settings.ui.port}")
        if watch:
            from assistant.ops.watch import Watcher

            def report(r):
                if any(k != "unchanged" for k in r.counts):
                    print_report(r, r.chunks_written)

            Watcher(service, watch, interval=interval, lock=ingest_lock, on_report=report).start()
            console.print(f"[bold]Watching:[/] {safe(', '.join(str(w) for w in watch))} (every {interval:g} s)")
        api = build_api(service, tokens, answer_lock=answer_lock, ingest_lock=ingest_lock)
        console.rule(f"[bold]API: http://{safe(host)}:{port}/v1[/]  (Ctrl-C stops it)")
        if host not in LOOPBACK:
            err.print(f"[yellow]The API listens on {safe(host)}: use TLS in front of it (tokens travel in each request).[/]")
        if not tokens.entries():
            err.print("[yellow]No API tokens yet:[/] every request is refused until `rights token create USER`.")
        try:
            uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False, server_header=False)
        except OSError as exc:
            raise StoreError(f"cannot start the API on {host}:{port}: {exc.strerror or exc} (use --port)") from None


@token_app.command("create")
@friendly
def token_create(
    user: str = typer.Argument(..., help="Whose token: their requests see what this user may see."),
    expires: int | None = typer.Option(None, "--expires", min=1, max=3650, help="Days until it stops working (default: never)."),
    group: list[str] = typer.Option([], "--group", "-g", help="Access group, for a user not in the users file (repeatable)."),
) -> None:
    """Make a token for USER and print it once (only its hash is stored). With a users file, the
    user's groups there apply, read at every request; otherwise the --group options."""
    tokens = _tokens(command_settings())
    if tokens.users is not None and user in tokens.users.entries and group:
        raise typer.BadParameter(f"{user} is in the users file; their groups come from there", param_hint="--group")
    token, entry = tokens.create(user, days=expires, groups=group or None)
    console.print(f"Token for [bold]{safe(user)}[/] (id {entry.token_id}, "
                  f"{'expires ' + entry.expires if entry.expires else 'no expiry'}). It is shown only now:")
    print(token)


@token_app.command("list")
@friendly
def token_list() -> None:
    """The tokens: id, user, when made, when they expire (never the secrets: they are not kept)."""
    tokens = _tokens(command_settings())
    entries = tokens.entries()
    if not entries:
        console.print(f"No API tokens in {safe(tokens.path)}. Make one with `rights token create USER`.")
        return
    table = Table()
    for col in ("id", "user", "created", "expires", "groups"):
        table.add_column(col)
    for e in sorted(entries.values(), key=lambda e: (e.user, e.created)):
        table.add_row(e.token_id, safe(e.user), e.created, e.expires or "never", safe(", ".join(tokens.groups(e))) or "-")
    console.print(table)


@token_app.command("revoke")
@friendly
def token_revoke(ref: str = typer.Argument(..., help="A token id (see `rights token list`), or a user name: all their tokens.")) -> None:
    """Revoke a token (or every token of a user); a running server refuses it from the next request."""
    gone = _tokens(command_settings()).revoke(ref)
    console.print(f"revoked {len(gone)} token(s): {', '.join(e.token_id + ' (' + safe(e.user) + ')' for e in gone)}")


def register(app: typer.Typer) -> None:
    from assistant.cli.feedback import feedback_app

    commands.register(app)
    app.add_typer(token_app, name="token")
    app.add_typer(feedback_app, name="feedback")
