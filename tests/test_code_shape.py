"""The code's shape, held: no import cycle among product modules or between their packages, no
module over 700 lines, no package with more than 12 modules side by side, dependencies one way
(ingest knows nothing of assistant; nothing in the product imports eval).

The import graph is read from the source (every ``import`` and ``from ... import``, inside
functions too, since a late import is still a dependency; only ``if TYPE_CHECKING:`` blocks are
left out, as they never run). The checks run on a small synthetic tree first, so a checker that
could not see a cycle would fail here rather than pass quietly.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("assistant", "ingest", "eval")
MAX_LINES = 700
MAX_MODULES = 12


def modules(root: Path, packages: tuple[str, ...] = PRODUCT) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under the product packages."""
    found = {}
    for top in packages:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        wanted = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            here = here[: len(here) - (node.level - 1)]
            base = ".".join([*here, base] if base else here)
        wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    out = []
    for target in wanted:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target:
            out.append(target)
    return out


def import_graph(known: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> product modules it imports (a module importing its own package is not an edge:
    Python has already run the package to get there)."""
    graph: dict[str, set[str]] = {m: set() for m in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                     for n in ast.walk(block)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in type_only:
                for target in _targets(name, path, node, known):
                    if target != name and not name.startswith(target + "."):
                        graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def package_of(module: str) -> str:
    """The package a module belongs to, two levels deep: ``assistant.contracts.rules.term`` ->
    ``assistant.contracts``; a top-level module is its own unit."""
    return ".".join(module.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            a, b = package_of(source), package_of(target)
            if a != b:
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set())
    return out


def crowded_packages(root: Path, packages: tuple[str, ...] = PRODUCT) -> dict[str, int]:
    """Folders holding more than MAX_MODULES modules (not counting __init__) at one level."""
    crowded = {}
    for top in packages:
        for folder in [root / top, *(p for p in (root / top).rglob("*") if p.is_dir() and p.name != "__pycache__")]:
            count = sum(1 for p in folder.glob("*.py") if p.name != "__init__.py")
            if count > MAX_MODULES:
                crowded[str(folder.relative_to(root))] = count
    return crowded


# -- the checker can fail --------------------------------------------------------------------------
def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_checker_sees_a_cycle_made_by_a_late_import(tmp_path):
    root = _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import thing\n",
        "pkg/b.py": "def thing():\n    from pkg import a  # late, still a dependency\n",
        "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n",
    })
    graph = import_graph(modules(root, ("pkg",)))
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    assert "pkg.a" not in graph["pkg.c"]  # type-only imports never run


def test_the_checker_sees_packages_that_import_each_other(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "", "app/x/__init__.py": "", "app/y/__init__.py": "",
        "app/x/one.py": "from app.y.two import f\n", "app/y/two.py": "def f(): ...\n", "app/y/three.py": "import app.x.one\n",
    })
    graph = import_graph(modules(root, ("app",)))
    assert cycles(graph) == []  # module-level: acyclic
    assert cycles(package_graph(graph)) == [["app.x", "app.y"]]


def test_the_checker_counts_modules_per_folder(tmp_path):
    root = _tree(tmp_path, {"p/__init__.py": "", **{f"p/m{i}.py": "" for i in range(MAX_MODULES + 1)}})
    assert crowded_packages(root, ("p",)) == {"p": MAX_MODULES + 1}


# -- the product ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph():
    return import_graph(modules(ROOT))


def test_no_import_cycle_among_product_modules(graph):
    assert cycles(graph) == [], "import cycles (move the shared part into a module both can import)"


def test_no_two_packages_import_each_other(graph):
    assert cycles(package_graph(graph)) == [], "packages that depend on each other (see the README's architecture)"


def test_dependencies_flow_one_way(graph):
    backwards = sorted((m, t) for m, targets in graph.items() for t in targets
                       if (m.startswith("ingest") and t.startswith("assistant"))
                       or (not m.startswith("eval") and t.startswith("eval")))
    assert backwards == []


def test_no_module_over_the_line_limit():
    long = {str(p.relative_to(ROOT)): n for p in modules(ROOT).values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: split them along their sections"


def test_no_package_crowded_with_modules():
    assert crowded_packages(ROOT) == {}, f"more than {MAX_MODULES} modules side by side: group them into a subpackage"


def test_every_expected_failure_shares_one_root():
    """The CLI's one-red-line wrapper and the chat catch ``UserError``; each error a user can fix
    must be one, or it would surface as a traceback."""
    from assistant.llm.base import LLMError, LLMUnavailable
    from assistant.search.embedding import EmbeddingError
    from assistant.search.store import StoreError
    from assistant.web.app import SignInRequired
    from assistant.web.auth import InvalidUserError, UsersFileError
    from eval.compare import RunError
    from eval.dataset import DatasetError
    from eval.gates import GateUnavailable
    from ingest.access import AccessError
    from ingest.errors import IngestError, UnsupportedFile, UserError
    from ingest.readers.ocr import OcrUnavailable

    expected = [LLMError, LLMUnavailable, EmbeddingError, StoreError, SignInRequired, InvalidUserError, UsersFileError,
                RunError, DatasetError, GateUnavailable, AccessError, IngestError, UnsupportedFile, OcrUnavailable]
    assert [e.__name__ for e in expected if not issubclass(e, UserError)] == []
