"""Finding passages: the store interface (store.py) and its Qdrant engines (engines/: embedded
Edge, server, the upgrade of an earlier layout), the embedding model (embedding.py), lexical
vectors (lexical.py), the product's retrieval (retrieval.py: hybrid, identifier-exact,
name-scoped) and the same retrieval as a llama-index retriever (llama_retriever.py)."""
