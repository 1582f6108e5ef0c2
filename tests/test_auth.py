"""The users file and sign-in: hostile names, corrupt files, scrypt cost, lockout, timing."""

from __future__ import annotations

import hashlib
import os
import statistics
import threading
import time
import tomllib

import pytest
from typer.testing import CliRunner

import assistant.web.auth as auth
from assistant.cli.app import app
from assistant.web.auth import (
    InvalidUserError,
    Lockout,
    Users,
    UsersFileError,
    hash_password,
    signing_in_from,
    validate_group,
    validate_name,
    verify_password,
)

INJECTION = 'eve"]\ngroups = ["*"]\n[users."x'


def _old_hash(password: str, n: int = 2**14) -> str:
    """A hash as the previous release wrote it (N=2**14): cheap, and must keep verifying."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    return f"scrypt${n}$8$1${salt.hex()}${digest.hex()}"


@pytest.fixture(scope="module")
def strong_hash() -> str:
    return hash_password("correct horse")  # the only full-cost hash of the module (~0.3-1 s)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cheap_dummy(monkeypatch):
    """Unknown-user checks at the old, cheap cost: lockout tests are about counting, not timing."""
    monkeypatch.setattr(auth, "_DUMMY", auth._parse(_old_hash("never")))


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RIGHTS_AUTH_FILE", str(tmp_path / "users.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(auth, "N", 2**14)  # the CLI tests are about the file, not the cost
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke, tmp_path / "users.toml"


def _error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and len(lines) == 1, output
    return errors[0]


# --- names and groups -------------------------------------------------------------------------


def test_hostile_but_legitimate_names_round_trip(tmp_path, strong_hash):
    names = ['o"neil', "CORP\\jsmith", "d'arcy", "j.smith@label.example", "anne-marie", "Zoë Ça"]
    users = Users({n: {"password": strong_hash, "groups": ["legal", "*"] if n == 'o"neil' else []} for n in names})
    path = tmp_path / "users.toml"
    users.save(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"users"} and set(data["users"]) == set(names)
    assert all(set(entry) == {"password", "groups"} for entry in data["users"].values())
    loaded = Users.load(path)
    assert loaded.entries == users.entries
    assert loaded.groups('o"neil') == ["legal", "*"] and loaded.groups("CORP\\jsmith") == []
    assert loaded.authenticate('o"neil', "correct horse")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["users.toml"]  # no temporary file left behind


@pytest.mark.parametrize("name", [INJECTION, "bob\n", "bob\tsmith", "a\rb", "nul\x00", "bidi\u202eevil", "line\u2028sep",
                                  "", " bob", "bob ", "x" * 65])
def test_unstorable_names_are_refused(tmp_path, name):
    with pytest.raises(InvalidUserError):
        validate_name(name)
    path = tmp_path / "users.toml"
    with pytest.raises(InvalidUserError):
        Users({name: {"password": "scrypt$x", "groups": []}}).save(path)
    assert not path.exists()


@pytest.mark.parametrize("group", ['x"]\nadmin = true', "legal team", "a,b", "a;b", "a#b", "", "tab\there", "(nobody)", "g" * 65])
def test_unstorable_groups_are_refused(tmp_path, group):
    with pytest.raises(InvalidUserError):
        validate_group(group)
    with pytest.raises(InvalidUserError):
        Users({"bob": {"password": "scrypt$x", "groups": [group]}}).save(tmp_path / "users.toml")
    assert validate_group("*") == "*" and validate_group("a-and-r") == "a-and-r"


def test_injected_keys_never_reach_the_file(tmp_path, strong_hash):
    path = tmp_path / "users.toml"
    Users({"alice": {"password": strong_hash, "groups": ["legal"]}}).save(path)
    before = path.read_bytes()
    for name, groups in [(INJECTION, []), ("mallory", ['legal"]\n[users.root]\ngroups = ["*"]\n#'])]:
        users = Users.load(path)
        users.entries[name] = {"password": strong_hash, "groups": groups}
        with pytest.raises(InvalidUserError):
            users.save(path)
    assert path.read_bytes() == before
    assert set(tomllib.loads(path.read_text())["users"]) == {"alice"}


# --- corrupt or unexpected files --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[users."o"neil"]\npassword = "x"\ngroups = []\n', "line 1"),  # what the old writer made of o"neil
        ('[users."CORP\\jsmith"]\npassword = "x"\n', "line 1"),
        ('[users.alice]\npassword = "x"\ngroups = ["legal"\n', "line 3"),
        ("users = 3\n", "'users' must be a table"),
        ("[users]\nalice = \"x\"\n", "'alice' must be a [users.NAME] table"),
        ("[users.alice]\npassword = 7\n", "needs password"),
        ("[users.alice]\ngroups = []\n", "needs password"),
        ('[users.alice]\npassword = "x"\ngroups = "legal"\n', "groups must be a list of strings"),
        ('[users.alice]\npassword = "x"\ngroups = [1]\n', "groups must be a list of strings"),
        ('[users.alice]\npassword = "x"\ngroups = ["legal team"]\n', "contains a space"),
        ('[users.alice]\npassword = "x"\nadmin = true\n', "unexpected key 'admin'"),
        ('[users."bob\\n"]\npassword = "x"\n', "control character"),
        ('admin = ["*"]\n', "unexpected top-level key 'admin'"),
    ],
)
def test_corrupt_users_file_is_a_one_line_error(tmp_path, text, expected):
    path = tmp_path / "users.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsersFileError) as info:
        Users.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and expected in message, message


def test_binary_users_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "users.toml"
    path.write_bytes(b"\xff\xfe[users]\x00")
    with pytest.raises(UsersFileError) as info:
        Users.load(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value) and "line 1" in str(info.value)


def test_unreadable_users_file_is_a_one_line_error(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    path.write_text("[users]\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(path), "read_bytes", refuse)  # as for chmod 0, even when the tests run as root
    with pytest.raises(UsersFileError) as info:
        Users.load(path)
    assert str(info.value) == f"cannot read users file {path}: Permission denied"


# --- the `rights user` command ----------------------------------------------------------------


def test_cli_user_on_a_corrupt_file_prints_one_line(cli):
    invoke, path = cli
    path.write_text('[users."o"neil"]\npassword = "x"\ngroups = []\n')
    result = invoke("user", "bob", input="password-1\npassword-1\n")
    assert result.exit_code == 2
    line = _error_line(result.output)
    assert "users.toml" in line and "not valid TOML" in line and "line 1" in line


def test_cli_user_writes_names_that_read_back(cli):
    invoke, path = cli
    for name, groups in [('o"neil', ["legal"]), ("CORP\\jsmith", ["a-and-r", "*"])]:
        args = ["user", name] + [x for g in groups for x in ("--group", g)]
        result = invoke(*args, input="password-1\npassword-1\n")
        assert result.exit_code == 0, result.output
    result = invoke("user", "d'arcy", input="password-2\npassword-2\n")  # loads the file the first two wrote
    assert result.exit_code == 0, result.output
    users = Users.load(path)
    assert set(users.entries) == {'o"neil', "CORP\\jsmith", "d'arcy"}
    assert users.groups("CORP\\jsmith") == ["*", "a-and-r"] and users.groups('o"neil') == ["legal"]
    assert users.authenticate("CORP\\jsmith", "password-1") and not users.authenticate("CORP\\jsmith", "password-2")


@pytest.mark.parametrize("args", [["user", INJECTION], ["user", "bob\n"], ["user", " bob"], ["user", "bob", "--group", "legal team"],
                                  ["user", "bob", "--group", 'x"]\n[users.root]']])
def test_cli_user_refuses_unstorable_names_in_one_line(cli, args):
    invoke, path = cli
    result = invoke(*args, input="password-1\npassword-1\n")
    assert result.exit_code == 2
    _error_line(result.output)
    assert "Password" not in result.output  # refused before the password is asked
    assert not path.exists()


# --- password hashes --------------------------------------------------------------------------


def test_new_hashes_use_owasp_cost_and_old_ones_still_verify(strong_hash):
    scheme, n, r, p, salt, digest = strong_hash.split("$")
    assert (scheme, n, r, p) == ("scrypt", "131072", "8", "1") and len(bytes.fromhex(salt)) == 16
    assert verify_password("correct horse", strong_hash)
    old = _old_hash("old horse")
    assert old.split("$")[1] == "16384"
    assert verify_password("old horse", old) and not verify_password("correct horse", old)
    assert Users({"alice": {"password": old, "groups": []}}).authenticate("alice", "old horse")


def test_crafted_hashes_are_refused_quickly():
    """A stored hash chooses its own N, r and p: bounded, so a planted one cannot tie up the server."""
    salt, digest = "00" * 16, "00" * 32
    crafted = [
        f"scrypt$16384$8$64${salt}${digest}",  # p=64: seconds of work per sign-in (the old code ran it)
        f"scrypt$16384$8$16000${salt}${digest}",  # p: minutes
        f"scrypt$1073741824$8$1${salt}${digest}",  # 1 TiB of memory
        f"scrypt$524288$8$1${salt}${digest}",  # 512 MiB: above the cap
        f"scrypt$131072$1024$1${salt}${digest}",  # r too large
        f"scrypt$100000$8$1${salt}${digest}",  # N not a power of two
        f"scrypt$16384$8$1${salt}$" + "00" * 100_000,  # absurd digest
        f"scrypt$16384$8$1$${digest}",  # no salt
        f"scrypt$-16384$8$1${salt}${digest}",
        f"scrypt$16384$8$1$zz${digest}",
        f"bcrypt$16384$8$1${salt}${digest}",
        "-",
        "",
    ]
    for stored in crafted:
        start = time.perf_counter()
        assert not verify_password("anything", stored), stored[:40]
        assert time.perf_counter() - start < 0.5, stored[:40]


# --- lockout ----------------------------------------------------------------------------------


def test_five_failures_pause_the_name_from_that_client_with_a_growing_back_off(monkeypatch, cheap_dummy):
    clock = FakeClock()
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=clock))
    checks = []
    real_check = auth._check
    monkeypatch.setattr(auth, "_check", lambda pw, params: checks.append(pw) or real_check(pw, params))
    for lock in (60, 120, 240):  # each pause twice as long as the one before
        for _ in range(5):
            assert not users.authenticate("alice", "wrong-password")
            clock.now += 1
        n = len(checks)
        assert not users.authenticate("alice", "right-password") and len(checks) == n  # paused: refused unchecked
        assert lock - 2 <= users.lockout.retry_after("alice") <= lock
        clock.now += lock - 5
        assert not users.authenticate("alice", "right-password") and len(checks) == n
        clock.now += 6
    assert users.authenticate("alice", "right-password")
    for _ in range(5):  # a success starts the pair afresh: the next pause is the first again
        assert not users.authenticate("alice", "wrong-password")
    assert 55 <= users.lockout.retry_after("alice") <= 60


def test_a_flood_from_one_client_never_locks_the_real_user_out_from_another(cheap_dummy):
    clock = FakeClock()
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=clock))
    with signing_in_from("203.0.113.9"):
        for _ in range(100):
            assert not users.authenticate("alice", "guess")
            clock.now += 0.5
        assert users.lockout.locked("alice", "203.0.113.9")
        assert not users.authenticate("alice", "right-password")  # the attacker's client stays paused
    with signing_in_from("10.0.0.7") as holder:
        assert users.authenticate("alice", "right-password")  # the real user, from their own machine
        assert "retry_after" not in holder


def test_guesses_from_many_clients_pause_the_name_but_not_for_a_client_it_signed_in_from(cheap_dummy):
    clock = FakeClock()
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=clock))
    with signing_in_from("10.0.0.7"):
        assert users.authenticate("alice", "right-password")
    for i in range(100):  # 4 guesses each from 25 machines: no pair reaches its limit, the name does
        with signing_in_from(f"198.51.100.{i // 4}"):
            assert not users.authenticate("alice", "guess")
    with signing_in_from("198.51.100.200") as holder:
        assert not users.authenticate("alice", "right-password") and holder["retry_after"] > 0
    with signing_in_from("10.0.0.7"):
        assert users.authenticate("alice", "right-password")


def test_password_spraying_from_one_client_pauses_that_client(cheap_dummy):
    clock = FakeClock()
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=clock))
    with signing_in_from("203.0.113.9"):
        for i in range(30):
            assert not users.authenticate(f"user{i}", "Spring2026!")
        assert not users.authenticate("alice", "right-password")
    with signing_in_from("10.0.0.7"):
        assert users.authenticate("alice", "right-password")


def test_success_resets_and_old_failures_expire(cheap_dummy):
    clock = FakeClock()
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=clock))
    for _ in range(4):
        assert not users.authenticate("alice", "wrong-password")
    assert users.authenticate("alice", "right-password")  # resets the count
    for _ in range(4):
        assert not users.authenticate("alice", "wrong-password")
    clock.now += 15 * 60 + 1  # those four are out of the window
    for _ in range(4):
        assert not users.authenticate("alice", "wrong-password")
    assert users.authenticate("alice", "right-password")


def test_unknown_names_lock_like_real_ones(cheap_dummy):
    clock = FakeClock()
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=clock))
    for _ in range(5):
        assert not users.authenticate("mallory", "guess")
        assert not users.authenticate("alice", "guess")
    assert users.lockout.locked("mallory") and users.lockout.locked("alice")
    assert not users.lockout.locked("bob")


def test_concurrent_attempts_cannot_exceed_the_limit(monkeypatch, cheap_dummy):
    users = Users({"alice": {"password": _old_hash("right-password"), "groups": []}}, lockout=Lockout(clock=FakeClock()))
    checks = []
    real_check = auth._check
    monkeypatch.setattr(auth, "_check", lambda pw, params: checks.append(pw) or real_check(pw, params))
    results = []
    threads = [threading.Thread(target=lambda: results.append(users.authenticate("alice", "wrong-password"))) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 20 and len(checks) == 5


def test_lockout_memory_is_bounded():
    clock = FakeClock()
    lockout = Lockout(clock=clock, max_tracked=100)
    for i in range(1000):
        assert lockout.begin(f"user{i}", f"192.0.2.{i}")
    assert lockout.tracked() <= 100


# --- timing -----------------------------------------------------------------------------------


def test_unknown_user_costs_as_much_as_a_wrong_password(strong_hash):
    users = Users({"alice": {"password": strong_hash, "groups": []}}, lockout=Lockout(max_failures=1000))
    known, unknown = [], []
    for _ in range(3):  # alternating, medians: robust to a busy machine
        for name, times in (("alice", known), ("nobody-here", unknown)):
            start = time.perf_counter()
            assert not users.authenticate(name, "wrong-password")
            times.append(time.perf_counter() - start)
    assert statistics.median(unknown) >= 0.5 * statistics.median(known), (known, unknown)


@pytest.mark.slow  # starts the real Gradio app
def test_over_http_a_flood_from_one_address_is_told_when_to_retry_and_the_real_user_signs_in(tmp_path):
    """The chat as served: 100 wrong passwords for alice from 127.0.0.2, then alice from 127.0.0.1."""
    import socket

    import httpx

    from assistant.service import RightsService
    from assistant.settings import Settings
    from assistant.testing import HashingEmbedder
    from assistant.web.app import launch

    users_file = tmp_path / "users.toml"
    Users({"alice": {"password": hash_password("alice-password-1"), "groups": []}}).save(users_file)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    svc = RightsService(Settings(data_dir=tmp_path / "data", auth_file=users_file), embedder=HashingEmbedder())
    app = launch(svc, "127.0.0.1", port, block=False)
    url = f"http://127.0.0.1:{port}/login"
    try:
        attacker = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30)
        statuses = [attacker.post(url, data={"username": "alice", "password": f"guess{i}"}).status_code for i in range(100)]
        assert statuses[:4] == [400] * 4 and set(statuses[5:]) == {429}
        refused = attacker.post(url, data={"username": "alice", "password": "alice-password-1"})
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
        assert "try again in" in refused.json()["detail"] and "Traceback" not in refused.text
        real = httpx.post(url, data={"username": "alice", "password": "alice-password-1"}, timeout=30)
        assert real.status_code == 200 and real.json() == {"success": True}
    finally:
        app.close()
        svc.close()
