"""The HTTP API: thin routes over ``RightsService`` (PrivateGPT's shape), each request answered
as the bearer token's user may see it, and audited like the chat.

    GET  /v1/models                        the one model id, for OpenAI clients
    POST /v1/chat/completions              the checked answer, OpenAI-compatible, streaming (SSE)
    POST /v1/feedback                      thumbs up or down on an answer, and the correct answer
    POST /v1/search                        ranked passages (the product's retrieval)
    GET  /v1/documents                     the documents the caller may see
    POST /v1/documents                     upload files (multipart), visible to the caller's groups
    GET  /v1/documents/{id}/family         the contract family, and ?consolidated=true its current text
    GET  /v1/register                      one row per agreement family
    GET  /v1/catalog/lookup/{identifier}   an ISWC, ISRC, IPI or UPC
    GET  /v1/catalog/search?q=…            works and recordings by title or name
    GET  /v1/health                        no token needed; says nothing about the documents

Errors are one-line JSON in OpenAI's shape ({"error": {"message", "type", "code"}}); nothing
from an exception but its one-line message reaches a client, the traceback goes to rights.log.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.answer.answering import Answer, Source
from assistant.api import openai_format
from assistant.api.limits import BodyLimit, RateLimiter, retry_header
from assistant.api.tokens import Caller, TokenFileError, Tokens
from assistant.llm.base import LLMError
from assistant.ops import audit
from assistant.search.store import StoreError
from ingest.errors import UserError

_log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.headers = status, message, kind, headers or {}


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


DocType = Literal["contract", "split sheet", "catalog", "ddex", "cwr", "table"]
ISO_DATE = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"  # YYYY, YYYY-MM or YYYY-MM-DD, as the chat's filters


class Filters(BaseModel):
    """The chat's filters: document type, party, made on or after / before."""

    doc_type: DocType | None = None
    party: str | None = Field(None, max_length=200)
    date_from: str | None = Field(None, pattern=ISO_DATE)
    date_to: str | None = Field(None, pattern=ISO_DATE)


class ChatRequest(Filters):
    """What OpenAI clients send; fields this API does not use (temperature, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = openai_format.MODEL_ID
    messages: list[Message] = Field(min_length=1, max_length=200)
    stream: bool = False
    doc_ids: list[str] | None = Field(None, max_length=100)


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    completion_id: str = Field(min_length=1, max_length=64, description="the id of the chat completion rated")
    rating: Literal["up", "down"]
    correction: str | None = Field(None, max_length=4000, description="the correct answer, when the answer was wrong")


class SearchRequest(Filters):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(5, ge=1, le=50)


def build_api(service, tokens: Tokens, *, answer_lock: threading.Lock | None = None,
              ingest_lock: threading.Lock | None = None) -> FastAPI:
    """The API over ``service``. ``answer_lock`` is shared with the chat in ``rights serve``: the
    one local model answers one question at a time, whoever asks."""
    settings = service.settings
    cfg = settings.api
    answer_lock = answer_lock or threading.Lock()
    ingest_lock = ingest_lock or threading.Lock()
    limiter = RateLimiter(cfg.rate_per_minute)
    recent = RecentAnswers()
    api = FastAPI(title="rights-assistant API", version="1", docs_url=None, redoc_url=None, openapi_url="/v1/openapi.json")

    def limit_for(path: str) -> int:
        return settings.ui.max_upload_mb * 1024 * 1024 if path.rstrip("/") == "/v1/documents" else cfg.max_request_kb * 1024

    api.add_middleware(BodyLimit, limit_for=limit_for)

    # -- errors: one line of JSON, never a traceback ------------------------------------------------
    @api.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(_error(exc.message, exc.kind), exc.status, headers=exc.headers)

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(_error(f"invalid request: {where + ': ' if where else ''}{first.get('msg', 'malformed body')}",
                                   "invalid_request_error"), 400)

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_request_error")
        return JSONResponse(_error(str(exc.detail), kind), exc.status_code)

    @api.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        if isinstance(exc, UserError | FileNotFoundError):
            return JSONResponse(_error(str(exc), "invalid_request_error"), 400)
        if isinstance(exc, LLMError | StoreError):
            return JSONResponse(_error(str(exc), "service_unavailable"), 503)
        _log.error("API request %s %s failed", request.method, request.url.path, exc_info=exc)
        return JSONResponse(_error("internal error (logged in rights.log)", "internal_error"), 500)

    # -- who asks ---------------------------------------------------------------------------------
    def caller(request: Request) -> Caller:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        try:
            who = tokens.caller(token.strip()) if scheme.lower() == "bearer" else None
        except TokenFileError as exc:  # the administrator's problem, not the caller's to read about
            _log.error("API tokens cannot be read: %s", exc)
            raise ApiError(503, "the server cannot read its API tokens; tell its administrator (details in rights.log)",
                           "service_unavailable") from None
        if who is None:
            raise ApiError(401, "missing, unknown, expired or revoked API token (send Authorization: Bearer ra_…; "
                           "`rights token create USER` makes one)", "invalid_api_key",
                           {"WWW-Authenticate": "Bearer"})
        wait = limiter.take(who.token_id)
        if wait:
            raise ApiError(429, f"too many requests for this token; retry in {max(1, round(wait))} s", "rate_limit_exceeded",
                           retry_header(wait))
        return who

    def view(who: Caller):
        return service.restricted(who.groups)

    def logged(who: Caller, what: str, sources: list[Source] | None = None, status: str = "listed") -> None:
        audit.append(settings.audit_path, audit.entry(who.user, what, Answer(what, "", status, sources or []), {}, "api"))

    # -- routes -----------------------------------------------------------------------------------
    @api.get("/v1/health")
    def health() -> dict:
        return {"status": "ok"}

    @api.get("/v1/models")
    def models(who: Caller = Depends(caller)) -> dict:
        return {"object": "list", "data": [{"id": openai_format.MODEL_ID, "object": "model", "created": 0,
                                            "owned_by": "rights-assistant"}]}

    @api.post("/v1/chat/completions")
    def chat_completions(body: ChatRequest, who: Caller = Depends(caller)):
        question = openai_format.question_of([m.model_dump() for m in body.messages])
        if not question:
            raise ApiError(400, "no question: the last user message has no text", "invalid_request_error")
        filters = {"doc_type": body.doc_type, "party": body.party, "date_from": body.date_from,
                   "date_to": body.date_to, "doc_ids": body.doc_ids}
        with answer_lock:
            answer = view(who).ask(question, user=who.user, channel="api", **filters)
        completion_id = openai_format.new_id()
        recent.put(completion_id, who.user, answer)
        if body.stream:
            return StreamingResponse(openai_format.chunks(answer, body.model, completion_id), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        return openai_format.completion(answer, body.model, completion_id)

    @api.post("/v1/feedback")
    def feedback(body: FeedbackRequest, who: Caller = Depends(caller)) -> dict:
        """A rating of one of the caller's own recent answers, and optionally the correct answer."""
        from assistant.ops import feedback as fb

        answer = recent.get(body.completion_id, who.user)
        if answer is None:
            raise ApiError(404, f"no recent answer {body.completion_id!r} of yours to rate (answers are kept for "
                           f"the last {recent.keep} questions)", "not_found")
        fb.append(settings.feedback_path, fb.entry(user=who.user, channel="api", question=answer.question, answer=answer,
                                                   rating=body.rating, correction=body.correction or ""))
        return {"object": "feedback", "completion_id": body.completion_id, "rating": body.rating, "stored": True}

    @api.post("/v1/search")
    def search(body: SearchRequest, who: Caller = Depends(caller)) -> dict:
        v = view(who)
        hits = v.retrieve(body.query, body.k, doc_type=body.doc_type, party=body.party,
                          date_from=body.date_from, date_to=body.date_to)
        sources = [Source(i, h) for i, h in enumerate(hits, 1)]
        logged(who, body.query, sources, "searched")
        notes = v.passage_notes(hits)  # a clause a later document changed: what it says now
        return {"object": "list", "query": body.query,
                "data": [{"score": round(float(s.hit.score), 6), **openai_format.citation(s), "current": notes.get(s.hit.point_id, [])}
                         for s in sources]}

    @api.get("/v1/documents")
    def documents(who: Caller = Depends(caller)) -> dict:
        docs = view(who).sources()
        logged(who, "GET /v1/documents")
        return {"object": "list", "data": [_document(d) for d in docs]}

    @api.post("/v1/documents")
    def upload(files: list[UploadFile] = File(...), who: Caller = Depends(caller)) -> dict:
        from assistant.web.uploads import save_uploads

        # the caller's groups, always: a token of no group uploads for administrators only, never for everyone
        groups = sorted(set(who.groups))
        with tempfile.TemporaryDirectory(prefix="rights-api-") as tmp:
            staged = []
            for i, f in enumerate(files):
                path = Path(tmp) / f"{i}.part"
                with path.open("wb") as out:
                    while block := f.file.read(1 << 20):
                        out.write(block)
                staged.append((f.filename or "", path))
            saved, refused = save_uploads(staged, settings, who.user, groups)
        report = None
        if saved:
            with ingest_lock:
                report = view(who).ingest(saved, index=False)
        logged(who, f"POST /v1/documents ({len(files)} file(s))", status="uploaded")
        results = (report.results if report is not None else []) + refused
        return {"object": "list", "visible_to": groups,
                "data": [{"file": Path(r.path).name, "status": r.status, "reason": r.reason, "warnings": list(r.warnings),
                          "doc_id": r.doc_id} for r in results]}

    @api.get("/v1/documents/{doc_id}/family")
    def family(doc_id: str, consolidated: bool = False, who: Caller = Depends(caller)) -> dict:
        v = view(who)
        members = v.family(doc_id)
        if not members:
            raise ApiError(404, f"no document {doc_id!r} that you may see (GET /v1/documents lists them)", "not_found")
        logged(who, f"GET /v1/documents/{doc_id}/family")
        out: dict[str, Any] = {"object": "family", "members": [_document(d) for d in members]}
        if consolidated:
            current = v.consolidated(doc_id)
            out["consolidated"] = current.as_dict() if current is not None else None
            terms = v.contract_terms(doc_id) if current is not None else None
            out["deal_changes"] = terms.set_by_changes() if terms is not None else []
        return out

    @api.get("/v1/register")
    def register(who: Caller = Depends(caller), expiring_within: int | None = None) -> dict:
        rows = view(who).contract_register(expiring_within=expiring_within)
        logged(who, "GET /v1/register")
        return {"object": "list", "data": [dict(r.cells) for r in rows]}

    @api.get("/v1/catalog/lookup/{identifier}")
    def catalog_lookup(identifier: str, who: Caller = Depends(caller)) -> dict:
        result = view(who).catalog().lookup(identifier[:64])
        logged(who, f"GET /v1/catalog/lookup/{identifier[:64]}")
        return result.as_dict()

    @api.get("/v1/catalog/search")
    def catalog_search(q: str, who: Caller = Depends(caller)) -> dict:
        result = view(who).catalog().search(q[:200])
        logged(who, f"GET /v1/catalog/search?q={q[:200]}")
        return result.as_dict()

    api.state.limiter = limiter
    return api


class RecentAnswers:
    """The last answers given, by completion id, so feedback can carry their sources; an answer
    is rated only by the user it was given to."""

    def __init__(self, keep: int = 1000):
        from collections import OrderedDict

        self.keep = keep
        self._items: OrderedDict[str, tuple[str, Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, user: str, answer: Answer) -> None:
        with self._lock:
            self._items[key] = (user, answer)
            while len(self._items) > self.keep:
                self._items.popitem(last=False)

    def get(self, key: str, user: str) -> Answer | None:
        with self._lock:
            held = self._items.get(key)
        return held[1] if held is not None and held[0] == user else None


_DOC_PRIVATE = ("file_path", "refers_to")


def _document(doc) -> dict:
    return {k: v for k, v in doc.payload().items() if k not in _DOC_PRIVATE}


_SERVER_PATH = re.compile(r"(?<![\w:/\\])(?:[A-Za-z]:)?(?:[\\/][^\s'\"\\/:]+)+[\\/]([^\s'\"\\/:]+)")


def _error(message: str, kind: str) -> dict:
    """One line of JSON; where a file lies on the server is cut to its name ("/srv/x/a.pdf" -> "a.pdf")."""
    text = _SERVER_PATH.sub(r"\1", " ".join(str(message).split()))[:500]
    return {"error": {"message": text, "type": kind, "param": None, "code": kind}}
