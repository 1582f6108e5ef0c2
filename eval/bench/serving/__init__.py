"""Benchmarks of the running servers on loopback: concurrent chat sessions (chat_load.py) and the
HTTP API's answer latency against the chat's in the same run (api_latency.py)."""
