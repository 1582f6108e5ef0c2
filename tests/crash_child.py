"""Run an ingest in a child process and SIGKILL it at a chosen store write.

Usage: python crash_child.py DATA_DIR STEP N PATH...
STEP is begin | write | finish: the process kills itself (kill -9, no cleanup) at the N-th
call of that store step: "begin" just after the ledger marks the document pending, "write"
after half of the document's chunks are stored, "finish" just before stale chunks are
deleted and the document marked complete.
The kill point is chosen by wrapping the real store method; everything else is the product.
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import netguard  # noqa: E402

netguard.install()

from assistant.search.store import Store  # noqa: E402
from assistant.service import RightsService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

data_dir, step, n, *paths = sys.argv[1:]
calls = {"count": 0}
original = getattr(Store, f"{step}_document" if step != "write" else "write_chunks")


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def wrapped(self, *args, **kwargs):
    calls["count"] += 1
    if calls["count"] == int(n):
        if step == "write":
            chunks, dense, sparse = args
            half = max(1, len(chunks) // 2)
            original(self, chunks[:half], dense[:half], sparse[:half])
        elif step == "begin":
            original(self, *args, **kwargs)
        die()
    return original(self, *args, **kwargs)


setattr(Store, f"{step}_document" if step != "write" else "write_chunks", wrapped)
with RightsService(Settings(data_dir=Path(data_dir))) as service:
    service.ingest([Path(p) for p in paths])
print("finished without being killed")
