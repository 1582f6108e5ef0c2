"""The chat's Contracts view: the register as a table, the deadlines list, a value's clause, and
the agreement as it reads now (a redline of the consolidated agreement).

Gradio-free functions of a service view (one user's: ``ChatSession.view``), wired into the page
by ``assistant/web/app.py``. Everything shown comes through ``assistant/contracts/register.py`` from what the
viewer may see; every document string is escaped (``inert_html``/``without_controls``).
"""

# No ``from __future__ import annotations``: Gradio reads ``request: gr.Request`` and
# ``evt: gr.SelectData`` from the handlers' live annotations (gradio is imported in build_tab).
from datetime import date
from typing import Any

from assistant.contracts.consolidated.redline import (
    KIND_WORDS,
    RESTRICTED_NOTE,
    change_label,
    change_source,
    deal_change_lines,
    restricted_add_note,
    restricted_elsewhere,
    restricted_on,
    word_ops,
)
from assistant.contracts.register import COLUMNS
from assistant.web.inert import inert_html, without_controls
from ingest.errors import UserError
from ingest.families import human_date

# The view's table: the register's columns people scan most, then the family's id (to open a clause).
SHOWN = ["agreement", "parties", "expiry", "status", "notice_deadline", "renewal", "territory", "royalties", "advances",
         "reversion_date", "governing_law", "documents"]
HEADERS = [dict(COLUMNS)[c] for c in SHOWN] + ["id"]
SORTS = [(label, col) for col, label in COLUMNS if col in SHOWN]
# A click on a cell opens the clause of the term behind its column.
COLUMN_TERM = {"agreement": "agreement_type", "parties": "parties", "expiry": "expiry", "status": "expiry",
               "notice_deadline": "notice_deadline", "renewal": "renewal", "territory": "territory", "royalties": "royalties",
               "advances": "advances", "reversion_date": "reversion_date", "governing_law": "governing_law",
               "documents": "expiry"}
CSS = """
.clause-view .ctx {white-space: pre-wrap; border-left: 3px solid #2a7; padding: 4px 10px; margin: 6px 0;}
.clause-view .hl {background: #fff6cc;}
.clause-view mark {background: #ffd84a; padding: 0 1px;}
.clause-view .was {color: #777;}
.deadlines li {margin: 3px 0;}
.redline .clause {margin: 6px 0;}
.redline del {color: #a33; background: #fde8e8;}
.redline ins {color: #175; background: #e3f6ea; text-decoration: none;}
.redline .by, .redline .restricted {color: #555; font-size: 0.9em; margin-left: 1.5em;}
.redline .unapplied {border-left: 3px solid #d90; padding: 4px 10px;}
"""


def _int(value: Any) -> int | None:
    try:
        n = int(float(value))
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def register_table(view, party: str = "", expiring_within: Any = None, notice_due_within: Any = None,
                   sort: str = "expiry", today: date | None = None) -> list[list[str]]:
    """The register rows ``view`` may see, filtered and sorted, as table cells (plain text)."""
    rows = view.contract_register(expiring_within=_int(expiring_within), notice_due_within=_int(notice_due_within),
                                  party=(party or "").strip() or None, sort=sort if sort in dict(COLUMNS) else "expiry", today=today)
    return [[without_controls(r.cells[c]) for c in SHOWN] + [r.family] for r in rows]


def deadlines_html(view, within: Any = 90, today: date | None = None) -> str:
    """Expiries, notice and option deadlines and reversions in the next ``within`` days."""
    days = _int(within) or 90
    items = view.contract_deadlines(days, today)
    if not items:
        return f"<p class='deadlines'><i>Nothing ends or falls due in the next {days} days.</i></p>"
    lines = []
    for d in items:
        basis = f" <small>({inert_html(d.basis)})</small>" if d.basis else ""
        lines.append(f"<li><b>{inert_html(human_date(d.date))}</b> — {inert_html(d.what)} — "
                     f"{inert_html(d.row.cells['agreement'])} <small>{inert_html(d.row.cells['file'])}</small>{basis}</li>")
    return f"<p>{len(items)} in the next {days} days:</p><ul class='deadlines'>{''.join(lines)}</ul>"


def _highlighted(text: str, start: int, end: int, fact: str) -> str:
    """``text`` with ``text[start:end]`` (the clause) shaded and ``fact`` in it marked, escaped."""
    clause = text[start:end]
    at = clause.find(fact) if fact else -1
    inner = (inert_html(clause) if at < 0 else inert_html(clause[:at]) + "<mark>" + inert_html(fact) + "</mark>"
             + inert_html(clause[at + len(fact):]))
    return inert_html(text[:start]) + f"<span class='hl'>{inner}</span>" + inert_html(text[end:])


def clause_html(view, family: str, column: str, today: date | None = None) -> str:
    """The clause behind one cell: the term's current values, each in its passage with the
    clause shaded and the value's words marked, then what it replaced."""
    from assistant.answer.term_answers import _chunk_for

    key = COLUMN_TERM.get(column)
    ft = view.contract_terms(family, today) if family else None
    if ft is None or key is None:
        return "<p><i>Click a value in the register to see the clause it comes from.</i></p>"
    term = ft.term(key)
    head = f"<div class='where'><b>{inert_html(term.label)}</b> — {inert_html(ft.root.title)} ({inert_html(ft.root.file_name)})</div>"
    if not term.current:
        return f"<div class='clause-view'>{head}<p>not stated: none of this agreement's documents says.</p></div>"
    parts = [head]
    for e in term.current:
        v, c = e.value, e.value.clause
        where = inert_html(e.doc.file_name if e.doc else "")
        if c is not None and c.label:
            where += f" § {inert_html(c.label)}"
        if e.doc is not None and e.doc.family_role != "agreement":
            where += f" ({inert_html(e.doc.family_role)}, {inert_html(human_date(e.date))})"
        computed = f"<div><small>computed: {inert_html(v.basis)}</small></div>" if v.kind == "computed" and v.basis else ""
        body = ""
        if c is not None:
            chunk = _chunk_for(view, e)
            text = str(chunk.payload.get("text", "")) if chunk is not None else ""
            c0 = int(chunk.payload.get("start") or 0) if chunk is not None else 0
            s, t = c.start - c0, c.end - c0
            if chunk is None or not (0 <= s < t <= len(text)) or text[s:t] != c.text:
                text, s, t = c.text, 0, len(c.text)
            body = f"<div class='ctx'>{_highlighted(text, s, t, v.fact)}</div>"
        parts.append(f"<div class='value'><b>{inert_html(v.text)}</b> — {where}{computed}{body}</div>")
    for e in term.history:
        if e.superseded:
            parts.append(f"<div class='was'>was: {inert_html(e.value.text)} — {inert_html(e.doc.file_name if e.doc else '')} "
                         f"({inert_html(human_date(e.date))})</div>")
    return f"<div class='clause-view' id='clause-{inert_html(key)}'>{''.join(parts)}</div>"


def _clause_html(clause) -> str:
    """One clause as it reads now, struck and inserted words marked, escaped word by word."""
    if clause.status == "unchanged":
        return inert_html(" ".join(clause.current.split()))
    if clause.status == "deleted":
        return f"<del>{inert_html(' '.join(clause.original.split()) or clause.ref)}</del>"
    if clause.status == "inserted":
        return f"<ins>{inert_html(' '.join(clause.current.split()))}</ins>"
    tags = {"del": "<del>{}</del>", "ins": "<ins>{}</ins>", "same": "{}"}
    return " ".join(tags[tag].format(inert_html(words)) for tag, words in word_ops(clause.original, clause.current))


def redline_html(view, family: str, changed_only: bool = True) -> str:
    """The agreement of ``family`` as it reads now for this viewer: every (or every changed) clause
    with its struck and inserted words, the document and date of each change, the sentences that
    prevail over it, a note where a document the viewer may not see acts on it, and the changes
    that could not be applied. Built from ``view.consolidated``, so only what the viewer may see."""
    try:
        current = view.consolidated(family) if family else None
    except UserError as exc:
        return f"<p class='redline'><i>The agreement cannot be read now: {inert_html(str(exc))}</i></p>"
    if current is None:
        return "<p class='redline'><i>Click a row of the register to see its agreement as it reads now.</i></p>"
    parts = []
    terms = view.contract_terms(family)
    deal = terms.set_by_changes() if terms is not None else []
    if deal:  # a termination, an option exercised, an assignment: the deal beyond its clauses' words
        items = "".join(f"<li>{inert_html(line.strip().removeprefix('- '))}</li>" for line in deal_change_lines(deal)[1:])
        parts.append(f"<div class='deal'><b>The deal now, as later documents set it</b><ul>{items}</ul></div>")
    for clause in current.clauses:
        restricted = restricted_on(current, clause.ref)
        if changed_only and clause.status == "unchanged" and not restricted:
            continue
        lines = [f"<div class='clause' id='clause-{inert_html(clause.ref)}'>{_clause_html(clause)}"]
        lines += [f"<div class='by'>{inert_html(change_label(c.op))} by {inert_html(change_source(c))}</div>"
                  for c in clause.changes if c.before or c.after]
        lines += [f"<div class='by'>prevails over it: “{inert_html(o.op.new)}” ({inert_html(change_source(o))})</div>"
                  for o in clause.overrides]
        if restricted:
            lines.append(f"<div class='restricted'>{inert_html(RESTRICTED_NOTE.format(ref=restricted))}</div>")
        parts.append("".join(lines) + "</div>")
    if not any("class='clause'" in p for p in parts):
        parts.append("<p><i>No clause of this agreement has been changed by a document you may see.</i></p>")
    if current.unapplied:
        items = "".join(f"<li>{inert_html(KIND_WORDS.get(u.change.op.kind, u.change.op.kind))} of "
                        f"{inert_html('clause ' + u.change.op.target if u.change.op.target else repr(u.change.op.thing or u.change.op.old))} in "
                        f"{inert_html(change_source(u.change))}: {inert_html(u.reason)}. It says: "
                        f"“{inert_html(' '.join(u.change.source_text.split())[:300])}”</li>" for u in current.unapplied)
        parts.append(f"<div class='unapplied'><b>Not applied ({len(current.unapplied)})</b>: these changes could not be "
                     f"placed in the agreement; read them before relying on it.<ul>{items}</ul></div>")
    missing = restricted_elsewhere(current)
    if missing:
        parts.append(f"<div class='restricted'>{inert_html(restricted_add_note(missing))}</div>")
    title = f"{len(current.changed)} clause(s) changed by {len(current.documents)} document(s)"
    return f"<div class='redline'><p><b>As it reads now</b> — {title}</p>{''.join(parts)}</div>"


def build_tab(app, session, user_of) -> None:
    """The Contracts tab's widgets and events, inside the caller's ``gr.Tab`` (ui.build_app).
    Per-user by construction: every event computes from ``session.view(user)``, and the table's
    last column carries the family id a click opens (the page keeps only that id, to redraw the
    redline when "only changed clauses" is toggled; what is shown is computed again for the user)."""
    import gradio as gr

    with gr.Row():
        party = gr.Textbox(label="Party", placeholder="e.g. Nova Records", elem_id="register-party")
        expiring = gr.Number(label="Ends within (days; 0: any)", value=None, precision=0, elem_id="register-expiring")
        notice = gr.Number(label="Notice due within (days; 0: any)", value=None, precision=0, elem_id="register-notice")
        sort = gr.Dropdown(SORTS, value="expiry", label="Sort by", elem_id="register-sort")
        refresh = gr.Button("Apply", elem_id="register-apply")
    table = gr.Dataframe([], headers=HEADERS, interactive=False, wrap=True, elem_id="register")
    gr.Markdown("Click a value to see the clause it comes from (current value first, what it replaced after).")
    clause = gr.HTML("<p><i>Click a value in the register to see the clause it comes from.</i></p>", elem_id="clause")
    gr.Markdown("### Deadlines")
    within = gr.Number(value=90, label="Expiries, notice dates and reversions in the next N days", precision=0,
                       elem_id="deadline-days")
    upcoming = gr.HTML("", elem_id="deadlines")
    gr.Markdown("### The agreement as it reads now")
    changed_only = gr.Checkbox(value=True, label="Only the clauses a change touched", elem_id="redline-changed")
    agreement = gr.HTML(redline_html(None, ""), elem_id="redline")

    def load(pa, ex, no, so, wi, request: gr.Request):
        view = session.view(user_of(request))
        return register_table(view, pa, ex, no, so), deadlines_html(view, wi)

    def open_clause(only, evt: gr.SelectData, request: gr.Request):
        row = evt.row_value or []
        col = evt.index[1] if isinstance(evt.index, (list, tuple)) and len(evt.index) > 1 else None
        if not row or col is None or col >= len(SHOWN):
            return gr.skip()
        view = session.view(user_of(request))
        return clause_html(view, str(row[-1]), SHOWN[col]), redline_html(view, str(row[-1]), bool(only)), str(row[-1])

    def reload_redline(only, family, request: gr.Request):
        return redline_html(session.view(user_of(request)), family or "", bool(only))

    # the opened family's id, in a hidden box: a gr.State would keep the page's event stream open
    opened = gr.Textbox("", visible=False, elem_id="redline-family")

    inputs = [party, expiring, notice, sort, within]
    for event in (refresh.click, party.submit, expiring.submit, notice.submit, within.submit, sort.input):
        event(load, inputs, [table, upcoming])
    app.load(load, inputs, [table, upcoming])
    table.select(open_clause, [changed_only], [clause, agreement, opened])
    changed_only.change(reload_redline, [changed_only, opened], agreement)
