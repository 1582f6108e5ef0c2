"""Finding passages: the store (Qdrant, embedded or server: store.py, embedded_index.py), the
embedding model (embedding.py), lexical vectors (lexical.py), the product's retrieval
(retrieval.py: hybrid, identifier-exact, name-scoped) and the same retrieval as a llama-index
retriever (llama_retriever.py)."""
