"""The staff chat in the browser: a thin Gradio layer over the answering service.

Every answer streams in, then is replaced by its checked form; its citations [n] point at the
sources panel, which shows each passage's file, clause or record, page, the quoted words
highlighted, and the whole chunk on demand. Nothing here decides anything: retrieval, answering
and citation checks are the service's, so the CLI and the chat can never disagree.
"""


import re
import threading
from collections.abc import Iterator
from typing import Any

from assistant.answer.answering import Answer, Answerer, FinalEvent, SourcesEvent, TokenEvent
from assistant.llm.base import LLMError
from assistant.search.store import StoreError
from assistant.text.facts import extract_facts
from assistant.web import contracts_tab as contracts_view
from assistant.web.inert import inert, inert_html, without_controls
from assistant.web.uploads import UploadJob, save_uploads
from ingest.errors import UserError
from ingest.readers.ocr import ocr_note

DOC_TYPES = ["any", "contract", "split sheet", "catalog", "ddex", "cwr", "table"]
STATUS_NOTES = {
    "reduced": "The model's own wording was not supported by its sources; showing the passage's words instead.",
    "flagged": "Warning: this answer states facts its cited sources do not contain.",
}
_QUOTE = re.compile(r"“([^”]{3,})”")
_CITE = re.compile(r"\\\[(\d+)\\\]")  # a citation [n] once the answer text is inert: \[n\]
CSS = """
.src {border:1px solid #ccc; border-radius:6px; padding:6px 10px; margin:6px 0;}
.src.cited {border-color:#2a7; background:#f5fff8;}
.src mark {background:#ffe58a; padding:0 1px;}
.src .where {font-weight:600;}
.src .warn {color:#a60;}
"""


def _marks(text: str, needles: list[str]) -> str:
    """HTML of ``text`` with every occurrence of ``needles`` highlighted (escaped, never raw).

    Matching ignores case and how whitespace is laid out: a quote is one line, the passage it
    comes from may wrap (PDF lines, table rows)."""
    spans: list[tuple[int, int]] = []
    for needle in {n.strip() for n in needles if n and len(n.strip()) >= 2}:
        pattern = r"\s+".join(re.escape(w) for w in needle.split())
        spans += [m.span() for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    spans.sort()
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out += [inert_html(text[pos:a]), "<mark>", inert_html(text[a:b]), "</mark>"]
        pos = b
    out.append(inert_html(text[pos:]))
    return "".join(out)


def cited_words(answer: Answer) -> dict[int, list[str]]:
    """Per cited source: the words to highlight - quoted sentences, else the claim's facts."""
    words: dict[int, list[str]] = {}
    for n, claim in answer.cited:
        quotes = _QUOTE.findall(claim)
        found = quotes or [f.text for f in extract_facts(claim)]
        words.setdefault(n, []).extend(found)
    return words


def sources_html(answer: Answer | None, sources=None, cross_warnings: list[list[str]] | None = None) -> str:
    """The sources panel: one box per passage, cited ones first and marked. ``cross_warnings``
    (per source, in order) are the duplicate-identifier warnings computed for this viewer."""
    sources = answer.sources if answer is not None else (sources or [])
    extra_warnings = {s.number: w for s, w in zip(sources, cross_warnings or [])}
    if not sources:
        return "<p><i>No sources yet.</i></p>"
    marks = cited_words(answer) if answer is not None else {}
    cited = [n for n, _ in answer.cited] if answer is not None else []
    order = sorted(sources, key=lambda s: (s.number not in cited, s.number))
    parts = []
    for s in order:
        p = s.payload
        where = inert_html(s.label)
        extra = []
        if p.get("record_kind"):
            extra.append(f"{inert_html(p.get('record_kind'))} · {inert_html(p.get('location') or '')}")
        extra.append(f"chars {int(p.get('start') or 0)}–{int(p.get('end') or 0)}")
        extra += [inert_html(note)] if (note := ocr_note(p)) else []  # read by OCR from a scan
        text = s.text
        quote = _marks(text, marks.get(s.number, []))
        preview = quote if len(text) <= 600 or s.number in marks else inert_html(text[:600]) + "…"
        shown = [*(p.get("warnings") or []), *extra_warnings.get(s.number, [])]
        warnings = "".join(f"<div class='warn'>⚠ {inert_html(w)}</div>" for w in shown)
        parts.append(
            f"<div class='src{' cited' if s.number in cited else ''}' id='src-{s.number}'>"
            f"<div class='where'>[{s.number}] {where}</div>"
            f"<div><small>{' · '.join(extra)}</small></div>"
            f"<div class='quote'>{preview}</div>{warnings}"
            f"<details><summary>whole passage</summary><pre style='white-space:pre-wrap'>{inert_html(text)}</pre></details>"
            "</div>"
        )
    return "\n".join(parts)


def answer_markdown(answer: Answer) -> str:
    """The answer with [n] linking to its source box, and the checker's verdict when not clean."""
    text = _CITE.sub(lambda m: f"[[{m.group(1)}]](#src-{m.group(1)})", inert(answer.text))
    note = STATUS_NOTES.get(answer.status)
    if note:
        text += f"\n\n*{note}*"
    if answer.status in ("abstained", "refused") and answer.reason:
        text += f"\n\n{inert('(' + answer.reason + ')')}"
    return text


def _user(request) -> str:
    return getattr(request, "username", None) or "local"


def _browser(request) -> tuple[str, str]:
    """Whose upload job a poll asks about: this user in this browser tab, never anyone else.
    (A gr.State would do the same but keeps a heartbeat stream open for the page's lifetime.)"""
    return _user(request), str(getattr(request, "session_hash", None) or "")


class Jobs:
    """Upload jobs by (user, browser session), the most recent few hundred kept."""

    def __init__(self, keep: int = 256):
        self.keep = keep
        self._jobs: dict[tuple[str, str], UploadJob] = {}
        self._lock = threading.Lock()

    def put(self, key: tuple[str, str], job: UploadJob) -> None:
        with self._lock:
            self._jobs.pop(key, None)
            self._jobs[key] = job
            while len(self._jobs) > self.keep:
                self._jobs.pop(next(iter(self._jobs)))

    def get(self, key: tuple[str, str]) -> UploadJob | None:
        with self._lock:
            return self._jobs.get(key)


def status_line(service, settings, user: str = "local") -> str:
    try:
        docs = service.sources()
        chunks = service.store.count_chunks()
        store = settings.qdrant_url or f"embedded store at {settings.edge_path}"
        counts = f"{len(docs)} documents, {chunks} passages"
    except StoreError as exc:
        return f"⚠ Store unavailable: {inert(str(exc))}"
    model = settings.llm.ollama_model if settings.llm_backend == "ollama" else "embedded SmolLM2-135M"
    signed = f" · Signed in as **{inert(user)}**" if user != "local" else ""
    return f"Model: **{inert(model)}** ({settings.llm_backend}) · Store: {inert(store)} · {counts}{signed}"


def documents_rows(service) -> list[list[Any]]:
    """The Documents tab as ``service`` (a user's view) may see it: its own validation warnings
    and the duplicate identifiers it shares with documents this viewer may also see. The last
    column is the document's family ("amendment of X.pdf", "agreement (+2)"), named only from
    what this viewer may see."""
    from ingest.families import family_label

    cross = service.document_duplicate_warnings()
    docs = service.sources()
    by_id = {d.doc_id: d for d in docs}
    rows = []
    for d in sorted(docs, key=lambda d: d.file_name):
        warnings = [*d.warnings, *cross.get(d.doc_id, [])]
        shown = "; ".join(warnings[:3]) + (f" (+{len(warnings) - 3})" if len(warnings) > 3 else "")
        rows.append([without_controls(d.title), d.doc_type, d.kind, d.n_chunks, d.pages or "", d.ingested_at,
                     without_controls(shown), without_controls(d.file_name), without_controls(family_label(d, by_id))])
    return rows


class ChatSession:
    """The chat's behaviour, independent of Gradio: tested directly, wired into the Blocks below.

    ``respond`` yields (chat turns, sources panel HTML or None when the panel is unchanged)."""

    def __init__(self, service, answerer: Answerer | None = None, users=None):
        self.service = service
        self.settings = service.settings
        if answerer is not None and answerer._chat is not None:
            service.chat = answerer._chat  # a model handed in (tests, a pre-loaded one) serves every user
        self.users = users  # auth.Users when sign-in is on: each user sees only their groups' documents
        # Answers queue here (the embedded model generates one at a time). Uploads queue on their
        # own lock and do not hold this one: the chat keeps answering while files are ingested
        # (the store serialises each call, the embedder each batch).
        self.lock = threading.Lock()
        self.ingesting = threading.Lock()
        self.jobs = Jobs()  # upload jobs, per user and browser session (polled by the page)
        self.last_answer: Answer | None = None  # the latest checked answer (inspection and tests)
        self.given: dict[str, list[tuple[str, Answer]]] = {}  # per user: (the turn shown, its Answer), latest last

    def upload(self, files: list[tuple[str, Any]], user: str = "local", groups: list[str] | None = None) -> UploadJob:
        """Store the files as ``user``'s and start ingesting them in the background (same job as
        `rights ingest`). With sign-in they are visible to ``groups`` (the uploader's own groups,
        or those of them the uploader chose), and the job reports only what this user may see."""
        from pathlib import Path

        groups = self.upload_groups(user, groups)
        saved, refused = save_uploads([(name, Path(temp)) for name, temp in files], self.settings, user, groups)
        job = UploadJob(saved, refused)
        if groups is not None:
            job.note = (f"Visible to: {', '.join(groups)}." if groups else
                        "You belong to no access group, so these files are visible to administrators only.")
        if saved:
            threading.Thread(target=job.run, args=(self.view(user), self.ingesting), daemon=True, name="upload-ingest").start()
        else:
            job.finished.set()
        return job

    def rate(self, user: str, rating: str, shown: str | None = None, correction: str = "", question: str = "") -> str:
        """Store ``user``'s rating of an answer they were given: the turn ``shown`` (its text as on
        the page), or their latest answer when None. Its sources are kept when the answer is still
        held; only the user's own answers are found. Returns the line the page shows."""
        from assistant.ops import feedback

        given = self.given.get(user, [])
        held = given[-1][1] if shown is None and given else next((a for text, a in reversed(given) if text == shown), None)
        if held is None and shown is None:
            return "Ask a question first: there is no answer to correct yet."
        feedback.append(self.settings.feedback_path, feedback.entry(
            user=user, channel="chat", question=held.question if held is not None else question, answer=held,
            rating=rating, correction=correction, answer_text=shown))
        return ("Thank you: the correct answer is stored with the question for the evaluation." if correction else
                f"Thank you: rated {'helpful' if rating == 'up' else 'not helpful'}.")

    def user_groups(self, user: str) -> list[str] | None:
        """``user``'s access groups; None without sign-in (one local user sees everything)."""
        return None if self.users is None else self.users.groups(user)

    def upload_groups(self, user: str, chosen: list[str] | None) -> list[str] | None:
        """Who will see ``user``'s upload: the chosen groups that are really theirs, else all of
        theirs. None without sign-in (no restriction)."""
        own = self.user_groups(user)
        if own is None:
            return None
        picked = sorted(set(chosen or []) & set(own))
        return picked or sorted(set(own))

    def view(self, user: str):
        """The service as ``user`` may see it (everything when there is no sign-in)."""
        if self.users is None:
            return self.service
        return self.service.restricted(self.users.groups(user))

    def respond(self, question: str, history: list[dict], doc_type: str = "any", party: str = "",
                since: str = "", until: str = "", user: str = "local",
                scope: list[str] | None = None, on_final=None) -> Iterator[tuple[list[dict], str]]:
        """Answer ``question`` as ``user``. ``scope`` (document ids: the previous turn's) keeps a
        follow-up that names no document, party, work or identifier ("And the royalty?") with the
        documents the conversation is about; ``on_final`` receives the checked answer (the page
        derives the next scope from it: ``scope_after``)."""
        question = (question or "").strip()
        if not question:
            yield history, sources_html(None)
            return
        history = list(history or [])[-2 * self.settings.ui.max_history:] + [
            {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        filters = {"doc_type": None if doc_type in ("", "any", None) else doc_type, "party": party or None,
                   "date_from": since or None, "date_to": until or None}
        if scope and not names_something(question):
            filters["doc_ids"] = list(scope)
        final: Answer | None = None
        view = self.view(user)
        cross: list[list[str]] = []
        with self.lock:
            events = view.answer_stream(question, user=user, channel="chat", audit_filters=filters, **filters)
            try:
                draft = ""
                for event in events:
                    if isinstance(event, SourcesEvent):
                        cross = view.duplicate_warnings([s.payload for s in event.sources])
                        yield list(history), sources_html(None, event.sources, cross)
                    elif isinstance(event, TokenEvent):
                        draft += event.text
                        history[-1] = {"role": "assistant", "content": inert(draft) + " ▌"}
                        yield list(history), None  # panel unchanged while tokens stream
                    elif isinstance(event, FinalEvent):
                        final = event.answer
            except (LLMError, StoreError) as exc:
                history[-1] = {"role": "assistant", "content": "⚠ " + inert(str(exc))}
                yield history, sources_html(None)
                return
            finally:
                events.close()  # the audit line is written even when the page goes away mid-answer
        assert final is not None
        self.last_answer = final
        if on_final is not None:
            on_final(final)
        history[-1] = {"role": "assistant", "content": answer_markdown(final)}
        given = self.given.setdefault(user, [])
        given.append((history[-1]["content"], final))
        del given[:-FEEDBACK_KEPT]
        yield history, sources_html(final, cross_warnings=cross)


def _text(content) -> str:
    """A chat message's text, whether Gradio gives it as a string or as a list of parts."""
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    if isinstance(content, dict):
        return str(content.get("text", content.get("value", "")))
    return str(content or "")


def names_something(question: str) -> bool:
    """Whether a question names its own subject (a party, agreement, work or identifier): then it
    starts a new scope; otherwise it follows up on the previous turn's documents."""
    from assistant.search.retrieval import name_terms
    from ingest.identifiers import find_identifiers

    return bool(name_terms(question) or find_identifiers(question))


def scope_after(view, answer: Answer | None, previous: list[str] | None) -> list[str]:
    """The documents a conversation is about after ``answer``: the families of the documents it
    cites (a follow-up about the royalty must see the amendment too); the previous scope when it
    did not answer."""
    if answer is None or answer.abstained or not answer.cited_sources():
        return list(previous or [])
    ids: list[str] = []
    for source in answer.cited_sources():
        doc_id = str(source.payload.get("doc_id"))
        for doc in view.family(doc_id) or []:
            if doc.doc_id not in ids:
                ids.append(doc.doc_id)
        if doc_id not in ids:
            ids.append(doc_id)
    return ids


def scope_choices(view, ids: list[str]) -> list[tuple[str, str]]:
    """(label, document id) for the scope chips: titles, as plain text."""
    docs = view.store.documents()
    return [(without_controls(docs[i].title or docs[i].file_name)[:60], i) for i in ids if i in docs]


def build_app(service, answerer: Answerer | None = None, users=None):
    import gradio as gr

    from assistant.web.guard import install as install_webguard

    install_webguard()  # no URL in a request is ever fetched or resolved: uploaded files only
    session = ChatSession(service, answerer, users)
    settings = service.settings
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    with gr.Blocks(title="rights-assistant", analytics_enabled=False) as app:
        status = gr.Markdown("", elem_id="status", latex_delimiters=[])
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Answers cite their sources [n]", height=520, elem_id="chat",
                                      latex_delimiters=[])  # no maths: nothing in an answer is markup
                    question = gr.Textbox(label="Question", placeholder="When does the Nova Records deal expire?",
                                          elem_id="question", submit_btn=True)
                    scope = gr.Dropdown([], value=[], multiselect=True, elem_id="scope",
                                        label="Scope: follow-up questions stay with these documents (× removes one)")
                    with gr.Row():
                        correction = gr.Textbox(label="Wrong answer? The correct one (stored for the evaluation)",
                                                elem_id="correction", scale=4)
                        send_correction = gr.Button("Send correction", elem_id="send-correction", scale=1)
                    thanks = gr.Markdown("", elem_id="feedback-status", latex_delimiters=[])
                    with gr.Row():
                        doc_type = gr.Dropdown(DOC_TYPES, value="any", label="Document type")
                        party = gr.Textbox(label="Party / artist", placeholder="e.g. Nova Records")
                        since = gr.Textbox(label="Made on or after", placeholder="YYYY[-MM-DD]")
                        until = gr.Textbox(label="Made on or before", placeholder="YYYY[-MM-DD]")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    panel = gr.HTML(sources_html(None), elem_id="sources")
        with gr.Tab("Documents"):
            table = gr.Dataframe(
                [],
                headers=["title", "type", "kind", "chunks/records", "pages", "ingested at", "validation warnings", "file", "family"],
                interactive=False, wrap=True, elem_id="documents",
            )
            refresh = gr.Button("Refresh")
            gr.Markdown(f"### Upload\nContracts (PDF, DOCX, TXT, MD) and music data (CSV/XLSX split sheets and "
                        f"catalogs, DDEX XML, CWR), up to {settings.ui.max_upload_mb} MB each. They are stored under "
                        "the data directory and ingested in the background, like `rights ingest`"
                        + (", visible to your groups (or those of them you choose)." if users is not None else "."))
            files = gr.File(file_count="multiple", type="filepath", label="Files to ingest", elem_id="upload")
            visible_to = gr.Dropdown([], value=[], multiselect=True, label="Visible to (your groups; none chosen: all of them)",
                                     elem_id="upload-groups", visible=users is not None)
            progress = gr.Markdown("", elem_id="upload-status", latex_delimiters=[])
            timer = gr.Timer(1.0, active=False)

            def refresh_view(request: gr.Request):
                user = _user(request)
                view = session.view(user)
                own = session.user_groups(user) or []
                return documents_rows(view), status_line(view, settings, user), gr.Dropdown(choices=own, value=[])

            refresh.click(refresh_view, outputs=[table, status, visible_to])
            app.load(refresh_view, outputs=[table, status, visible_to])

            def start_upload(paths, chosen, request: gr.Request):
                from pathlib import Path

                if not paths:
                    return gr.skip(), gr.Timer(active=False)
                job = session.upload([(Path(p).name, p) for p in paths], _user(request), chosen)
                session.jobs.put(_browser(request), job)
                return job.summary(), gr.Timer(active=not job.finished.is_set())

            def poll(request: gr.Request):
                job = session.jobs.get(_browser(request))
                if job is None:
                    return gr.skip(), gr.Timer(active=False), gr.skip(), gr.skip()
                running = not job.finished.is_set()
                view = session.view(_user(request))
                rows = gr.skip() if running else documents_rows(view)
                return job.summary(), gr.Timer(active=running), rows, status_line(view, settings, _user(request))

            files.upload(start_upload, [files, visible_to], [progress, timer])
            timer.tick(poll, outputs=[progress, timer, table, status])
        with gr.Tab("Contracts"):  # the register, deadlines and clauses (assistant/web/contracts_tab.py)
            contracts_view.build_tab(app, session, _user)
        with gr.Tab("Conflicts"):  # sources that disagree, and catalog checks (assistant/web/catalog_tab.py)
            from assistant.web import catalog_tab as catalog_view

            catalog_view.build_tab(app, session, _user)

        def respond(q, history, dt, pa, si, un, current_scope, request: gr.Request):
            user = _user(request)
            finals: list[Answer] = []
            turns, panel_last = history, None
            for turns, panel_html in session.respond(q, history, dt, pa, si, un, user=user, scope=current_scope or None,
                                                     on_final=finals.append):
                panel_last = panel_html if panel_html is not None else panel_last
                yield turns, gr.skip() if panel_html is None else panel_html, gr.skip()
            view = session.view(user)
            ids = scope_after(view, finals[-1] if finals else None, current_scope)
            # The last update repeats the final turns and panel: an API client reads the last one.
            yield turns, gr.skip() if panel_last is None else panel_last, gr.Dropdown(choices=scope_choices(view, ids), value=ids)

        question.submit(respond, [question, chat, doc_type, party, since, until, scope], [chat, panel, scope],
                        concurrency_limit=1).then(lambda: "", outputs=question)

        def liked(history, data: gr.LikeData, request: gr.Request):
            if data.liked is None:  # a thumb taken back
                return ""
            index = data.index[0] if isinstance(data.index, list | tuple) else data.index
            turns = list(history or [])
            shown = _text(turns[index]["content"]) if isinstance(index, int) and 0 <= index < len(turns) else _text(data.value)
            asked = next((_text(t["content"]) for t in reversed(turns[:index]) if t.get("role") == "user"), "") if isinstance(index, int) else ""
            return session.rate(_user(request), "up" if data.liked else "down", shown=shown, question=asked)

        chat.like(liked, [chat], thanks)

        def corrected(text, request: gr.Request):
            if not (text or "").strip():
                return gr.skip(), "Type the correct answer first."
            return "", session.rate(_user(request), "down", correction=text)

        send_correction.click(corrected, [correction], [correction, thanks])
    app.rights_theme = theme  # Gradio 6 takes theme and CSS at launch()
    app.rights_session = session  # `rights serve` shares its answer and ingest locks with the API
    return app


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FEEDBACK_KEPT = 50  # answers per user that a thumbs up or down can still find with their sources


class SignInRequired(UserError, RuntimeError):
    pass


def launch(service, host: str | None = None, port: int | None = None, answerer: Answerer | None = None, block: bool = True):
    """Start the chat on loopback (or the configured host); returns the running Blocks.

    With ``auth_file`` set, users sign in and see only their groups' documents. Without it the
    chat refuses to listen beyond loopback: anyone on the network could read every contract."""
    from assistant.web.auth import Users

    settings = service.settings
    host = host or settings.ui.host
    users = Users.load(settings.auth_file) if settings.auth_file else None
    if users is None and host not in LOOPBACK:
        raise SignInRequired(
            f"the chat would listen on {host} without sign-in; set auth_file (RIGHTS_AUTH_FILE) and add users "
            "with `rights user NAME --group G`, or listen on 127.0.0.1"
        )
    app = build_app(service, answerer, users)
    app.queue(default_concurrency_limit=1, max_size=64)
    app.launch(
        server_name=host,
        auth=users.authenticate if users is not None else None,
        auth_message=("rights-assistant: sign in with your user name and password. After five wrong passwords, sign-in "
                      "from this computer pauses for a minute, then longer each time.") if users is not None else None,
        server_port=port or service.settings.ui.port,
        share=False,
        inbrowser=False,
        prevent_thread_lock=not block,
        show_error=False,
        theme=app.rights_theme,
        css=CSS + contracts_view.CSS,
        footer_links=[],
        max_file_size=f"{service.settings.ui.max_upload_mb}mb",
    )
    return app
