"""A socket guard: any connection (or name lookup) that leaves loopback fails the test run.

Installed by conftest before any project or library code is imported, so that a model hub
download, telemetry ping or update check anywhere in the stack raises instead of passing
silently. Every attempt is also recorded, so a library that swallows the error is caught too.
"""

from __future__ import annotations

import ipaddress
import socket

ATTEMPTS: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


class NetworkBlocked(RuntimeError):
    pass


ALLOWED_HOSTS: set[str] = set()  # a real Ollama the developer named (REAL_OLLAMA_HOST), nothing else


def _is_local(host) -> bool:
    if host is None:
        return True
    host = host.decode() if isinstance(host, bytes) else str(host)
    if host in ("localhost", "localhost.localdomain", "") or host in ALLOWED_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address, family) -> None:
    if family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_local(host):
        ATTEMPTS.append(str(address))
        raise NetworkBlocked(f"network access outside loopback attempted: {address!r}")


def _connect(self, address):
    _check(address, self.family)
    return _real_connect(self, address)


def _connect_ex(self, address):
    _check(address, self.family)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        ATTEMPTS.append(f"dns:{host}")
        raise NetworkBlocked(f"name lookup outside loopback attempted: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
