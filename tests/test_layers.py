"""The house rules, as tests: one folder a layer, imports only pointing down, no import cycle,
and a domain that never imports Textual (so the CLI, the app and the tests drive the same code).

Imports are read from the source (`ast`), function-level ones included, because the package
imports lazily on purpose: a cycle through a lazy import is still a cycle.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "openclaw_triage"

# Lowest first. A module may import its own layer or a lower one, never a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("", "util"),  # the package face (__version__) and small helpers that know nothing of OpenClaw
    ("model", "secret", "providers", "keys", "actions", "findings", "scrub"),  # the shared words
    ("openclaw",),  # OpenClaw's own rules
    ("runtime",),  # the live side, read-only
    ("diagnose",),  # what is wrong
    ("probe", "write", "demo"),  # asking the providers; changing things; the bundled demo
    ("output",),  # what the tool prints
    ("cli", "tui"),  # the faces
    ("__main__",),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules `name` imports (relative or absolute, at any depth)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.split(".")[0] == "openclaw_triage":
                target = node.module.removeprefix("openclaw_triage").lstrip(".")
            else:
                continue
            for alias in node.names:
                child = f"{target}.{alias.name}" if target else alias.name
                found.add(child if child in modules else target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "openclaw_triage":
                    found.add(alias.name.removeprefix("openclaw_triage").lstrip("."))
    found.discard(name)
    return {m for m in found if m in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def test_every_module_has_a_layer() -> None:
    assert {_layer(m) for m in _modules()} <= set(RANK)


def test_imports_only_point_down() -> None:
    upward = [f"{a} -> {b}" for a, targets in _graph().items() for b in targets if RANK[_layer(b)] > RANK[_layer(a)]]
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            # A package face importing its own submodules is how packages work, not a cycle.
            if len(component) > 1 and not _only_faces(component):
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == []


def _only_faces(component: list[str]) -> bool:
    """A package and its own modules, tied only through the package's `__init__`."""
    faces = [m for m in component if _modules()[m].name == "__init__.py"]
    return len(faces) == 1 and all(m == faces[0] or m.startswith(faces[0] + ".") for m in component)


def test_the_domain_never_imports_textual() -> None:
    """Every module but the app, imported in a fresh interpreter, leaves Textual unloaded."""
    names = sorted(
        f"openclaw_triage.{m}" if m else "openclaw_triage" for m in _modules() if _layer(m) not in ("tui", "__main__")
    )
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
    assert len(names) > 60  # the whole domain was imported, not an empty list
