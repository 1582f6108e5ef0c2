"""The production deployment (compose.yaml, deploy/): its security properties read from
the file, its validity by a real Compose when one is installed, and the claim it rests on - the
app switches to the Qdrant server and to Ollama from environment variables alone.

No Docker is needed: the file is parsed with PyYAML; `docker compose config` (or docker-compose
1.x, or the command in $DOCKER_COMPOSE) validates it when present, else that test is skipped."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def services(compose) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: ("" if v is None else str(v)) for k, v in env.items()}


def networks_of(service: dict) -> list[str]:
    nets = service.get("networks") or ["default"]
    return list(nets) if isinstance(nets, (list, dict)) else []


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, for the values this file uses."""

    def one(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if env.get(name):
            return env[name]
        if op == ":-":
            return arg
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return ""

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-?])([^}]*))?\}", one, value)


def app_services(compose) -> dict[str, dict]:
    return {name: s for name, s in services(compose).items() if "build" in s}


# -- 1. the file's properties ------------------------------------------------------------------

def test_no_top_level_name_or_version(compose):
    # docker-compose 1.29 rejects a top-level `name:`; `version:` is obsolete in Compose v2.
    assert "name" not in compose and "version" not in compose


def test_only_the_chat_publishes_a_port(compose):
    published = {name for name, s in services(compose).items() if s.get("ports")}
    assert published == {"chat", "api"}
    assert compose["services"]["chat"]["ports"] == ["${RIGHTS_CHAT_PORT:-7860}:7860"]
    # the API (profile "api") only on the host's loopback: a TLS proxy in front reaches it from the LAN
    assert compose["services"]["api"]["ports"] == ["127.0.0.1:${RIGHTS_API_PORT:-8000}:8000"]
    assert compose["services"]["api"]["profiles"] == ["api"]
    for name in ("qdrant", "ollama"):
        assert not services(compose)[name].get("ports"), f"{name} must not be published"
    for name, s in services(compose).items():
        assert s.get("network_mode") is None, f"{name} must not use network_mode"


def test_every_service_is_on_the_internal_network(compose):
    assert compose["networks"]["internal"]["internal"] is True
    for name, s in services(compose).items():
        assert "internal" in networks_of(s), f"{name} is not on the internal network"
    # Only the chat joins a network that is not internal: the one carrying its published port.
    open_nets = {name: [n for n in networks_of(s) if not (compose["networks"].get(n) or {}).get("internal")]
                 for name, s in services(compose).items()}
    assert {name: nets for name, nets in open_nets.items() if nets} == {"chat": ["edge"], "api": ["edge"]}


def test_qdrant_has_a_volume_an_api_key_and_no_telemetry(compose):
    q = services(compose)["qdrant"]
    assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", q["image"]), "pin the Qdrant image"
    volumes = [v.split(":") for v in q["volumes"]]
    assert ["qdrant-data", "/qdrant/storage"] in volumes
    assert "qdrant-data" in compose["volumes"]
    env = env_of(q)
    assert env["QDRANT__SERVICE__API_KEY"].startswith("${QDRANT_API_KEY:?")
    assert env["QDRANT__TELEMETRY_DISABLED"] == "true"
    assert q.get("healthcheck")


def test_ollama_has_a_volume_and_a_local_model_import(compose):
    o = services(compose)["ollama"]
    assert re.fullmatch(r"ollama/ollama:\d+\.\d+\.\d+", o["image"]), "pin the Ollama image"
    assert ["ollama-models", "/root/.ollama"] in [v.split(":") for v in o["volumes"]]
    assert env_of(o)["OLLAMA_NOPRUNE"] == "1"
    assert o.get("healthcheck")

    init = services(compose)["ollama-init"]
    assert init["image"] == o["image"] and init["restart"] == "no"
    assert init["depends_on"]["ollama"]["condition"] == "service_healthy"
    assert any(v.endswith(":/models:ro") for v in init["volumes"]), "the GGUF folder is mounted read-only"
    assert env_of(init)["OLLAMA_HOST"] == "http://ollama:11434"
    # The tag it creates is the tag the app asks for, and defaults to the app's own default.
    from assistant.settings import LLMSettings

    assert env_of(init)["OLLAMA_MODEL"] == env_of(services(compose)["chat"])["RIGHTS_LLM__OLLAMA_MODEL"]
    assert interpolate(env_of(init)["OLLAMA_MODEL"], {}) == LLMSettings().ollama_model
    assert re.search(r"^FROM /models/\S+\.gguf$", (DEPLOY / "Modelfile").read_text(), re.M)
    script = DEPLOY / "ollama-import.sh"
    assert re.search(r"^ollama create ", script.read_text(), re.M)
    assert not re.search(r"^\s*ollama pull", script.read_text(), re.M), "nothing is pulled"


def test_app_environment_is_server_mode_and_offline(compose):
    from assistant.ops.offline import OFFLINE_ENV

    for name, s in app_services(compose).items():
        env = env_of(s)
        assert env["QDRANT_URL"] == "http://qdrant:6333", name
        assert env["QDRANT_API_KEY"].startswith("${QDRANT_API_KEY"), name
        assert env["OLLAMA_HOST"] == "http://ollama:11434", name
        assert env["HF_HUB_OFFLINE"] == "1" and env["GRADIO_ANALYTICS_ENABLED"] == "False", name
        for key, value in OFFLINE_ENV.items():  # the README's list, as assistant/ops/offline.py forces it
            assert env.get(key) == value, f"{name}: {key}"
        assert env["RIGHTS_DATA_DIR"] == "/data"
        assert any(v.startswith("rights-data:/data") for v in s["volumes"]), f"{name}: data on a volume"

    chat = services(compose)["chat"]
    env = env_of(chat)
    # Beyond loopback the chat refuses to run without a users file: it gets one, on a volume.
    assert env["RIGHTS_UI__HOST"] == "0.0.0.0" and env["RIGHTS_UI__PORT"] == "7860"
    assert env["RIGHTS_AUTH_FILE"].startswith("/config/")
    assert any(v.startswith("rights-config:/config") for v in chat["volumes"])
    assert chat["depends_on"]["qdrant"]["condition"] == "service_healthy"
    assert chat["depends_on"]["ollama-init"]["condition"] == "service_completed_successfully"
    assert chat.get("healthcheck")


def test_ingest_is_one_shot_and_reads_contracts_read_only(compose):
    ingest = services(compose)["ingest"]
    assert ingest["profiles"] == ["ingest"]
    assert ingest["restart"] == "no"
    assert ingest["command"][:2] == ["rights", "ingest"] and "/contracts" in ingest["command"]
    assert any(v.endswith(":/contracts:ro") for v in ingest["volumes"])
    assert not ingest.get("ports")
    assert ingest["image"] == services(compose)["chat"]["image"]


def test_dependencies_wait_on_healthchecks_that_exist(compose):
    for name, s in services(compose).items():
        deps = s.get("depends_on") or {}
        for dep, cond in (deps.items() if isinstance(deps, dict) else []):
            if cond.get("condition") == "service_healthy":
                assert services(compose)[dep].get("healthcheck"), f"{name} waits on {dep}'s missing healthcheck"


def test_build_uses_the_deploy_dockerfile_with_the_readme_install(compose):
    for name, s in app_services(compose).items():
        build = s["build"]
        assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile", name
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim|^ARG PYTHON_IMAGE=python:3\.11-slim$", dockerfile, re.M)
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in dockerfile
    assert dockerfile.index("torch==2.13.0") < dockerfile.index("pip install .")
    # The same llama.cpp build flags as the README's install command.
    readme_flags = re.search(r'CMAKE_ARGS="([^"]+)"', (ROOT / "README.md").read_text()).group(1)
    assert f'CMAKE_ARGS="{readme_flags}"' in dockerfile
    assert "build-essential" in dockerfile and "cmake" in dockerfile
    assert (DEPLOY / "Dockerfile.dockerignore").is_file()


# -- 2. a real Compose accepts it ----------------------------------------------------------------

def compose_command() -> list[str] | None:
    candidates = []
    if os.environ.get("DOCKER_COMPOSE"):
        candidates.append(shlex.split(os.environ["DOCKER_COMPOSE"]))
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for cmd in candidates:
        try:
            if subprocess.run([*cmd, "version"], capture_output=True, timeout=60).returncode == 0:
                return cmd
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def test_compose_config_validates(tmp_path):
    cmd = compose_command()
    if cmd is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (set DOCKER_COMPOSE to one)")
    empty = tmp_path / "empty.env"  # keep a developer's .env out of it
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QDRANT_", "RIGHTS_", "COMPOSE_"))}
    base = [*cmd, "--env-file", str(empty), "-f", str(COMPOSE), "--profile", "ingest", "config", "-q"]

    ok = subprocess.run(base, cwd=ROOT, env={**env, "QDRANT_API_KEY": "test"}, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr + ok.stdout
    cluster = [*cmd, "--env-file", str(empty), "-f", str(COMPOSE), "-f", str(DEPLOY / "compose.cluster.yaml"),
               "--profile", "ingest", "--profile", "api", "config", "-q"]
    ok = subprocess.run(cluster, cwd=ROOT, env={**env, "QDRANT_API_KEY": "test"}, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr + ok.stdout  # the scale-out profile merges onto the stack

    # The API key is required: without it Compose refuses the file.
    missing = subprocess.run(base, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0
    assert "QDRANT_API_KEY" in missing.stderr + missing.stdout


# -- 3. the app builds its clients from QDRANT_URL / OLLAMA_HOST ----------------------------------

class FakeQdrant:
    """A loopback HTTP server that records requests and answers like Qdrant's REST API enough
    for the client's version check and `collection_exists`."""

    def __init__(self):
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bodies: list[tuple[str, dict]] = []  # (PUT path, JSON body)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path.endswith("/exists"):
                    body = {"result": {"exists": False}, "status": "ok", "time": 0.0}
                else:
                    body = {"title": "qdrant - vector search engine", "version": "1.20.0"}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):  # create collection / payload index: recorded, acknowledged
                fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                length = int(self.headers.get("Content-Length") or 0)
                fake.bodies.append((self.path.split("?")[0], json.loads(self.rfile.read(length) or b"{}")))
                result = {"operation_id": 0, "status": "completed"} if self.path.split("?")[0].endswith("/index") else True
                data = json.dumps({"result": result, "status": "ok", "time": 0.0}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def qdrant_backend(client):
    """The QdrantRemote or QdrantLocal behind the store's client (and any wrapper around it)."""
    from qdrant_client.local.qdrant_local import QdrantLocal
    from qdrant_client.qdrant_remote import QdrantRemote

    obj = client
    for _ in range(4):
        if isinstance(obj, (QdrantRemote, QdrantLocal)):
            return obj
        obj = vars(obj).get("_client")
    raise AssertionError(f"no Qdrant client inside {client!r}")


def test_compose_environment_maps_onto_the_settings(compose, monkeypatch):
    from assistant.settings import LLMSettings, load_settings

    env = {k: interpolate(v, {"QDRANT_API_KEY": "k"}) for k, v in env_of(services(compose)["chat"]).items()}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    s = load_settings()
    assert s.qdrant_url == "http://qdrant:6333" and s.qdrant_api_key.get_secret_value() == "k"
    assert s.llm_backend == "ollama" and s.llm.ollama_model == LLMSettings().ollama_model
    assert s.ui.host == "0.0.0.0" and s.ui.port == 7860
    assert s.data_dir == Path("/data") and s.auth_file == Path(env["RIGHTS_AUTH_FILE"])


@pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection")  # plain HTTP on loopback
def test_server_mode_from_environment_alone(compose, monkeypatch, tmp_path, fake):
    from ollama_fake import Script

    from assistant.answer.answering import Answerer
    from assistant.llm.ollama import OllamaChat
    from assistant.service import RightsService
    from assistant.settings import load_settings

    tag = interpolate(env_of(services(compose)["chat"])["RIGHTS_LLM__OLLAMA_MODEL"], {})
    qdrant = FakeQdrant()
    try:
        monkeypatch.setenv("QDRANT_URL", qdrant.url)
        monkeypatch.setenv("QDRANT_API_KEY", "k")
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        monkeypatch.setenv("RIGHTS_LLM__OLLAMA_MODEL", tag)
        monkeypatch.setenv("RIGHTS_DATA_DIR", str(tmp_path / "data"))
        settings = load_settings()
        with RightsService(settings) as service:
            store = service.store
            assert not store.local
            remote = qdrant_backend(store.client)
            assert type(remote).__name__ == "QdrantRemote"
            assert remote.rest_uri.rstrip("/") == qdrant.url
            assert remote._rest_headers.get("api-key") == "k"
            assert store.exists() is False  # a real request, carrying the key
            assert any(path.startswith("/collections/") and h.get("api-key") == "k" for path, h in qdrant.requests)

            chat = Answerer(service).chat
            assert isinstance(chat, OllamaChat)
            assert chat.host == fake.url and chat.model == tag
            fake.script = Script(reply="Served by the configured host.")
            assert "".join(chat.stream([{"role": "user", "content": "hello"}])) == "Served by the configured host."
            assert fake.chats()[-1]["model"] == tag
        assert not (tmp_path / "data" / "qdrant").exists(), "server mode must not open an embedded store"
    finally:
        qdrant.close()


@pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection")
def test_cluster_layout_and_payload_indexes_are_sent_when_collections_are_created(tmp_path):
    """On a server the app creates its collections with the configured shards and replicas,
    and the payload indexes every filter of its queries needs (Qdrant's REST API, loopback)."""
    from assistant.search.engines.server import ServerStore
    from assistant.search.store import INDEXED_FIELDS
    from assistant.settings import Settings

    qdrant = FakeQdrant()
    try:
        settings = Settings(data_dir=tmp_path / "data", qdrant_url=qdrant.url, qdrant_api_key="k",
                            qdrant_shards=6, qdrant_replicas=2)
        with ServerStore(settings) as store:
            store.ensure(384)
        created = dict(qdrant.bodies)
        chunks, ledger = created["/collections/rights"], created["/collections/rights_documents"]
        assert chunks["shard_number"] == 6 and chunks["replication_factor"] == 2
        assert ledger["shard_number"] == 6 and ledger["replication_factor"] == 2
        assert chunks["vectors"]["dense"]["size"] == 384 and chunks["sparse_vectors"]["lexical"]["modifier"] == "idf"
        indexed = {b["field_name"] for p, b in qdrant.bodies if p.endswith("/index")}
        assert indexed == set(INDEXED_FIELDS)
    finally:
        qdrant.close()


def test_quantised_and_on_disk_vectors_are_asked_for_when_set(tmp_path):
    """``store_quantization=int8`` and ``store_vectors_on_disk``: the chunk collection is created
    with an int8 copy kept in RAM and the full vectors on disk (Qdrant's REST API, loopback);
    unset, neither is sent and Qdrant keeps its defaults."""
    from assistant.search.engines.server import ServerStore
    from assistant.settings import Settings

    qdrant = FakeQdrant()
    try:
        for quantised in (True, False):
            qdrant.bodies.clear()
            extra = {"store_quantization": "int8", "store_vectors_on_disk": True} if quantised else {}
            settings = Settings(data_dir=tmp_path / "data", qdrant_url=qdrant.url, qdrant_api_key="k", **extra)
            with ServerStore(settings) as store:
                store.ensure(384)
            dense = dict(qdrant.bodies)["/collections/rights"]["vectors"]["dense"]
            if quantised:
                assert dense["on_disk"] is True
                assert dense["quantization_config"]["scalar"] == {"type": "int8", "quantile": 0.99, "always_ram": True}
            else:
                assert "on_disk" not in dense and "quantization_config" not in dense
    finally:
        qdrant.close()


def test_embedded_mode_without_those_variables(monkeypatch, tmp_path):
    from assistant.answer.answering import Answerer
    from assistant.llm.embedded import EmbeddedChat
    from assistant.service import RightsService
    from assistant.settings import load_settings

    for name in ("QDRANT_URL", "RIGHTS_QDRANT_URL", "QDRANT_API_KEY", "OLLAMA_HOST", "RIGHTS_LLM__OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.qdrant_url is None and settings.llm_backend == "embedded"
    with RightsService(settings) as service:
        store = service.store
        assert store.local and type(store).__name__ == "EdgeStore"  # Qdrant Edge, in this process
        store.ensure(384)
        assert store.path == tmp_path / "data" / "edge" and (store.path / "rights").is_dir()
        assert not (tmp_path / "data" / "qdrant").exists()
        assert isinstance(Answerer(service).chat, EmbeddedChat)


# -- 4. the scale-out profile: a three-node cluster ----------------------------------------------

def test_the_cluster_profile_has_three_private_nodes_and_sets_the_layout(monkeypatch):
    cluster = yaml.safe_load((DEPLOY / "compose.cluster.yaml").read_text())
    nodes = {name: s for name, s in cluster["services"].items() if name.startswith("qdrant")}
    assert set(nodes) == {"qdrant", "qdrant-2", "qdrant-3"}
    for name, node in nodes.items():
        env = node["environment"]
        assert env["QDRANT__CLUSTER__ENABLED"] == "true" and env["QDRANT__TELEMETRY_DISABLED"] == "true"
        assert env["QDRANT__SERVICE__API_KEY"].startswith("${QDRANT_API_KEY:?"), name
        assert node["networks"] == ["internal"] and not node.get("ports"), f"{name} must stay on the internal network"
        assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", node["image"])
    assert "--uri" in nodes["qdrant"]["command"] and "--bootstrap" not in nodes["qdrant"]["command"]
    for name in ("qdrant-2", "qdrant-3"):
        command = nodes[name]["command"]
        assert command[command.index("--bootstrap") + 1] == "http://qdrant:6335"
        assert nodes[name]["depends_on"]["qdrant"]["condition"] == "service_healthy"
    volumes = [v.split(":")[0] for n in nodes.values() for v in n["volumes"] if "storage" in v]
    assert len(set(volumes)) == 3 and set(volumes) - {"qdrant-data"} <= set(cluster["volumes"])
    # the app's services get the layout, and it reaches the settings the store creates collections with
    from assistant.settings import Settings

    for name in ("chat", "api", "ingest"):
        env = cluster["services"][name]["environment"]
        assert set(env) == {"RIGHTS_QDRANT_SHARDS", "RIGHTS_QDRANT_REPLICAS"}
    env = cluster["services"]["chat"]["environment"]
    monkeypatch.setenv("RIGHTS_QDRANT_SHARDS", interpolate(env["RIGHTS_QDRANT_SHARDS"], {}))
    monkeypatch.setenv("RIGHTS_QDRANT_REPLICAS", interpolate(env["RIGHTS_QDRANT_REPLICAS"], {}))
    settings = Settings()
    assert (settings.qdrant_shards, settings.qdrant_replicas) == (6, 2)
