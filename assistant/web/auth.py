"""Sign-in for the chat: users, salted scrypt password hashes and access groups in a TOML file.

    [users.alice]
    password = "scrypt$131072$8$1$<salt hex>$<hash hex>"
    groups = ["legal", "a-and-r"]

``rights user NAME --group G`` writes entries (with a TOML library, never by formatting strings);
passwords are never stored or logged in clear. A user in group "*" sees every document. Without a
users file the chat has no sign-in, which is only allowed while it listens on loopback.

Sign-in is slowed on purpose: scrypt at OWASP's cost (N=2**17, r=8, p=1; older hashes keep their
own cost and still verify), an unknown user name costs the same as a wrong password (so names
cannot be found by timing), and repeated failures are throttled per (name, client) with a growing
back-off (``Lockout``), so a flood of wrong passwords from one machine never locks the real user out.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import threading
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from ingest.access import NOBODY
from ingest.errors import UserError

# OWASP password storage guidance: scrypt N=2**17 (128 MiB), r=8, p=1.
N, R, P = 2**17, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
MAXMEM = 256 * 1024 * 1024  # hashlib.scrypt's default (32 MiB) is below what N=2**17, r=8 needs (128 MiB)
# What a stored hash may ask for: a crafted one must not exhaust memory or CPU.
MAX_MEMORY_COST = 2**20  # N * r: 128 * N * r bytes = 128 MiB
MAX_WORK = 2**21  # N * r * p: twice today's cost
MAX_NAME = 64
MAX_GROUP = 64
MAX_PASSWORD = 4096  # longer sign-in attempts are refused unhashed


class UsersFileError(UserError):
    """The users file cannot be read, is not valid TOML, or does not have the expected shape."""


class InvalidUserError(UserError, ValueError):
    """A user name or access group that cannot be stored (control characters, spaces, ...)."""


def _bad_char(text: str) -> str | None:
    """The first control, format or line/paragraph separator character in ``text``, if any."""
    for ch in text:
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            return ch
    return None


def _plain_text(value: object, what: str, limit: int) -> str:
    """``value`` as a non-empty string of at most ``limit`` characters without control
    characters: the checks user names and groups share (one-line errors naming ``what``)."""
    if not isinstance(value, str):
        raise InvalidUserError(f"{what} must be text, not {type(value).__name__}")
    if not value:
        raise InvalidUserError(f"{what} is empty")
    if len(value) > limit:
        raise InvalidUserError(f"{what} {value[:limit]!r}... is longer than {limit} characters")
    bad = _bad_char(value)
    if bad is not None:
        raise InvalidUserError(f"{what} {value!r} contains a control character ({ascii(bad)})")
    return value


def validate_name(name: object) -> str:
    """A user name as it may be stored: 1-64 characters, no control characters, no surrounding
    spaces. Apostrophes, quotes, backslashes (CORP\\jsmith), dots, @ and hyphens are fine."""
    name = _plain_text(name, "user name", MAX_NAME)
    if name != name.strip():
        raise InvalidUserError(f"user name {name!r} starts or ends with a space")
    return name


def validate_group(group: object) -> str:
    """An access group as documents name them (ingest splits on spaces, commas and semicolons)."""
    group = _plain_text(group, "group", MAX_GROUP)
    if any(ch.isspace() or ch in ",;#" for ch in group):
        raise InvalidUserError(f"group {group!r} contains a space, comma, semicolon or '#'")
    if group == NOBODY:
        raise InvalidUserError(f"group {NOBODY!r} marks administrator-only documents; no user can hold it (use '*')")
    return group


def hash_password(password: str) -> str:
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, maxmem=MAXMEM, dklen=KEY_BYTES)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def _parse(stored: object) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, digest) of a stored hash within sane bounds, else None."""
    if not isinstance(stored, str) or len(stored) > 512:
        return None
    try:
        scheme, n_s, r_s, p_s, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt" or not all(s.isdigit() and s.isascii() for s in (n_s, r_s, p_s)):
            return None
        n, r, p = int(n_s), int(r_s), int(p_s)
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16:
        return None
    if n * r > MAX_MEMORY_COST or n * r * p > MAX_WORK:
        return None
    if not 8 <= len(salt) <= 64 or not 16 <= len(digest) <= 64:
        return None
    return n, r, p, salt, digest


def _check(password: str, params: tuple[int, int, int, bytes, bytes]) -> bool:
    n, r, p, salt, digest = params
    try:
        got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=MAXMEM, dklen=len(digest))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, digest)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; N, r and p come from the stored hash (bounded)."""
    params = _parse(stored)
    return params is not None and isinstance(password, str) and _check(password, params)


# Checked instead of a real hash when the user is unknown (or has no usable hash): same cost,
# so a sign-in attempt takes as long whether or not the name exists. Matches no password.
_DUMMY = _parse(f"scrypt${N}${R}${P}${os.urandom(SALT_BYTES).hex()}${os.urandom(KEY_BYTES).hex()}")
# Each check holds 128 MiB for ~0.3 s: a flood of sign-ins must queue, not exhaust memory.
_CHECKS = threading.BoundedSemaphore(4)


# Who is signing in: the web guard (assistant/web/guard.py) sets a holder per /login request with
# the client's address; the auth callable reads it and writes back when a refused client may retry
# (Gradio calls ``auth(username, password)`` without the request).
SIGN_IN: ContextVar[dict | None] = ContextVar("sign_in", default=None)


@contextmanager
def signing_in_from(client: str) -> Iterator[dict]:
    """Attempts made inside are attributed to ``client`` (tests, and any caller outside the web guard)."""
    holder = {"client": client}
    token = SIGN_IN.set(holder)
    try:
        yield holder
    finally:
        SIGN_IN.reset(token)


@dataclass
class _Counter:
    failures: list[float] = field(default_factory=list)  # failure times within the window
    locked_until: float = 0.0
    strikes: int = 0  # locks so far: each lasts twice as long as the one before


class Lockout:
    """Sign-in throttling that an attacker cannot use to lock a real user out.

    * ``max_failures`` failed sign-ins for one name **from one client** within ``window`` seconds
      lock that (name, client) pair: the first lock lasts ``lock_for`` seconds, each later one twice
      as long, up to ``max_lock``. The same name from another client is not affected, so a flood of
      wrong passwords from one machine never stops the real user on theirs.
    * ``max_client_failures`` failures from one client across any names lock the client (password
      spraying), with the same back-off.
    * ``max_name_failures`` failures for one name across all clients (a guessing run from many
      machines) lock the name, except for clients that have signed in as that name before.

    Unknown names are tracked like real ones, so the throttle does not reveal which names exist.
    Thread-safe; ``clock`` is injectable for tests; memory is bounded by ``max_tracked``."""

    def __init__(self, max_failures: int = 5, window: float = 900.0, lock_for: float = 60.0, max_lock: float = 3600.0,
                 max_client_failures: int = 30, max_name_failures: int = 100,
                 clock: Callable[[], float] = time.monotonic, max_tracked: int = 100_000):
        self.max_failures, self.window, self.lock_for, self.max_lock = max_failures, window, lock_for, max_lock
        self.max_client_failures, self.max_name_failures = max_client_failures, max_name_failures
        self.clock, self.max_tracked = clock, max_tracked
        self._lock = threading.Lock()
        self._state: dict[tuple, _Counter] = {}  # ordered by last attempt
        self._trusted: dict[tuple[str, str], float] = {}  # (name, client) that signed in, last success

    def _keys(self, name: str, client: str) -> list[tuple[tuple, int]]:
        return [(("pair", name, client), self.max_failures), (("client", client), self.max_client_failures),
                (("name", name), self.max_name_failures)]

    def retry_after(self, name: str, client: str = "") -> float:
        """Seconds until ``client`` may try ``name`` again (0: now)."""
        with self._lock:
            return self._wait(name, client, self.clock())

    def locked(self, name: str, client: str = "") -> bool:
        return self.retry_after(name, client) > 0

    def _wait(self, name: str, client: str, now: float) -> float:
        waits = []
        for key, _limit in self._keys(name, client):
            c = self._state.get(key)
            if c is None or c.locked_until <= now:
                continue
            if key[0] == "name" and (name, client) in self._trusted:
                continue  # a client this user signed in from before is not held up by others' guesses
            waits.append(c.locked_until - now)
        return max(waits, default=0.0)

    def begin(self, name: str, client: str = "") -> bool:
        """Start an attempt: False while locked for this client; otherwise the attempt is counted
        as a failure up front (so concurrent attempts cannot slip past the limit) until ``success``."""
        with self._lock:
            now = self.clock()
            if self._wait(name, client, now) > 0:
                return False
            for key, limit in self._keys(name, client):
                c = self._state.pop(key, None) or _Counter()
                self._state[key] = c  # re-inserted: the dict stays ordered by last attempt
                c.failures = [t for t in c.failures if t > now - self.window] + [now]
                if len(c.failures) >= limit:
                    c.locked_until = now + min(self.lock_for * 2 ** c.strikes, self.max_lock)
                    c.strikes += 1
                    c.failures = []
            self._trim(now)
            return True

    def success(self, name: str, client: str = "") -> None:
        """The attempt begun last for (name, client) succeeded: the pair starts afresh and the client
        is trusted for the name; it no longer counts against the client or the name."""
        with self._lock:
            self._state.pop(("pair", name, client), None)
            for key in (("client", client), ("name", name)):
                c = self._state.get(key)
                if c is not None and c.failures:
                    c.failures.pop()
            self._trusted.pop((name, client), None)
            self._trusted[(name, client)] = self.clock()
            while len(self._trusted) > self.max_tracked:
                del self._trusted[next(iter(self._trusted))]

    def tracked(self) -> int:
        with self._lock:
            return len(self._state)

    def _trim(self, now: float) -> None:
        if len(self._state) <= self.max_tracked:
            return
        for key in [k for k, c in self._state.items()
                    if c.locked_until <= now and (not c.failures or c.failures[-1] <= now - self.window) and not c.strikes]:
            del self._state[key]
        while len(self._state) > self.max_tracked:
            del self._state[next(iter(self._state))]  # the longest-idle entry


@dataclass
class Users:
    entries: dict[str, dict] = field(default_factory=dict)
    lockout: Lockout = field(default_factory=Lockout, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Users:
        if not path.is_file():
            raise FileNotFoundError(f"users file not found: {path} (create it with `rights user NAME`)")
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise UsersFileError(f"cannot read users file {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            raise UsersFileError(f"users file {path} is not UTF-8 text (at line {line}); fix or restore it") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            detail = " ".join(str(exc).split())  # "... (at line 3, column 9)"
            detail = detail.replace("(at end of document)", f"(at end of document, line {max(len(text.splitlines()), 1)})")
            raise UsersFileError(f"users file {path} is not valid TOML: {detail}; fix or restore it") from None
        return cls(_entries(data, path))

    def authenticate(self, username: str, password: str) -> bool:
        """Gradio's auth callable. Same cost for unknown names as for wrong passwords; a locked
        name is refused without checking the password."""
        if not isinstance(username, str) or not isinstance(password, str):
            return False
        try:
            validate_name(username)
        except InvalidUserError:
            return False  # no user can have such a name: nothing to time, nothing to lock
        holder = SIGN_IN.get()
        client = str(holder.get("client", "")) if holder else ""
        if not self.lockout.begin(username, client):
            if holder is not None:  # the guard tells the client when it may try again
                holder["retry_after"] = self.lockout.retry_after(username, client)
            return False
        entry = self.entries.get(username)
        params = _parse(entry.get("password")) if isinstance(entry, dict) else None
        with _CHECKS:
            if params is None or len(password) > MAX_PASSWORD:
                _check(password[:MAX_PASSWORD], _DUMMY)
                return False
            ok = _check(password, params)
        if ok:
            self.lockout.success(username, client)
        return ok

    def groups(self, username: str | None) -> list[str]:
        entry = self.entries.get(username or "")
        return [str(g) for g in entry.get("groups", [])] if entry else []

    def save(self, path: Path) -> None:
        users = {}
        for name in sorted(self.entries):
            entry = self.entries[name]
            password = entry.get("password")
            if not isinstance(password, str):
                raise InvalidUserError(f"user {name!r} has no password hash")
            users[validate_name(name)] = {
                "password": password,
                "groups": [validate_group(g) for g in entry.get("groups", [])],
            }
        text = tomli_w.dumps({"users": users})
        if tomllib.loads(text) != {"users": users}:  # belt and braces: what is read back is what was meant
            raise UsersFileError(f"refusing to write {path}: the users would not read back unchanged")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _entries(data: dict, path: Path) -> dict[str, dict]:
    """The users table of a parsed file, checked: one-line errors for anything unexpected."""
    extra = sorted(set(data) - {"users"})
    if extra:
        raise UsersFileError(f"users file {path}: unexpected top-level key {extra[0]!r} (only [users.NAME] tables)")
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise UsersFileError(f"users file {path}: 'users' must be a table of [users.NAME] tables")
    entries: dict[str, dict] = {}
    for name, entry in users.items():
        try:
            validate_name(name)
        except InvalidUserError as exc:
            raise UsersFileError(f"users file {path}: {exc}") from None
        if not isinstance(entry, dict):
            raise UsersFileError(f"users file {path}: user {name!r} must be a [users.NAME] table")
        extra = sorted(set(entry) - {"password", "groups"})
        if extra:
            raise UsersFileError(f"users file {path}: user {name!r} has unexpected key {extra[0]!r} (only password, groups)")
        if not isinstance(entry.get("password"), str):
            raise UsersFileError(f"users file {path}: user {name!r} needs password = \"scrypt$...\" (a string)")
        groups = entry.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise UsersFileError(f"users file {path}: user {name!r}: groups must be a list of strings")
        try:
            for g in groups:
                validate_group(g)
        except InvalidUserError as exc:
            raise UsersFileError(f"users file {path}: user {name!r}: {exc}") from None
        entries[name] = {"password": entry["password"], "groups": list(groups)}
    return entries
