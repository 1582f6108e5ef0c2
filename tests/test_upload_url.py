"""A URL offered in place of an uploaded file is refused before any name lookup (assistant/web/guard.py).

Found by adversarial testing: the upload event called with ``{"path": "http://evil.example/..."}``
made the server resolve the attacker's host (Gradio downloads URLs found in FileData payloads, and
its SSRF check resolves the name first). The real chat is started on loopback and attacked over
its HTTP API the way a script would; the socket guard (netguard.py) records every lookup or
connection leaving loopback, DNS and reverse DNS included, and none may happen. Without the guard
these tests record ``dns:evil.example`` (see webguard.py).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import netguard
import pytest

from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web import guard as webguard

EVIL = "http://evil.example/contract.txt"
FILE_META = {"_type": "gradio.FileData"}

ATTACKS = {
    "path-and-url": {"path": EVIL, "url": EVIL, "meta": FILE_META, "orig_name": "contract.txt"},
    "https-path": {"path": "https://evil.example/contract.txt", "meta": FILE_META, "orig_name": "contract.txt"},
    "url-only": {"url": EVIL, "meta": FILE_META, "orig_name": "contract.txt"},
    "local-path-foreign-url": {"path": "/tmp/contract.txt", "url": EVIL, "meta": FILE_META},
    "upper-case-scheme": {"path": "HTTP://EVIL.EXAMPLE/contract.txt", "meta": FILE_META},
    "network-path": {"path": "//evil.example/share/contract.txt", "meta": FILE_META},
    "no-meta": {"path": EVIL, "orig_name": "contract.txt"},
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http():
    import httpx

    return httpx.Client(timeout=60, trust_env=False)  # never a proxy from the environment


@pytest.fixture(scope="module")
def chat(tmp_path_factory, embedder):
    """The real chat, launched the way `rights chat` does, on an empty data dir (no model loads:
    the Ollama backend points at a closed loopback port and no question is asked)."""
    from assistant.web.app import launch

    data = tmp_path_factory.mktemp("upload-url") / "data"
    settings = Settings(data_dir=data, llm=LLMSettings(backend="ollama", ollama_host=f"http://127.0.0.1:{_port()}"))
    svc = RightsService(settings, embedder=embedder)
    port = _port()
    app = launch(svc, "127.0.0.1", port, block=False)
    svc.sources()  # open the store first, as the page's load event does
    try:
        yield app, f"http://127.0.0.1:{port}/", svc
    finally:
        app.close()
        svc.close()


def _upload_event(app):
    """(fn_index, trigger_id, the File component, the inputs) of the File's upload event."""
    files = next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == "upload")
    for fn in app.fns.values():
        if any(target[0] == files._id and target[1] == "upload" for target in fn.targets):
            return fn._id, files._id, files, fn.inputs
    raise AssertionError("the chat has no upload event on its File component")


def _event_data(app, file_payload):
    fn_index, trigger_id, files, inputs = _upload_event(app)
    data = [file_payload if block is files else getattr(block, "value", None) for block in inputs]
    return fn_index, trigger_id, data


def _join(client, url, app, file_payload, session_hash):
    fn_index, trigger_id, data = _event_data(app, file_payload)
    body = {"data": data, "event_data": None, "fn_index": fn_index, "trigger_id": trigger_id,
            "session_hash": session_hash}
    return client.post(f"{url}gradio_api/queue/join", json=body)


def _completion(client, url, session_hash, event_id, timeout=60.0) -> dict:
    """The queue's ``process_completed`` message for ``event_id`` (server-sent events)."""
    deadline = time.monotonic() + timeout
    with client.stream("GET", f"{url}gradio_api/queue/data", params={"session_hash": session_hash}) as resp:
        assert resp.status_code == 200, resp.status_code
        for line in resp.iter_lines():
            if time.monotonic() > deadline:
                break
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                return msg
    raise AssertionError(f"no process_completed for {event_id}")


def _stored_uploads(svc) -> list:
    root = svc.settings.uploads_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_chat_installs_the_guard_and_the_socket_guard_sees_every_resolver(chat):
    assert webguard.installed()
    assert netguard.blind_spots() == []  # no uvloop/c-ares resolving out of the guard's sight


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_url_in_the_upload_event_is_refused_before_any_lookup(chat, attack):
    app, url, svc = chat
    before = list(netguard.ATTEMPTS)
    session_hash = secrets.token_hex(8)
    with _http() as client:
        resp = _join(client, url, app, [ATTACKS[attack]], session_hash)
        if resp.status_code == 200:  # queued (no guard): let the server do what it does with it
            _completion(client, url, session_hash, resp.json()["event_id"])
    assert netguard.ATTEMPTS == before, netguard.ATTEMPTS  # no DNS, no connection
    assert resp.status_code == 400, (resp.status_code, resp.text)
    assert "links (URLs) are refused" in resp.json()["error"]
    assert _stored_uploads(svc) == [] and svc.sources() == []  # nothing stored or ingested


def test_url_through_the_named_api_is_refused_too(chat):
    app, url, svc = chat
    fn_index, _, data = _event_data(app, [ATTACKS["path-and-url"]])
    api_name = app.fns[fn_index].api_name
    before = list(netguard.ATTEMPTS)
    with _http() as client:
        for route in (f"gradio_api/call/{api_name}", f"gradio_api/run/{api_name}", f"gradio_api/api/{api_name}"):
            resp = client.post(f"{url}{route}", json={"data": data})
            if route.startswith("gradio_api/call/") and resp.status_code == 200:  # no guard: let it run
                client.get(f"{url}{route}/{resp.json()['event_id']}").read()
            assert netguard.ATTEMPTS == before, (route, netguard.ATTEMPTS)
            assert resp.status_code == 400, (route, resp.status_code, resp.text)
    assert _stored_uploads(svc) == []


def test_other_encodings_are_no_way_around(chat):
    """Only JSON bodies name files to Gradio; multipart and odd content types are not read as JSON."""
    app, url, svc = chat
    fn_index, trigger_id, data = _event_data(app, [ATTACKS["path-and-url"]])
    body = json.dumps({"data": data, "fn_index": fn_index, "trigger_id": trigger_id, "session_hash": "x1"})
    before = list(netguard.ATTEMPTS)
    with _http() as client:
        for kwargs in ({"files": {"data": (None, body)}}, {"content": body, "headers": {"content-type": "text/plain"}},
                       {"content": body, "headers": {"content-type": "application/vnd.x+json"}},
                       {"content": "[" * 5000 + "]" * 5000, "headers": {"content-type": "application/json"}}):
            resp = client.post(f"{url}gradio_api/queue/join", **kwargs)
            assert resp.status_code in (400, 422), (kwargs.get("headers"), resp.status_code, resp.text[:200])
    time.sleep(1)
    assert netguard.ATTEMPTS == before, netguard.ATTEMPTS
    assert _stored_uploads(svc) == []


@pytest.mark.parametrize("route", [
    "gradio_api/file=http://evil.example/contract.txt",
    "gradio_api/file=https%3A%2F%2Fevil.example%2Fcontract.txt",
    "gradio_api/file/http://evil.example/contract.txt",
    "gradio_api/proxy=http://evil.example/contract.txt",
    "gradio_api/proxy=https://evil.hf.space/gradio_api/file=x",
])
def test_file_and_proxy_routes_never_fetch_a_url(chat, route):
    app, url, svc = chat
    before = list(netguard.ATTEMPTS)
    with _http() as client:
        resp = client.get(f"{url}{route}")
    assert netguard.ATTEMPTS == before, netguard.ATTEMPTS
    assert resp.status_code == 403, (resp.status_code, resp.text[:200])


def test_gradio_itself_refuses_the_url_behind_the_middleware(chat):
    """The in-process layer: the same event run straight through Blocks.process_api (the path
    queue/join takes once past HTTP) is refused by Gradio's own file handling, no lookup made."""
    from gradio.exceptions import Error

    app, url, svc = chat
    fn_index, _, data = _event_data(app, [ATTACKS["path-and-url"]])
    before = list(netguard.ATTEMPTS)
    with pytest.raises(Error, match="links"):
        asyncio.run(app.process_api(block_fn=fn_index, inputs=data, state=None, request=None))
    assert netguard.ATTEMPTS == before, netguard.ATTEMPTS
    assert _stored_uploads(svc) == []


def test_a_real_upload_still_goes_through_and_is_ingested(chat, tmp_path):
    """What the browser does: POST the file to /upload, then run the upload event with the
    FileData it got back (url = this server's own /gradio_api/file= link)."""
    app, url, svc = chat
    name = f"lumen-renewal-{uuid.uuid4().hex[:6]}.txt"
    content = b"LICENCE RENEWAL\n1. Renewal. Lumen Pictures renews the Blue Hour licence until 30 June 2031.\n"
    session_hash = secrets.token_hex(8)
    before = list(netguard.ATTEMPTS)
    with _http() as client:
        up = client.post(f"{url}gradio_api/upload", files={"files": (name, content, "text/plain")})
        assert up.status_code == 200, up.text
        path = up.json()[0]
        payload = {"path": path, "url": f"{url}gradio_api/file={quote(path)}", "orig_name": name,
                   "size": len(content), "mime_type": "text/plain", "is_stream": False, "meta": FILE_META}
        joined = _join(client, url, app, [payload], session_hash)
        assert joined.status_code == 200, joined.text
        done = _completion(client, url, session_hash, joined.json()["event_id"])
        assert done["success"], done
        assert "1 file" in done["output"]["data"][0], done["output"]["data"][0]
        # then the page's timer polls this session's job until it is done, as in the browser
        poll = next(fn for fn in app.fns.values() if fn.name == "poll")
        summary, deadline = "", time.monotonic() + 120
        while "Done" not in summary and time.monotonic() < deadline:
            time.sleep(0.5)
            body = {"data": [None] * len(poll.inputs), "event_data": None, "fn_index": poll._id,
                    "trigger_id": poll.targets[0][0], "session_hash": session_hash}
            ticked = client.post(f"{url}gradio_api/queue/join", json=body)
            summary = _completion(client, url, session_hash, ticked.json()["event_id"])["output"]["data"][0]
    assert "Done: 1 new" in summary, summary
    assert name in [d.file_name for d in svc.sources()]
    assert [p.name for p in _stored_uploads(svc)] == [name]
    assert netguard.ATTEMPTS == before


# --- the guard on its own ----------------------------------------------------------------------


@pytest.fixture
def lookups(monkeypatch):
    """Every socket.getaddrinfo call, made through the socket guard."""
    calls: list = []
    guarded = socket.getaddrinfo

    def spy(host, *args, **kwargs):
        calls.append(host)
        return guarded(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    return calls


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_check_payload_refuses_every_url_shape(attack):
    with pytest.raises(webguard.RemoteFileRefused):
        webguard.check_payload([[ATTACKS[attack]]])
    with pytest.raises(webguard.RemoteFileRefused):  # nested anywhere, e.g. in a chat message
        webguard.check_payload([[{"role": "user", "content": [{"type": "file", "file": ATTACKS[attack]}]}]])


def test_check_payload_accepts_uploaded_files_and_plain_text():
    path = "/tmp/gradio/0a1b/Nova deal (v2).pdf"
    webguard.check_payload([[{"path": path, "meta": FILE_META}], []])
    webguard.check_payload([[{"path": path, "url": f"http://127.0.0.1:7860/gradio_api/file={quote(path)}", "meta": FILE_META}]])
    webguard.check_payload(["see http://evil.example/contract.txt", [{"role": "user", "content": "a url in text"}], None])
    with pytest.raises(webguard.RemoteFileRefused):  # this server's link, but to another file
        webguard.check_payload([{"path": path, "url": "http://127.0.0.1:7860/gradio_api/file=/etc/passwd", "meta": FILE_META}])


def test_gradio_url_fetchers_refuse_without_resolving(lookups, tmp_path):
    import safehttpx
    from gradio import processing_utils, route_utils
    from gradio.components import File

    webguard.install()
    block = File()
    before = list(netguard.ATTEMPTS)
    refused = webguard.RemoteFileRefused
    with pytest.raises(refused):
        asyncio.run(processing_utils.async_move_files_to_cache([ATTACKS["path-and-url"]], block, check_in_upload_folder=True))
    with pytest.raises(refused):
        processing_utils.move_files_to_cache({"path": EVIL, "meta": FILE_META}, block)
    with pytest.raises(refused):
        asyncio.run(block.async_move_resource_to_block_cache(EVIL))
    with pytest.raises(refused):
        block.move_resource_to_block_cache(EVIL)
    with pytest.raises(refused):
        processing_utils.save_url_to_cache(EVIL, str(tmp_path))
    with pytest.raises(refused):
        processing_utils.ssrf_protected_download(EVIL, str(tmp_path))
    with pytest.raises(refused):
        asyncio.run(processing_utils.async_ssrf_protected_get(EVIL))
    with pytest.raises(refused):
        processing_utils.unsafe_download(EVIL, str(tmp_path))
    with pytest.raises(refused):
        asyncio.run(safehttpx.async_validate_url("evil.example"))
    with pytest.raises(refused):
        asyncio.run(safehttpx.get(EVIL))
    with pytest.raises(refused):  # File.postprocess of a URL value (outputs)
        block.postprocess(EVIL)

    class Req:  # what /gradio_api/file=<url> hands secure_url_stream_response
        headers: dict = {}
        method = "GET"

    with pytest.raises(Exception) as err:
        asyncio.run(route_utils.secure_url_stream_response(EVIL, Req()))
    assert getattr(err.value, "status_code", None) == 403
    assert lookups == [] and netguard.ATTEMPTS == before


def test_an_uploaded_temp_file_still_moves_to_the_cache(tmp_path):
    from gradio import processing_utils, utils
    from gradio.components import File

    webguard.install()
    upload = Path(utils.get_upload_folder())
    upload.mkdir(parents=True, exist_ok=True)
    src = upload / uuid.uuid4().hex / "deal.txt"
    src.parent.mkdir(parents=True)
    src.write_text("1. Term. Three years.")
    block = File(file_count="multiple")
    payload = {"path": str(src), "url": f"http://127.0.0.1:7860/gradio_api/file={quote(str(src))}", "orig_name": "deal.txt",
               "meta": FILE_META}
    out = asyncio.run(processing_utils.async_move_files_to_cache([payload], block, check_in_upload_folder=True))
    assert open(out[0]["path"]).read() == "1. Term. Three years."
    assert block.preprocess(block.data_model.model_validate(out, context={"validate_meta": True}))[0] == out[0]["path"]


def test_install_is_idempotent_and_fails_loudly_when_gradio_changes(monkeypatch):
    from gradio import processing_utils, routes

    webguard.install()
    wrapped = processing_utils.async_ssrf_protected_download
    webguard.install()
    assert processing_utils.async_ssrf_protected_download is wrapped and webguard.installed()
    app = routes.App.create_app(__import__("gradio").Blocks())
    assert sum(m.cls is webguard.WebGuard for m in app.user_middleware) == 1
    monkeypatch.delattr(processing_utils, "async_ssrf_protected_get")
    with pytest.raises(webguard.GuardInstallError, match="async_ssrf_protected_get"):
        webguard.install()
