"""Shared fixtures. Tests run in temporary data directories with explicit settings, under a
socket guard that fails any connection outside loopback (see netguard.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import netguard  # noqa: E402

netguard.install()

# Keep a developer's own settings out of the tests.
for _name in list(os.environ):
    if _name.startswith("RIGHTS_") or _name in ("QDRANT_URL", "QDRANT_API_KEY"):
        del os.environ[_name]

from assistant.settings import Settings  # noqa: E402  (imports assistant: offline env first)


def pytest_sessionfinish(session, exitstatus):
    if netguard.ATTEMPTS:
        print(f"\nNETWORK GUARD: {len(netguard.ATTEMPTS)} blocked attempt(s): {netguard.ATTEMPTS[:5]}")
        session.exitstatus = 1


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The real packaged MiniLM model, loaded once for the whole run."""
    from assistant.embedding import Embedder
    from assistant.settings import EmbeddingSettings

    cache = tmp_path_factory.mktemp("embed-cache") / "embeddings.sqlite"
    emb = Embedder(EmbeddingSettings(), cache)
    emb.model  # load now so timings of individual tests stay honest
    yield emb
    emb.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def service(settings, embedder):
    from assistant.service import RightsService

    with RightsService(settings, embedder=embedder) as svc:
        yield svc


@pytest.fixture
def contracts(tmp_path) -> Path:
    """A folder of small contracts in every supported format."""
    from fixtures import write_contract_folder

    return write_contract_folder(tmp_path / "contracts")
