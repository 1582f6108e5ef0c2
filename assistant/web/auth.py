"""Sign-in for the chat: users, salted scrypt password hashes and access groups in a TOML file.

    [users.alice]
    password = "scrypt$131072$8$1$<salt hex>$<hash hex>"
    groups = ["legal", "a-and-r"]

``rights user NAME --group G`` writes entries (with a TOML library, never by formatting strings);
passwords are never stored or logged in clear. A user in group "*" sees every document. Without a
users file the chat has no sign-in, which is only allowed while it listens on loopback.

Sign-in is slowed on purpose: scrypt at OWASP's cost (N=2**17, r=8, p=1; older hashes keep their
own cost and still verify), an unknown user name costs the same as a wrong password (so names
cannot be found by timing), and a name is locked for a while after repeated failures.
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
from collections.abc import Callable
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


class Lockout:
    """Per-user-name lockout: ``max_failures`` failed sign-ins within ``window`` seconds lock the
    name for ``lock_for`` seconds. Unknown names are tracked like real ones, so the lockout does
    not reveal which names exist. Thread-safe; ``clock`` is injectable for tests."""

    def __init__(self, max_failures: int = 5, window: float = 900.0, lock_for: float = 900.0,
                 clock: Callable[[], float] = time.monotonic, max_tracked: int = 100_000):
        self.max_failures, self.window, self.lock_for = max_failures, window, lock_for
        self.clock, self.max_tracked = clock, max_tracked
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}  # failure times within the window (at most max_failures)
        self._locked_until: dict[str, float] = {}

    def locked(self, name: str) -> bool:
        with self._lock:
            return self._is_locked(name, self.clock())

    def begin(self, name: str) -> bool:
        """Start an attempt: False while ``name`` is locked; otherwise the attempt is counted as a
        failure up front (so concurrent attempts cannot slip past the limit) until ``success``."""
        with self._lock:
            now = self.clock()
            if self._is_locked(name, now):
                return False
            times = [t for t in self._failures.pop(name, []) if t > now - self.window] + [now]
            self._failures[name] = times  # re-inserted: the dict stays ordered by last attempt
            if len(times) >= self.max_failures:
                self._locked_until[name] = now + self.lock_for
                del self._failures[name]
            self._trim(now)
            return True

    def success(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
            self._locked_until.pop(name, None)

    def _is_locked(self, name: str, now: float) -> bool:
        until = self._locked_until.get(name)
        if until is None:
            return False
        if now < until:
            return True
        del self._locked_until[name]
        return False

    def _trim(self, now: float) -> None:
        if len(self._failures) + len(self._locked_until) <= self.max_tracked:
            return
        for name in [n for n, until in self._locked_until.items() if until <= now]:
            del self._locked_until[name]
        for name in [n for n, t in self._failures.items() if not t or t[-1] <= now - self.window]:
            del self._failures[name]
        while self._failures and len(self._failures) + len(self._locked_until) > self.max_tracked:
            del self._failures[next(iter(self._failures))]  # the longest-idle name


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
        if not self.lockout.begin(username):
            return False
        entry = self.entries.get(username)
        params = _parse(entry.get("password")) if isinstance(entry, dict) else None
        with _CHECKS:
            if params is None or len(password) > MAX_PASSWORD:
                _check(password[:MAX_PASSWORD], _DUMMY)
                return False
            ok = _check(password, params)
        if ok:
            self.lockout.success(username)
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
