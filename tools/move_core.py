"""Rewrite imports of tpi_tui.core after its modules moved into subpackages (issue 19 part 2).

    python tools/move_core.py FILE_OR_DIR...   # rewrite in place; prints the files changed

Every `from X import a, b` whose X is a core module (old flat name or new) is resolved name by name:
a name stays with the module that defines it at top level; a name defined elsewhere in core (one
definer) is routed there; an old module name maps through MOVES. Relative imports stay relative,
absolute ones absolute. Idempotent: run it again after moving a function between modules. Kept as
a tool so a branch written against the old layout can be brought over the same way.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tpi_tui" / "core"

# old flat module -> new home (the modules split later route names by definer, see _route)
MOVES = {
    "instrument": "rules.instrument",
    "policy": "rules.policy",
    "answers": "rules.answers",
    "scoring": "rules.scoring",
    "syarat": "rules.syarat",
    "session_meta": "rules.meta",
    "ba_fields": "rules.ba_fields",
    "store": "session.store",
    "attach": "session.attach",
    "history": "session.history",
    "workspace": "session.workspace",
    "keys": "team.keys",
    "verify": "team.verify",
    "review": "team.review",
    "merge": "team.merge",
    "gitsetup": "team.gitsetup",
    "cycle": "cycle.basis",
    "usulan": "cycle.usulan",
    "rekap": "cycle.rekap",
    "arsip": "cycle.arsip",
    "afirmasi": "cycle.afirmasi",
    "portalrb": "cycle.portalrb",
    "demo": "cycle.demo",
}
PREFIX = "tpi_tui.core."


def _core_modules() -> dict[str, Path]:
    out = {}
    for path in CORE.rglob("*.py"):
        rel = path.relative_to(CORE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out[PREFIX.rstrip(".") + "".join("." + p for p in parts)] = path
    return out


def _defined(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        names.add(n.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


MODULES = _core_modules()
DEFINED = {m: _defined(p) for m, p in MODULES.items()}


def _new_name(module: str) -> str:
    if module.startswith(PREFIX):
        head, _, rest = module[len(PREFIX) :].partition(".")
        if head in MOVES and module not in MODULES:
            return PREFIX + MOVES[head] + ("." + rest if rest else "")
    return module


def _route(module: str, name: str) -> tuple[str, str | None]:
    """(module to import from, name) -- or (submodule, None) when `name` is itself a module."""
    module = _new_name(module)
    sub = _new_name(f"{module}.{name}")
    if sub in MODULES and not (module in DEFINED and name in DEFINED[module]):
        return sub, None
    if module in DEFINED and name in DEFINED[module]:
        return module, name
    definers = [m for m, names in DEFINED.items() if name in names]
    if len(definers) > 1:  # the same name in two packages (a key's fingerprint, a file's): the sibling
        definers = [m for m in definers if m.rpartition(".")[0] == module.rpartition(".")[0]]
    if len(definers) == 1:
        return definers[0], name
    return module, name


def _package_of(path: Path) -> str:
    rel = path.resolve().relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1])
    return ".".join(parts[:-1])


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    anchor = package
    for _ in range(node.level - 1):
        anchor = anchor.rpartition(".")[0]
    return anchor + ("." + node.module if node.module else "")


def _relative(target: str, package: str) -> str:
    """`target` written relative to `package` (both dotted)."""
    t, p = target.split("."), package.split(".")
    common = 0
    while common < min(len(t), len(p)) and t[common] == p[common]:
        common += 1
    dots = "." * (len(p) - common + 1)
    return dots + ".".join(t[common:])


def _emit(target: str, names: list[str], relative: bool, package: str, indent: str) -> str:
    source = _relative(target, package) if relative and package.startswith("tpi_tui") else target
    joined = ", ".join(names)
    line = f"{indent}from {source} import {joined}"
    if len(line) > 110:
        inner = "".join(f"{indent}    {n},\n" for n in names)
        line = f"{indent}from {source} import (\n{inner}{indent})"
    return line


def rewrite(path: Path, old_package: str | None = None) -> bool:
    """`old_package`: the package the file sat in before it moved (its relative imports resolve there)."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    package = _package_of(path) if str(path.resolve()).startswith(str(ROOT / "tpi_tui")) else ""
    edits: list[tuple[int, int, str]] = []
    own = ".".join(path.resolve().relative_to(ROOT).with_suffix("").parts) if package else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            full = _absolute(node, old_package or package)
            if not (full == PREFIX.rstrip(".") or full.startswith(PREFIX)):
                continue
            groups: dict[str, list[str]] = {}
            for alias in node.names:
                target, name = _route(full, alias.name)
                if target == own and name == (alias.asname or alias.name):
                    continue  # the name moved into this very module
                if name is None:  # a module imported by name: from <parent> import <leaf> [as x]
                    parent, _, leaf = target.rpartition(".")
                    entry = (
                        leaf
                        if alias.asname is None and leaf == alias.name
                        else f"{leaf} as {alias.asname or alias.name}"
                    )
                    groups.setdefault(parent, []).append(entry)
                else:
                    groups.setdefault(target, []).append(f"{name} as {alias.asname}" if alias.asname else name)
            if (
                old_package is None
                and list(groups) == [full]
                and [a.name for a in node.names] == [g.split(" as ")[0] for g in groups[full]]
            ):
                continue
            first = lines[node.lineno - 1]
            indent = first[: len(first) - len(first.lstrip())]
            if not groups:
                edits.append((node.lineno, node.end_lineno, ""))
                continue
            # every comment of the statement (a wrapped one holds them inside its parentheses), kept
            # on each part it splits into: a '# lazy:' reason holds for each
            notes = []
            for raw in lines[node.lineno - 1 : node.end_lineno]:
                if "#" in raw and raw.split("#", 1)[1].strip() not in notes:
                    notes.append(raw.split("#", 1)[1].strip())
            comment = "  # " + "; ".join(notes) if notes else ""
            new = "\n".join(_emit(t, names, bool(node.level), package, indent) + comment for t, names in groups.items())
            edits.append((node.lineno, node.end_lineno, new + "\n"))
        elif isinstance(node, ast.Import):
            changed = False
            parts = []
            for alias in node.names:
                new_mod = _new_name(alias.name)
                changed |= new_mod != alias.name
                parts.append(new_mod + (f" as {alias.asname}" if alias.asname else ""))
            if changed:
                first = lines[node.lineno - 1]
                indent = first[: len(first) - len(first.lstrip())]
                tail = first.rstrip("\n")[node.end_col_offset :]
                edits.append((node.lineno, node.end_lineno, f"{indent}import {', '.join(parts)}{tail}\n"))
    if not edits:
        return False
    for start, end, new in sorted(edits, reverse=True):
        lines[start - 1 : end] = [new]
    path.write_text("".join(lines), encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    old_package = None
    if argv and argv[0] == "--moved-from":  # --moved-from tpi_tui.core FILE...: files that just moved
        old_package, argv = argv[1], argv[2:]
    files: list[Path] = []
    for arg in argv or ["tpi_tui", "tests", "bench", "tools"]:
        p = Path(arg)
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    for f in files:
        if f.resolve() == Path(__file__).resolve():
            continue
        if rewrite(f, old_package):
            print(f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
