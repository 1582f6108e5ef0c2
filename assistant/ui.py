"""The staff chat in the browser: a thin Gradio layer over the answering service.

Every answer streams in, then is replaced by its checked form; its citations [n] point at the
sources panel, which shows each passage's file, clause or record, page, the quoted words
highlighted, and the whole chunk on demand. Nothing here decides anything: retrieval, answering
and citation checks are the service's, so the CLI and the chat can never disagree.
"""


import html
import re
import threading
from typing import Any, Iterator

from . import audit
from .answering import Answer, Answerer, FinalEvent, SourcesEvent, TokenEvent
from .facts import extract_facts
from .llm import LLMError
from .store import StoreError
from .uploads import UploadJob, save_uploads

DOC_TYPES = ["any", "contract", "split sheet", "catalog", "ddex", "cwr", "table"]
STATUS_NOTES = {
    "reduced": "The model's own wording was not supported by its sources; showing the passage's words instead.",
    "flagged": "Warning: this answer states facts its cited sources do not contain.",
}
_QUOTE = re.compile(r"“([^”]{3,})”")
_CITE = re.compile(r"\[(\d+)\]")
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
        out += [html.escape(text[pos:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


def cited_words(answer: Answer) -> dict[int, list[str]]:
    """Per cited source: the words to highlight - quoted sentences, else the claim's facts."""
    words: dict[int, list[str]] = {}
    for n, claim in answer.cited:
        quotes = _QUOTE.findall(claim)
        found = quotes or [f.text for f in extract_facts(claim)]
        words.setdefault(n, []).extend(found)
    return words


def sources_html(answer: Answer | None, sources=None) -> str:
    """The sources panel: one box per passage, cited ones first and marked."""
    sources = answer.sources if answer is not None else (sources or [])
    if not sources:
        return "<p><i>No sources yet.</i></p>"
    marks = cited_words(answer) if answer is not None else {}
    cited = [n for n, _ in answer.cited] if answer is not None else []
    order = sorted(sources, key=lambda s: (s.number not in cited, s.number))
    parts = []
    for s in order:
        p = s.payload
        where = html.escape(s.label)
        extra = []
        if p.get("record_kind"):
            extra.append(f"{html.escape(str(p.get('record_kind')))} · {html.escape(str(p.get('location') or ''))}")
        extra.append(f"chars {p.get('start')}–{p.get('end')}")
        text = s.text
        quote = _marks(text, marks.get(s.number, []))
        preview = quote if len(text) <= 600 or s.number in marks else html.escape(text[:600]) + "…"
        warnings = "".join(f"<div class='warn'>⚠ {html.escape(w)}</div>" for w in (p.get("warnings") or []))
        parts.append(
            f"<div class='src{' cited' if s.number in cited else ''}' id='src-{s.number}'>"
            f"<div class='where'>[{s.number}] {where}</div>"
            f"<div><small>{' · '.join(extra)}</small></div>"
            f"<div class='quote'>{preview}</div>{warnings}"
            f"<details><summary>whole passage</summary><pre style='white-space:pre-wrap'>{html.escape(text)}</pre></details>"
            "</div>"
        )
    return "\n".join(parts)


_URL = re.compile(r"\b(?:https?|ftp|file)://[^\s<>`]*|\bwww\.[^\s<>`]+|\b(?:data|javascript):[^\s<>`]+", re.I)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")


def inert(text: str) -> str:
    """Model output as plain words for the Markdown chat: no HTML, no links, no images.

    A document can carry a Markdown image whose URL smuggles data out the moment a browser
    renders it (prompt injection); nothing a model writes may make the browser fetch anything.
    URLs stay readable as code, never clickable."""
    text = html.escape(text, quote=False)
    text = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    return _URL.sub(lambda m: f"`{m.group(0)}`", text)


def answer_markdown(answer: Answer) -> str:
    """The answer with [n] linking to its source box, and the checker's verdict when not clean."""
    text = _CITE.sub(lambda m: f"[[{m.group(1)}]](#src-{m.group(1)})", inert(answer.text))
    note = STATUS_NOTES.get(answer.status)
    if note:
        text += f"\n\n*{note}*"
    if answer.status == "abstained" and answer.reason:
        text += f"\n\n<small>{html.escape(answer.reason)}</small>"
    return text


def _user(request) -> str:
    return getattr(request, "username", None) or "local"


def status_line(service, settings, user: str = "local") -> str:
    try:
        docs = service.sources()
        chunks = service.store.count_chunks()
        store = settings.qdrant_url or f"embedded store at {settings.qdrant_path}"
        counts = f"{len(docs)} documents, {chunks} passages"
    except StoreError as exc:
        return f"⚠ Store unavailable: {exc}"
    model = settings.llm.ollama_model if settings.llm_backend == "ollama" else "embedded SmolLM2-135M"
    signed = f" · Signed in as **{html.escape(user)}**" if user != "local" else ""
    return f"Model: **{model}** ({settings.llm_backend}) · Store: {store} · {counts}{signed}"


def documents_rows(service) -> list[list[Any]]:
    return [
        [d.title, d.doc_type, d.kind, d.n_chunks, d.pages or "", d.ingested_at, "; ".join(d.warnings[:3])
         + (f" (+{len(d.warnings) - 3})" if len(d.warnings) > 3 else ""), d.file_name]
        for d in sorted(service.sources(), key=lambda d: d.file_name)
    ]


class ChatSession:
    """The chat's behaviour, independent of Gradio: tested directly, wired into the Blocks below.

    ``respond`` yields (chat turns, sources panel HTML or None when the panel is unchanged)."""

    def __init__(self, service, answerer: Answerer | None = None, users=None):
        self.service = service
        self.settings = service.settings
        self.answerer = answerer or Answerer(service)
        self.users = users  # auth.Users when sign-in is on: each user sees only their groups' documents
        # Answers queue here (the embedded model generates one at a time). Uploads queue on their
        # own lock and do not hold this one: the chat keeps answering while files are ingested
        # (the store serialises each call, the embedder each batch).
        self.lock = threading.Lock()
        self.ingesting = threading.Lock()
        self.job: UploadJob | None = None
        self.last_answer: Answer | None = None  # the latest checked answer (inspection and tests)

    def upload(self, files: list[tuple[str, Any]]) -> UploadJob:
        """Store the files and start ingesting them in the background (same job as `rights ingest`)."""
        from pathlib import Path

        saved, refused = save_uploads([(name, Path(temp)) for name, temp in files], self.settings)
        job = UploadJob(saved, refused)
        if saved:
            threading.Thread(target=job.run, args=(self.service, self.ingesting), daemon=True, name="upload-ingest").start()
        else:
            job.finished.set()
        self.job = job
        return job

    def view(self, user: str):
        """The service as ``user`` may see it (everything when there is no sign-in)."""
        if self.users is None:
            return self.service
        return self.service.restricted(self.users.groups(user))

    def answerer_for(self, user: str) -> Answerer:
        if self.users is None:
            return self.answerer
        return Answerer(self.view(user), chat=self.answerer.chat)

    def respond(self, question: str, history: list[dict], doc_type: str = "any", party: str = "",
                since: str = "", until: str = "", user: str = "local") -> Iterator[tuple[list[dict], str]]:
        question = (question or "").strip()
        if not question:
            yield history, sources_html(None)
            return
        history = list(history or [])[-2 * self.settings.ui.max_history:] + [
            {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        filters = {"doc_type": None if doc_type in ("", "any", None) else doc_type, "party": party or None,
                   "date_from": since or None, "date_to": until or None}
        final: Answer | None = None
        with self.lock:
            try:
                draft = ""
                for event in self.answerer_for(user).stream(question, **filters):
                    if isinstance(event, SourcesEvent):
                        yield list(history), sources_html(None, event.sources)
                    elif isinstance(event, TokenEvent):
                        draft += event.text
                        history[-1] = {"role": "assistant", "content": inert(draft) + " ▌"}
                        yield list(history), None  # panel unchanged while tokens stream
                    elif isinstance(event, FinalEvent):
                        final = event.answer
            except (LLMError, StoreError) as exc:
                history[-1] = {"role": "assistant", "content": f"⚠ {exc}"}
                yield history, sources_html(None)
                return
        assert final is not None
        self.last_answer = final
        history[-1] = {"role": "assistant", "content": answer_markdown(final)}
        audit.append(self.settings.audit_path, audit.entry(user, question, final, filters, "chat"))
        yield history, sources_html(final)


def build_app(service, answerer: Answerer | None = None, users=None):
    import gradio as gr

    session = ChatSession(service, answerer, users)
    settings = service.settings
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    with gr.Blocks(title="rights-assistant", analytics_enabled=False) as app:
        status = gr.Markdown("", elem_id="status")
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Answers cite their sources [n]", height=520, elem_id="chat")
                    question = gr.Textbox(label="Question", placeholder="When does the Nova Records deal expire?",
                                          elem_id="question", submit_btn=True)
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
                headers=["title", "type", "kind", "chunks/records", "pages", "ingested at", "validation warnings", "file"],
                interactive=False, wrap=True, elem_id="documents",
            )
            refresh = gr.Button("Refresh")

            def refresh_view(request: gr.Request):
                view = session.view(_user(request))
                return documents_rows(view), status_line(view, settings, _user(request))

            refresh.click(refresh_view, outputs=[table, status])
            app.load(refresh_view, outputs=[table, status])
            gr.Markdown(f"### Upload\nContracts (PDF, DOCX, TXT, MD) and music data (CSV/XLSX split sheets and "
                        f"catalogs, DDEX XML, CWR), up to {settings.ui.max_upload_mb} MB each. They are stored under "
                        "the data directory and ingested in the background, like `rights ingest`.")
            files = gr.File(file_count="multiple", type="filepath", label="Files to ingest", elem_id="upload")
            progress = gr.Markdown("", elem_id="upload-status")
            timer = gr.Timer(1.0, active=False)

            def start_upload(paths):
                from pathlib import Path

                if not paths:
                    return gr.skip(), gr.Timer(active=False)
                job = session.upload([(Path(p).name, p) for p in paths])
                return job.summary(), gr.Timer(active=not job.finished.is_set())

            def poll(request: gr.Request):
                job = session.job
                if job is None:
                    return gr.skip(), gr.Timer(active=False), gr.skip(), gr.skip()
                running = not job.finished.is_set()
                view = session.view(_user(request))
                rows = gr.skip() if running else documents_rows(view)
                return job.summary(), gr.Timer(active=running), rows, status_line(view, settings, _user(request))

            files.upload(start_upload, files, [progress, timer])
            timer.tick(poll, outputs=[progress, timer, table, status])

        def respond(q, history, dt, pa, si, un, request: gr.Request):
            user = _user(request)
            for turns, panel_html in session.respond(q, history, dt, pa, si, un, user=user):
                yield turns, gr.skip() if panel_html is None else panel_html

        question.submit(respond, [question, chat, doc_type, party, since, until], [chat, panel],
                        concurrency_limit=1).then(lambda: "", outputs=question)
    app.rights_theme = theme  # Gradio 6 takes theme and CSS at launch()
    return app


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SignInRequired(RuntimeError):
    pass


def launch(service, host: str | None = None, port: int | None = None, answerer: Answerer | None = None, block: bool = True):
    """Start the chat on loopback (or the configured host); returns the running Blocks.

    With ``auth_file`` set, users sign in and see only their groups' documents. Without it the
    chat refuses to listen beyond loopback: anyone on the network could read every contract."""
    from .auth import Users

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
        auth_message="rights-assistant: sign in with your user name and password." if users is not None else None,
        server_port=port or service.settings.ui.port,
        share=False,
        inbrowser=False,
        prevent_thread_lock=not block,
        show_error=False,
        theme=app.rights_theme,
        css=CSS,
        footer_links=[],
        max_file_size=f"{service.settings.ui.max_upload_mb}mb",
    )
    return app
