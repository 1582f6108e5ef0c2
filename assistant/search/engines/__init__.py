"""The Qdrant engines behind :class:`~assistant.search.store.Store`, and the one place that picks.

``edge`` embeds Qdrant Edge in the data directory (the default, nothing to run); ``server``
speaks to a Qdrant server; ``migrate`` copies a collection between them. The interface module
never imports an engine, so engines may import it freely.
"""

from __future__ import annotations

from assistant.search.store import Store
from assistant.settings import Settings


def open_store(settings: Settings) -> Store:
    """The engine the settings choose: a Qdrant server when ``qdrant_url`` is set, else Qdrant Edge
    embedded in the data directory."""
    if settings.qdrant_url:
        from assistant.search.engines.server import ServerStore

        return ServerStore(settings)
    from assistant.search.engines.edge import EdgeStore
    from assistant.search.engines.migrate import migrate_local_mode

    store = EdgeStore(settings)
    if store.pending_move:
        migrate_local_mode(settings, store)
    return store
