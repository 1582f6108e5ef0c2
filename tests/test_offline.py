"""The air-gap: every library is switched offline, and the guard really blocks the network."""

from __future__ import annotations

import os
import socket
import threading

import netguard
import pytest


def test_guard_blocks_connections_and_lookups_outside_loopback():
    try:
        with pytest.raises(netguard.NetworkBlocked):
            socket.create_connection(("10.255.255.1", 443), timeout=1)
        with pytest.raises(netguard.NetworkBlocked):
            socket.getaddrinfo("huggingface.co", 443)
        assert len(netguard.ATTEMPTS) >= 2
    finally:
        netguard.ATTEMPTS.clear()  # these two were ours; any other attempt fails the session


def test_guard_allows_loopback():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()
    with socket.create_connection(server.getsockname(), timeout=5):
        pass
    server.close()


def test_every_dependency_is_switched_offline():
    import huggingface_hub.constants as hub

    from assistant.ops.offline import OFFLINE_ENV

    for key, value in OFFLINE_ENV.items():
        assert os.environ[key] == value, key
    assert hub.HF_HUB_OFFLINE
    # llama-index reads tiktoken and NLTK data from its own wheel, never downloads them.
    assert os.path.isdir(os.environ["TIKTOKEN_CACHE_DIR"]) and os.listdir(os.environ["TIKTOKEN_CACHE_DIR"])
    assert os.path.isdir(os.environ["NLTK_DATA"])


@pytest.mark.slow
def test_ingest_and_search_stay_on_this_machine(service, contracts):
    service.ingest([contracts])
    assert service.search("distribution fee", 3)
    from llama_index.core.utils import get_tokenizer

    assert get_tokenizer()("royalty points")  # tiktoken from the bundled cache
    assert netguard.ATTEMPTS == []
