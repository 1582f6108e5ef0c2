"""The chat's Conflicts view: conflicts between sources as a table, and catalog checks.

Gradio-free functions of a service view (one user's: ``ChatSession.view``), wired into the page
by ``assistant/web/app.py``. Everything comes through assistant/catalog from what the viewer may see;
every string from a document is escaped (``without_controls`` in table cells, ``inert_html``
in HTML).
"""

# No ``from __future__ import annotations``: Gradio reads ``request: gr.Request`` from the
# handlers' live annotations (gradio is imported in build_tab).
from assistant.catalog.conflicts import KINDS, conflicts
from assistant.catalog.queries import Catalog
from assistant.web.inert import inert_html, without_controls

HEADERS = ["kind", "work / recording", "difference", "source A", "source B"]
CHECKS = [("Works whose shares do not total 100%", "shares"), ("Works without ISWC", "missing:ISWC"),
          ("Recordings without ISRC", "missing:ISRC"), ("Writers without IPI", "missing:IPI"),
          ("Invalid ISWC", "invalid:ISWC"), ("Invalid ISRC", "invalid:ISRC"), ("Invalid IPI (check digits)", "invalid:IPI"),
          ("Invalid UPC/EAN", "invalid:UPC")]
SHOWN = 500


def conflicts_table(view, kind: str = "") -> list[list[str]]:
    """Conflicts ``view`` may see (optionally one kind) as plain-text table cells."""
    found = [c for c in conflicts(Catalog(view)) if not kind or c.kind == kind]
    return [[c.kind, without_controls(f"{c.entity}: {c.title}"), without_controls(c.detail), without_controls(c.a.cite),
             without_controls(c.b.cite)] for c in found[:SHOWN]]


def check_html(view, check: str = "shares") -> str:
    """One catalog check's records, each with its file and lines, as escaped HTML."""
    catalog = Catalog(view)
    if check == "shares":
        result = catalog.share_problems(SHOWN)
    else:
        problem, _, scheme = check.partition(":")
        result = catalog.identifier_problems(scheme or "ISWC", problem if problem in ("missing", "invalid") else "missing",
                                             limit=SHOWN)
    if not result.rows:
        return f"<p><i>{inert_html(result.empty[:1].upper() + result.empty[1:])}.</i></p>"
    items = "".join(f"<li>{inert_html(r.summary())} — <code>{inert_html(r.cite)}</code></li>" for r in result.rows)
    more = f"<p><i>{result.total - len(result.rows):,} more: `rights catalog` lists them all.</i></p>" if result.total > len(result.rows) else ""
    return f"<p><b>{inert_html(result.title)}: {result.total:,}</b></p><ul class='catalog-check'>{items}</ul>{more}"


def build_tab(app, session, user_of) -> None:
    """The Conflicts tab's widgets and events, inside the caller's ``gr.Tab`` (ui.build_app);
    every event computes from ``session.view(user)``."""
    import gradio as gr

    with gr.Row():
        kind = gr.Dropdown([("all kinds", "")] + [(k, k) for k in KINDS], value="", label="Kind", elem_id="conflicts-kind")
        refresh = gr.Button("Refresh", elem_id="conflicts-refresh")
    table = gr.Dataframe([], headers=HEADERS, interactive=False, wrap=True, elem_id="conflicts")
    gr.Markdown("### Catalog checks")
    check = gr.Dropdown(CHECKS, value="shares", label="Check", elem_id="catalog-check")
    result = gr.HTML("", elem_id="catalog-check-result")

    def load(k, c, request: gr.Request):
        view = session.view(user_of(request))
        return conflicts_table(view, k or ""), check_html(view, c)

    for event in (refresh.click, kind.input, check.input):
        event(load, [kind, check], [table, result])
    app.load(load, [kind, check], [table, result])
