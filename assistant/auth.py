"""Sign-in for the chat: users, salted scrypt password hashes and access groups in a TOML file.

    [users.alice]
    password = "scrypt$16384$8$1$<salt hex>$<hash hex>"
    groups = ["legal", "a-and-r"]

``rights user NAME --group G`` writes entries; passwords are never stored or logged in
clear. A user in group "*" sees every document. Without a users file the chat has no sign-in,
which is only allowed while it listens on loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

N, R, P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@dataclass
class Users:
    entries: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Users":
        if not path.is_file():
            raise FileNotFoundError(f"users file not found: {path} (create it with `rights user NAME`)")
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return cls(dict(data.get("users", {})))

    def authenticate(self, username: str, password: str) -> bool:
        entry = self.entries.get(username)
        return bool(entry) and verify_password(password, str(entry.get("password", "")))

    def groups(self, username: str | None) -> list[str]:
        entry = self.entries.get(username or "")
        return [str(g) for g in entry.get("groups", [])] if entry else []

    def save(self, path: Path) -> None:
        lines = []
        for name in sorted(self.entries):
            e = self.entries[name]
            groups = ", ".join(f'"{g}"' for g in e.get("groups", []))
            lines += [f'[users."{name}"]', f'password = "{e["password"]}"', f"groups = [{groups}]", ""]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
