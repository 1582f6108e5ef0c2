"""No URL in a request is ever fetched or even resolved: the chat accepts only files uploaded to it.

The assistant runs air-gapped, and a request naming a host must not make this server look that
host up (a DNS query leaks the name, and reaches out of the air gap) let alone fetch it (SSRF).
Gradio 6 (read in 6.31) fetches URLs found in requests on the server, and its "SSRF protection"
resolves the name first (``safehttpx.async_validate_url`` calls ``getaddrinfo``, then, when no
public address comes back, asks ``https://dns.google``). These are the ways in:

1. Event inputs - ``POST /gradio_api/queue/join``, ``/call/<api>``, ``/run/<api>``, ``/api/<api>``,
   ``/stream/<id>`` - for any component holding a ``FileData`` (``gr.File`` here, also Chatbot,
   Image, Audio ...): ``Blocks.preprocess_data`` -> ``processing_utils.async_move_files_to_cache``
   skips its upload-folder check when ``path`` is ``http(s)://`` and calls
   ``Block.async_move_resource_to_block_cache`` -> ``processing_utils.async_ssrf_protected_download``
   -> ``async_ssrf_protected_get`` -> ``safehttpx.get`` -> ``safehttpx.async_validate_url``.
2. ``GET /gradio_api/file=<url>`` (and the older ``/gradio_api/file/<url>``): ``routes.file`` ->
   ``route_utils.secure_url_stream_response`` -> ``safehttpx.async_validate_url``, then streams it.
3. Outputs and helpers: ``File``/``UploadButton``/``Video``/``AnnotatedImage`` postprocess call
   ``processing_utils.save_url_to_cache`` (= ``ssrf_protected_download``), ``Audio``/``Image``
   and the run history (``history.fetch_remote_asset``) call ``async_ssrf_protected_get``,
   ``Block.move_resource_to_block_cache`` is the sync twin of 1; ``unsafe_download`` is plain httpx.
4. ``/gradio_api/run-history/*`` talks to the Hugging Face Hub; ``/gradio_api/proxy=<url>``
   forwards to hosts loaded with ``gr.load`` (none here).

Two layers, both installed by ``install()`` (``ui.build_app`` calls it, so any way of serving the
chat gets them):

* ``WebGuard``, an ASGI middleware added (outermost) to every Gradio app, answers before Gradio
  parses anything: 403 for ``/file=<url>``, ``/proxy=`` and ``/run-history/``; 400 for any JSON
  body holding a file object whose ``path`` is a URL, or whose ``url`` is not this server's own
  ``/gradio_api/file=`` link to that very ``path`` (what the browser sends after ``/upload``).
  A URL inside plain text (a question) is only text and passes; multipart uploads pass unread.
* In-process refusals, the backstop for every path inside Gradio whatever route it came from:
  the download helpers of 1-3 and ``safehttpx``'s resolvers raise ``RemoteFileRefused``, the two
  ``move_resource_to_block_cache`` refuse a URL, and ``move_files_to_cache`` checks inputs first
  (Gradio then shows the refusal, a ``gr.Error``, to the user).

An uploaded file is untouched: its ``path`` lies in Gradio's upload folder, and Gradio's own
check still confines input paths to it. Fails safe: if a Gradio upgrade renames any patched
function, ``install()`` raises ``GuardInstallError`` and the chat does not start.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from gradio.exceptions import Error as _GradioError

from assistant.web.auth import SIGN_IN

REFUSAL = "Only files uploaded from this computer are accepted; links (URLs) are refused and never fetched."
API_PREFIX = "/gradio_api"
# A scheme (http://, ftp://, file://...), or // \\ \/ /\ (network paths): what Gradio's own
# starts_with_protocol() treats as remote, case-insensitive, leading whitespace ignored.
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:[\\/]{2}|//|\\\\|\\/|/\\)", re.IGNORECASE)
_FILE_ROUTE = re.compile(re.escape(API_PREFIX) + r"/file[=/](.*)$", re.DOTALL)
_MAX_JSON_BODY = 32 * 2**20  # a request body (not an upload) this large is refused, never buffered
_MARK = "_rights_webguard"
_lock = threading.Lock()


class RemoteFileRefused(_GradioError):
    """A request named a URL where only an uploaded file is accepted (shown to the user)."""

    def __init__(self, what: str = ""):
        super().__init__(REFUSAL, title="Upload refused", print_exception=False)
        self.what = what


class GuardInstallError(RuntimeError):
    """Gradio's internals changed: a function this guard must replace is gone."""


def looks_remote(value: Any) -> bool:
    """True for a string naming something on another machine rather than a local path."""
    if not isinstance(value, str):
        return False
    return any(_REMOTE.match(v) for v in {value, unquote(value)})


def _own_file_link(url: str, path: str) -> bool:
    """Whether ``url`` is this server's ``/gradio_api/file=<path>`` link to ``path`` itself."""
    at = url.find(f"{API_PREFIX}/file=")
    return at >= 0 and unquote(url[at + len(API_PREFIX) + len("/file="):]) == path


def _is_file_obj(d: Any) -> bool:
    return isinstance(d, dict) and ("path" in d or "url" in d) and (
        isinstance(d.get("path"), str) or isinstance(d.get("url"), str)
        or (isinstance(d.get("meta"), dict) and d["meta"].get("_type") == "gradio.FileData"))


def remote_files(data: Any) -> list[str]:
    """Every URL that a request payload offers in place of an uploaded file (empty: accept).

    A file object (any dict with a ``path`` or ``url``, FileData or older) is accepted only when its
    ``path`` is local and its ``url`` is absent or this server's own link to that path."""
    found: list[str] = []

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 64:  # absurd nesting is refused rather than walked forever
            found.append("<nested too deep>")
            return
        if _is_file_obj(node):
            path, url = node.get("path"), node.get("url")
            if looks_remote(path) or (path is not None and not isinstance(path, str)):
                found.append(str(path))
            elif url not in (None, "") and not (isinstance(url, str) and isinstance(path, str) and _own_file_link(url, path)):
                found.append(str(url))
        if isinstance(node, dict):
            for v in node.values():
                walk(v, depth + 1)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, depth + 1)

    walk(data)
    return found


def check_payload(data: Any) -> None:
    """Raise ``RemoteFileRefused`` when ``data`` offers a URL in place of an uploaded file."""
    found = remote_files(data)
    if found:
        raise RemoteFileRefused(found[0])


# --- layer 1: the ASGI middleware ------------------------------------------------------------


class WebGuard:
    """Refuses URL-bearing requests with a 4xx before Gradio reads them (see the module doc)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        if scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith("/login"):
            # sign-in is throttled per (name, client): the auth callable learns the client here
            holder = {"client": str((scope.get("client") or ("",))[0])}
            token = SIGN_IN.set(holder)
            try:
                return await self._serve(scope, receive, _telling_when_to_retry(send, holder))
            finally:
                SIGN_IN.reset(token)
        return await self._serve(scope, receive, send)

    async def _serve(self, scope, receive, send):
        path = scope.get("path", "")
        raw = scope.get("raw_path") or b""
        for p in {path, raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)}:
            if f"{API_PREFIX}/proxy=" in p or f"{API_PREFIX}/run-history/" in p:
                return await _refuse(send, 403, "refused: this server fetches nothing from other hosts")
            m = _FILE_ROUTE.search(p)
            if m and looks_remote(m.group(1)):
                return await _refuse(send, 403, REFUSAL)
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") or ctype.startswith("multipart/"):
            return await self.app(scope, receive, send)  # uploads (/upload) are files, not JSON
        body, messages = bytearray(), []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > _MAX_JSON_BODY:
                return await _refuse(send, 413, "request body too large")
            if not message.get("more_body"):
                break
        try:
            data = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            data = None  # not JSON: Gradio's own parsing refuses it
        except RecursionError:
            return await _refuse(send, 400, "request body nested too deeply")
        if data is not None and remote_files(data):
            return await _refuse(send, 400, REFUSAL)

        pending = list(messages)

        async def replay():
            return pending.pop(0) if pending else await receive()

        return await self.app(scope, replay, send)


def _telling_when_to_retry(send, holder: dict):
    """``send``, except that a refused sign-in from a throttled client becomes a 429 that says when
    to try again (Retry-After, and in words), instead of Gradio's bare "Incorrect credentials."."""
    replaced = False

    async def wrapped(message):
        nonlocal replaced
        if message["type"] == "http.response.start" and message.get("status") == 400 and holder.get("retry_after"):
            replaced = True
            wait = max(1, math.ceil(holder["retry_after"]))
            words = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
            body = json.dumps({"detail": f"Too many failed sign-ins from this computer: try again in {words}."}).encode()
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after", str(wait).encode()),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if not replaced:
            await send(message)

    return wrapped


async def _refuse(send, status: int, message: str) -> None:
    body = json.dumps({"error": message, "detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# --- layer 2: Gradio's own fetchers refuse -----------------------------------------------------


def _refusing(name: str, original: Callable) -> Callable:
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def refuse_async(*args, **kwargs):
            raise RemoteFileRefused(f"{name}{args[:1]!r}")
        fn = refuse_async
    else:
        @functools.wraps(original)
        def refuse(*args, **kwargs):
            raise RemoteFileRefused(f"{name}{args[:1]!r}")
        fn = refuse
    setattr(fn, _MARK, True)
    return fn


def _guard_resource(original: Callable) -> Callable:
    """Block.(async_)move_resource_to_block_cache: a URL is refused, a local path goes on."""
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def guarded_async(self, url_or_file_path, *args, **kwargs):
            if looks_remote(str(url_or_file_path) if url_or_file_path is not None else None):
                raise RemoteFileRefused(str(url_or_file_path))
            return await original(self, url_or_file_path, *args, **kwargs)
        fn = guarded_async
    else:
        @functools.wraps(original)
        def guarded(self, url_or_file_path, *args, **kwargs):
            if looks_remote(str(url_or_file_path) if url_or_file_path is not None else None):
                raise RemoteFileRefused(str(url_or_file_path))
            return original(self, url_or_file_path, *args, **kwargs)
        fn = guarded
    setattr(fn, _MARK, True)
    return fn


def _input_data(args, kwargs) -> tuple[Any, bool]:
    data = args[0] if args else kwargs.get("data")
    postprocess = args[2] if len(args) > 2 else kwargs.get("postprocess", False)
    if hasattr(data, "model_dump"):
        data = data.model_dump()
    return data, bool(postprocess)


def _guard_move(original: Callable) -> Callable:
    """processing_utils.(async_)move_files_to_cache: inputs must be uploaded files."""
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def guarded_async(*args, **kwargs):
            data, postprocess = _input_data(args, kwargs)
            if not postprocess:
                check_payload(data)
            return await original(*args, **kwargs)
        fn = guarded_async
    else:
        @functools.wraps(original)
        def guarded(*args, **kwargs):
            data, postprocess = _input_data(args, kwargs)
            if not postprocess:
                check_payload(data)
            return original(*args, **kwargs)
        fn = guarded
    setattr(fn, _MARK, True)
    return fn


def _guard_create_app(original: Callable) -> Callable:
    @functools.wraps(original)
    def create_app(*args, **kwargs):
        app = original(*args, **kwargs)
        if not any(getattr(m, "cls", None) is WebGuard for m in app.user_middleware):
            app.add_middleware(WebGuard)  # outermost: runs before CORS, compression and routing
        return app
    setattr(create_app, _MARK, True)
    return create_app


def _targets():
    """(owner, attribute, wrapper factory) for everything replaced; read from Gradio at install."""
    import safehttpx
    from gradio import blocks, processing_utils, route_utils, routes

    refuse = lambda name: (lambda original: _refusing(name, original))  # noqa: E731
    return [
        (processing_utils, "async_ssrf_protected_get", refuse("async_ssrf_protected_get")),
        (processing_utils, "async_ssrf_protected_download", refuse("async_ssrf_protected_download")),
        (processing_utils, "ssrf_protected_download", refuse("ssrf_protected_download")),
        (processing_utils, "save_url_to_cache", refuse("save_url_to_cache")),
        (processing_utils, "unsafe_download", refuse("unsafe_download")),
        (processing_utils, "async_move_files_to_cache", _guard_move),
        (processing_utils, "move_files_to_cache", _guard_move),
        (blocks.Block, "async_move_resource_to_block_cache", _guard_resource),
        (blocks.Block, "move_resource_to_block_cache", _guard_resource),
        # the module processing_utils and route_utils fetch and resolve through (/file=<url>)
        (safehttpx, "get", refuse("safehttpx.get")),
        (safehttpx, "async_validate_url", refuse("safehttpx.async_validate_url")),
        (safehttpx, "async_resolve_hostname_google", refuse("safehttpx.async_resolve_hostname_google")),
        (routes.App, "create_app", _guard_create_app),
        # route_utils must still reach safehttpx as a module attribute, or /file=<url> would bypass it
        (route_utils, "safehttpx", None),
        (processing_utils, "sh", None),
    ]


def install() -> None:
    """Put both layers in place, once per process; raise ``GuardInstallError`` if Gradio changed."""
    import safehttpx

    with _lock:
        for owner, name, wrap in _targets():
            current = inspect.getattr_static(owner, name, None)
            if current is None:
                raise GuardInstallError(f"gradio changed: {getattr(owner, '__name__', owner)}.{name} is gone; "
                                        "assistant/web/guard.py must be reviewed before the chat may start")
            if wrap is None:
                if current is not safehttpx:
                    raise GuardInstallError(f"gradio changed: {owner.__name__}.{name} is no longer safehttpx")
                continue
            if isinstance(current, staticmethod):
                if not getattr(current.__func__, _MARK, False):
                    setattr(owner, name, staticmethod(wrap(current.__func__)))
            elif not getattr(current, _MARK, False):
                if not callable(current):
                    raise GuardInstallError(f"gradio changed: {owner.__name__}.{name} is not a function")
                setattr(owner, name, wrap(current))
        if not installed():
            raise GuardInstallError("the web guard did not take hold")


def installed() -> bool:
    """Whether every replaced function is this guard's (tests assert it)."""
    for owner, name, wrap in _targets():
        if wrap is None:
            continue
        current = inspect.getattr_static(owner, name, None)
        func = current.__func__ if isinstance(current, staticmethod) else current
        if not getattr(func, _MARK, False):
            return False
    return True
