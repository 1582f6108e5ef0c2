"""``rights feedback list | export``: what staff said of answers, and an evaluation dataset from it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import command_settings, friendly
from assistant.cli.render import console, err, safe

feedback_app = typer.Typer(help="Feedback on answers (thumbs up/down and corrections from the chat and the API): "
                           "`list`, and `export` to an eval dataset that `rights eval` runs.", no_args_is_help=True)


@feedback_app.command("list")
@friendly
def feedback_list(last: int = typer.Option(20, "--last", "-n", min=0, help="How many of the latest (0 = all).")) -> None:
    """The latest feedback: when, who, the rating, the question and any correct answer given."""
    from assistant.ops import feedback

    settings = command_settings()
    records = feedback.read(settings.feedback_path)
    records = records[-last:] if last else records
    if not records:
        console.print(f"No feedback yet in {safe(settings.feedback_path)}.")
        return
    table = Table()
    for col in ("time", "user", "via", "rating", "question", "correction"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(safe(r.get("time", "")), safe(r.get("user", "")), safe(r.get("channel", "")),
                      "👍" if r.get("rating") == "up" else "👎", safe(r.get("question", "")), safe(r.get("correction", "")))
    console.print(table)


@feedback_app.command("export")
@friendly
def feedback_export(
    out: Path = typer.Argument(..., help="The dataset to write (JSON lines, the format `rights eval --dataset` reads)."),
    group: list[str] = typer.Option([], "--group", "-g", help="Only feedback whose every source these groups may see "
                                    "(repeatable); default: everything (the operator's own export)."),
) -> None:
    """Write the feedback as evaluation questions: answers rated up (their cited passages as gold
    spans; a declined answer rated up as not answerable) and answers given a correct answer (it is
    the gold). Answers rated down without a correction are counted, not exported.

    Then: `rights eval --corpus FOLDER --dataset OUT`."""
    from assistant.ops import feedback
    from assistant.service import RightsService

    settings = command_settings()
    records = feedback.read(settings.feedback_path)
    with RightsService(settings) as service:
        everything = service.sources()
        view = service.restricted(sorted(set(group))) if group else service
        visible = {d.doc_id for d in view.sources()} if group else None
        questions, left = feedback.to_dataset(records, visible, feedback.stems(everything))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    console.print(f"wrote {len(questions)} question(s) from {len(records)} feedback line(s) to {safe(out)}")
    for why, n in sorted(left.items()):
        err.print(f"  left out {n}: {safe(why)}")
