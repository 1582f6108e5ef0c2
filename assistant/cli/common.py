"""What every ``rights`` command shares: settings from ``--config``, the one-red-line error
wrapper, the user-error list plugins extend, and picking one document by reference.

Command modules (documents, admin, contracts, catalog, and ``eval`` as a plugin) import this and
:mod:`assistant.cli.render`; only :mod:`assistant.cli.app` assembles them, so nothing imports the
app back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import typer
from pydantic import ValidationError

from assistant.cli.render import err, safe
from assistant.ops import logs
from assistant.settings import Settings, load_settings
from ingest.errors import UserError

# Failures a user can fix: one red line, exit 2. Every product error of that kind is a UserError
# (ingest/errors.py); a plugin may add others it raises (see cli.app.load_plugins).
USER_ERRORS: list[type[BaseException]] = [UserError, FileNotFoundError]


class Commands:
    """Commands a module declares with ``@commands.command(name)``; :mod:`assistant.cli.app` adds
    them to the ``rights`` app in its own order (``rights --help`` lists them that way)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, Callable]] = []

    def command(self, name: str) -> Callable[[Callable], Callable]:
        def add(fn: Callable) -> Callable:
            self.entries.append((name, fn))
            return fn

        return add

    def register(self, app: typer.Typer) -> None:
        for name, fn in self.entries:
            app.command(name)(fn)


class State:
    config: Path | None = None
    verbose: bool = False


def command_settings() -> Settings:
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
