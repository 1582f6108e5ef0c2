"""Chat models: one ``ChatModel`` interface (base.py), the embedded GGUF through llama.cpp
(embedded.py) and Ollama over its HTTP API (ollama.py), and the prompt they are given
(prompting.py: documents are data, never commands); factory.py picks one from settings."""
