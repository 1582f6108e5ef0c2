"""Conflicts between sources: planted conflicts of every kind are found (precision and recall),
consistent variation is not, both sources are cited, the CLI exports them and the chat's
Conflicts view renders document text inert."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from catalog_fixtures.planted import KINDS, predicted, score, write_planted

from assistant.catalog.conflicts import conflicts
from assistant.catalog.queries import Catalog

FIXTURES = Path(__file__).parent / "catalog_fixtures" / "northgate"


def test_planted_conflicts_precision_and_recall(tmp_path, fast_service):
    truth = write_planted(tmp_path / "files", n_works=300, per_kind=6)
    report = fast_service.ingest([tmp_path / "files"])
    assert report.ok and report.counts["new"] == 4
    found = conflicts(Catalog(fast_service))
    precision, recall = score(truth, predicted(found))
    assert (precision, recall) == (1.0, 1.0)
    assert {c.kind for c in found} == set(KINDS)
    for c in found:  # each conflict cites both sources, different files
        assert c.a.file_name != c.b.file_name and c.a.line_start > 0 and c.b.line_start > 0


def test_consistent_sources_make_no_conflicts(tmp_path, fast_service):
    write_planted(tmp_path / "files", n_works=200, per_kind=0)
    fast_service.ingest([tmp_path / "files"])
    assert conflicts(Catalog(fast_service)) == []


@pytest.fixture
def northgate(tmp_path, fast_service):
    folder = tmp_path / "files"
    shutil.copytree(FIXTURES, folder)
    fast_service.ingest([folder])
    return fast_service


def test_fixture_conflicts_name_both_sources(northgate):
    found = conflicts(Catalog(northgate.restricted([])))
    lines = sorted(c.line() for c in found)
    assert lines == [
        "work 'Blue Hour': shares differ — 50/50 (Jonah Reyes, Mara Quinn) vs 40/60 (Jonah Reyes, Mara Quinn) "
        "(splits.csv lines 2-3 ↔ works.v21 lines 3-6)",
        "work 'Paper Lanterns': writers differ — only works.v21: LEE PARK (splits.csv lines 4-5 ↔ works.v21 lines 7-11)",
    ]


def test_cli_conflicts_json_and_csv(northgate, cli, tmp_path, monkeypatch):
    northgate.close()  # the embedded store admits one process (here: one client) at a time
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(northgate.settings.data_dir))
    out = cli("conflicts", "--json")
    assert out.exit_code == 0
    rows = json.loads(out.stdout)
    assert {r["kind"] for r in rows} == {"shares", "writers", "title", "ipi"}  # the CLI is an administrator: all files
    assert any(r["b"]["file"] == "nightingale-splits.csv" or r["a"]["file"] == "nightingale-splits.csv" for r in rows)
    target = tmp_path / "conflicts.csv"
    out = cli("conflicts", "--csv", str(target), "--kind", "shares")
    assert out.exit_code == 0
    with target.open() as fh:
        table = list(csv.DictReader(fh))
    assert [(r["kind"], r["title"], r["file_a"], r["location_a"], r["file_b"], r["location_b"]) for r in table] == [
        ("shares", "Blue Hour", "splits.csv", "lines 2-3", "works.v21", "lines 3-6")]
    assert cli("conflicts", "--kind", "nonsense").exit_code == 2


def test_cli_catalog_commands(northgate, cli, monkeypatch, tmp_path):
    northgate.close()
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(northgate.settings.data_dir))
    out = cli("catalog", "works", "Mara Quinn", "--json")
    assert out.exit_code == 0 and json.loads(out.stdout)["total"] == 5  # the CLI sees every file
    out = cli("catalog", "shares")
    assert out.exit_code == 0 and "Paper Lanterns" in out.stdout and "splits.csv lines 4-5" in out.stdout
    out = cli("catalog", "missing", "ISWC", "--kind", "recording", "--release", "Night Songs", "--json")
    assert json.loads(out.stdout)["total"] == 2
    out = cli("catalog", "invalid", "IPI", "--csv", str(tmp_path / "ipi.csv"))
    assert out.exit_code == 0 and "2 row(s)" in out.stderr
    assert json.loads(cli("catalog", "count", "--json").stdout) == {"work": 9, "recording": 6, "release": 1}
    assert "release.xml" in cli("catalog", "releases", "GBNVR2400013").stdout
    assert "catalog.csv" in cli("catalog", "recordings", "Blue Hour").stdout
    assert "Night Train" in cli("catalog", "lookup", "T1200000071").stdout
    out = cli("catalog", "ask", "which works are missing an ISWC?")
    assert out.exit_code == 0 and "Salt Lines" in out.stdout
    assert cli("catalog", "ask", "When does the deal expire?").exit_code == 1
    assert cli("catalog", "missing", "XYZ").exit_code == 2


def test_conflicts_view_is_per_user_and_inert(northgate):
    from assistant.web.catalog_tab import check_html, conflicts_table

    outsider = conflicts_table(northgate.restricted(["a-and-r"]))
    legal = conflicts_table(northgate.restricted(["legal"]))
    assert len(outsider) == 2 and len(legal) > 2
    assert not any("nightingale" in " ".join(row).lower() for row in outsider)
    html = check_html(northgate.restricted([]), "invalid:ISWC")
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>Bold</b>" not in html
    assert "splits.csv line 8" in html
