"""The ``rights`` command line, assembled: document commands (ingest, search, ask, sources,
family, forget), contract terms and the register, catalog questions, and administration (config,
demo, chat, user, audit), the HTTP API (serve, token); ``rights eval`` joins as a plugin.

Each group lives in its own module and declares its commands; this module only builds the Typer
app, adds the groups in ``--help`` order and runs it.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import typer

from assistant.cli import admin, catalog, contracts, documents, serve
from assistant.cli.common import USER_ERRORS, State, command_settings, friendly  # noqa: F401  (the CLI's shared surface)
from assistant.cli.render import RichProgress, console, err  # noqa: F401  (tests and plugins use them from here)

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


@app.callback()
def _main(
    config: Path | None = typer.Option(
        None, "--config", "-c", help="TOML settings file (also RIGHTS_CONFIG). See `rights config`.", show_default=False
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show the log's INFO lines on stderr (DATA_DIR/rights.log has them always)."),
) -> None:
    State.config = config
    State.verbose = verbose


documents.commands.register(app)
admin.commands.register(app)
contracts.register(app)  # rights terms, rights register
catalog.register(app)  # rights catalog ..., rights conflicts
serve.register(app)  # rights serve, rights token ...


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
