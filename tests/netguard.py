"""A socket guard: any connection (or name lookup) that leaves loopback fails the test run.

Installed by conftest before any project or library code is imported, so that a model hub
download, telemetry ping or update check anywhere in the stack raises instead of passing
silently. Every attempt is also recorded, so a library that swallows the error is caught too.

What is covered, and why that is every Python-level way out:

* connections: ``socket.socket.connect``/``connect_ex`` (TCP and connected UDP), and
  ``sendto``/``sendmsg`` with an address (unconnected UDP, e.g. a pure-Python DNS client);
* name lookups: ``socket.getaddrinfo``, ``gethostbyname``, ``gethostbyname_ex``,
  ``gethostbyaddr`` and ``getnameinfo`` (reverse lookups), patched both in ``socket`` and in the C
  module ``_socket`` that ``socket`` re-exports, so code calling either is seen.
* asyncio: ``loop.getaddrinfo``/``loop.getnameinfo`` run ``socket.getaddrinfo``/``getnameinfo``
  in a thread, looked up at call time (CPython's base_events), and its transports connect through
  ``socket.socket.connect``; so asyncio, anyio, httpx/httpcore and aiohttp's default resolver all
  land on the patched functions. ``blind_spots()`` names what would bypass them (uvloop or c-ares
  resolve and connect in C): a test asserts it is empty.
"""

from __future__ import annotations

import _socket
import importlib.util
import ipaddress
import socket

ATTEMPTS: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_sendmsg = socket.socket.sendmsg
_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection
_RESOLVERS = ("gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")
_real = {name: getattr(_socket, name) for name in _RESOLVERS}
_real_c_getaddrinfo = _socket.getaddrinfo


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


def _lookup(kind: str, host) -> None:
    if not _is_local(host):
        ATTEMPTS.append(f"{kind}:{host}")
        raise NetworkBlocked(f"name lookup outside loopback attempted: {kind}({host!r})")


def _connect(self, address):
    _check(address, self.family)
    return _real_connect(self, address)


def _connect_ex(self, address):
    _check(address, self.family)
    return _real_connect_ex(self, address)


def _sendto(self, data, *args):
    if args:  # sendto(data, address) or sendto(data, flags, address)
        _check(args[-1], self.family)
    return _real_sendto(self, data, *args)


def _sendmsg(self, buffers, ancdata=(), flags=0, address=None):
    if address is not None:
        _check(address, self.family)
        return _real_sendmsg(self, buffers, ancdata, flags, address)
    return _real_sendmsg(self, buffers, ancdata, flags)


def _getaddrinfo(host, *args, **kwargs):
    _lookup("dns", host)
    return _real_getaddrinfo(host, *args, **kwargs)


def _c_getaddrinfo(host, *args, **kwargs):
    _lookup("dns", host)
    return _real_c_getaddrinfo(host, *args, **kwargs)


def _gethostbyname(host):
    _lookup("dns", host)
    return _real["gethostbyname"](host)


def _gethostbyname_ex(host):
    _lookup("dns", host)
    return _real["gethostbyname_ex"](host)


def _gethostbyaddr(host):
    _lookup("rdns", host)
    return _real["gethostbyaddr"](host)


def _getnameinfo(sockaddr, flags):
    host = sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr
    if not flags & socket.NI_NUMERICHOST:  # without it, a numeric address is looked up in reverse
        _lookup("rdns", host)
    return _real["getnameinfo"](sockaddr, flags)


_PATCHES = {
    "gethostbyname": _gethostbyname,
    "gethostbyname_ex": _gethostbyname_ex,
    "gethostbyaddr": _gethostbyaddr,
    "getnameinfo": _getnameinfo,
}


def blind_spots() -> list[str]:
    """Installed libraries that resolve or connect in C, out of this guard's sight."""
    return [name for name in ("uvloop", "pycares") if importlib.util.find_spec(name) is not None]


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _sendto  # type: ignore[method-assign]
    socket.socket.sendmsg = _sendmsg  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
    _socket.getaddrinfo = _c_getaddrinfo
    for name, patched in _PATCHES.items():
        setattr(socket, name, patched)
        setattr(_socket, name, patched)
