"""The package's import graph, every import counted (function-level ones too; only `if TYPE_CHECKING:`
blocks aside): no cycle between modules, and an import inside a function only where deferring it saves
measured start-up time, said on the statement as `# lazy: <reason>` (issue 19 part 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tpi_tui"


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def _target(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> list[tuple[ast.stmt, list[str]]]:
    """Every import statement of `module` (TYPE_CHECKING blocks aside) with the package modules it loads."""
    path, is_package = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    base = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [t for a in node.names if (t := _target(a.name)) and t.startswith("tpi_tui")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                full = anchor + ("." + node.module if node.module else "")
            else:
                full = node.module or ""
            if full.startswith("tpi_tui"):
                targets = [t for a in node.names if (t := _target(f"{full}.{a.name}"))]
        else:
            continue
        out.append((node, targets))
    return out


def graph() -> dict[str, set[str]]:
    return {m: {t for _, ts in _imports(m) for t in ts if t != m} for m in MODULES}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in g:
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def _function_level_imports() -> list[tuple[str, int, str]]:
    """(module, line, source line) of every import inside a function, TYPE_CHECKING blocks aside."""
    out = []
    for module, (path, _) in MODULES.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        skip = _type_checking_nodes(tree)
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
                    # the statement's own lines: a long one is wrapped with its comment inside
                    out.append((module, node.lineno, " ".join(lines[node.lineno - 1 : node.end_lineno])))
    return sorted(set(out))


def test_no_import_cycle_between_modules():
    assert cycles(graph()) == []


def test_a_function_level_import_says_why_it_waits():
    unexplained = [f"{m}:{n}: {line.strip()}" for m, n, line in _function_level_imports() if "# lazy:" not in line]
    assert unexplained == [], "move to the top of the module, or give a measured reason as '# lazy: ...'"


@pytest.mark.parametrize(
    ("edges", "expected"),
    [({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]), ({"a": {"b"}, "b": set()}, [])],
)
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert cycles(edges) == expected
