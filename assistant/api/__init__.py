"""The HTTP API beside the chat (``rights serve``): OpenAI-compatible answers, search, documents,
families, the register and the catalog, each request answered through ``RightsService`` as the
token's user may see it (tokens.py: per-user bearer tokens, stored hashed; limits.py: request
size and per-token rate; app.py: the routes; openai_format.py: answers as chat completions)."""
