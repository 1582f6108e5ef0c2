"""Per-user API tokens: ``rights token create USER`` shows a token once; only its SHA-256 is kept.

    [tokens.k3f9a2c1]
    user = "alice"
    hash = "sha256$<hex>"
    created = "2026-12-07T10:00:00Z"
    expires = "2027-03-07T10:00:00Z"      # optional
    groups = ["legal"]                      # only when the user is not in the users file

A token is ``ra_<id>_<secret>``: the id finds its entry without scanning, the 256-bit secret is
compared by hash in constant time. A plain hash suffices (unlike passwords) because the secret is
random, not chosen by a person. The caller's access groups are read at each request from the
users file when the user is there, so removing someone from a group takes effect at once;
otherwise from the groups given at creation. Revoked tokens are deleted from the file.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tomli_w

from assistant.web.auth import Users, validate_group, validate_name
from assistant.web.uploads import write_private
from ingest.errors import UserError

PREFIX = "ra_"
_TOKEN = re.compile(r"ra_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")


class TokenFileError(UserError):
    """The tokens file cannot be read or does not have the expected shape."""


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: the token's user, its id (for rate limits) and access groups."""

    user: str
    token_id: str
    groups: list[str]


@dataclass
class TokenEntry:
    token_id: str
    user: str
    hash: str
    created: str
    expires: str | None = None
    groups: list[str] | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and datetime.fromisoformat(self.expires) <= now

    def as_dict(self) -> dict:
        out = {"user": self.user, "hash": self.hash, "created": self.created}
        if self.expires:
            out["expires"] = self.expires
        if self.groups is not None:
            out["groups"] = list(self.groups)
        return out


def _digest(secret: str) -> str:
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Tokens:
    """The tokens file, read when it changes (``rights token revoke`` takes effect on the next
    request of a running server)."""

    def __init__(self, path: Path, users: Users | None = None):
        self.path = path
        self.users = users
        self._entries: dict[str, TokenEntry] = {}
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    # -- file --------------------------------------------------------------------------------------
    def entries(self) -> dict[str, TokenEntry]:
        with self._lock:
            try:
                st = self.path.stat()
            except FileNotFoundError:
                self._entries, self._stamp = {}, None
                return {}
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self._entries, self._stamp = self._read(), stamp
            return dict(self._entries)

    def _read(self) -> dict[str, TokenEntry]:
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenFileError(f"cannot read tokens file {self.path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise TokenFileError(f"tokens file {self.path} is not valid TOML: {' '.join(str(exc).split())}") from None
        table = data.get("tokens", {})
        if not isinstance(table, dict):
            raise TokenFileError(f"tokens file {self.path}: 'tokens' must be a table of [tokens.ID] tables")
        out = {}
        for token_id, e in table.items():
            if not isinstance(e, dict) or not isinstance(e.get("user"), str) or not str(e.get("hash", "")).startswith("sha256$"):
                raise TokenFileError(f"tokens file {self.path}: token {token_id!r} needs a user and a sha256 hash")
            groups = e.get("groups")
            out[token_id] = TokenEntry(token_id, e["user"], e["hash"], str(e.get("created", "")),
                                       str(e["expires"]) if e.get("expires") else None,
                                       [str(g) for g in groups] if isinstance(groups, list) else None)
        return out

    def _write(self, entries: dict[str, TokenEntry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_private(self.path, text=tomli_w.dumps({"tokens": {k: v.as_dict() for k, v in sorted(entries.items())}}))
        self._stamp = None

    # -- commands ----------------------------------------------------------------------------------
    def create(self, user: str, *, days: int | None = None, groups: list[str] | None = None,
               now: datetime | None = None) -> tuple[str, TokenEntry]:
        """A new token for ``user``: (the token, shown once; its stored entry)."""
        validate_name(user)
        groups = sorted({validate_group(g) for g in groups}) if groups else None
        now = now or datetime.now(UTC)
        entries = self.entries()
        token_id = secrets.token_hex(4)
        while token_id in entries:
            token_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        entry = TokenEntry(token_id, user, _digest(secret), _iso(now), _iso(now + timedelta(days=days)) if days else None, groups)
        entries[token_id] = entry
        self._write(entries)
        return f"{PREFIX}{token_id}_{secret}", entry

    def revoke(self, ref: str) -> list[TokenEntry]:
        """Delete the token with id ``ref`` (or every token of user ``ref``); the entries removed."""
        entries = self.entries()
        gone = [e for e in entries.values() if ref in (e.token_id, e.user)]
        if not gone:
            raise FileNotFoundError(f"no token or user {ref!r} in {self.path} (see `rights token list`)")
        self._write({k: v for k, v in entries.items() if v not in gone})
        return gone

    # -- requests ----------------------------------------------------------------------------------
    def caller(self, token: str, now: datetime | None = None) -> Caller | None:
        """Who ``token`` belongs to, or None (unknown, malformed, expired or revoked)."""
        m = _TOKEN.fullmatch(token or "")
        entry = self.entries().get(m.group(1)) if m else None
        if m is None or entry is None:
            hmac.compare_digest(_digest(token or ""), _digest(""))  # the same work either way
            return None
        if not hmac.compare_digest(_digest(m.group(2)), entry.hash) or entry.expired(now or datetime.now(UTC)):
            return None
        return Caller(entry.user, entry.token_id, self.groups(entry))

    def groups(self, entry: TokenEntry) -> list[str]:
        """The users file's groups for the token's user when it lists them, else the token's own."""
        if self.users is not None and entry.user in self.users.entries:
            return self.users.groups(entry.user)
        return list(entry.groups or [])
