"""The package is laid out by capability and its imports point down only.

Layers (lowest first); a module may import its own layer's subpackage or any lower layer, never
a higher one, and never a sibling capability of the same layer. ``postloan_audit/__init__.py``
re-exports the public API and is exempt; the dashboards are loaded lazily from it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import postloan_audit as pa

PACKAGE = Path(pa.__file__).resolve().parent

#: subpackage -> layer. Same-layer subpackages are independent capabilities.
LAYERS: dict[str, int] = {
    "core": 0,
    "ingest": 1,
    # Identity of parties (证件号码, 同一债务人): the compliance rules and the analytics use it.
    "parties": 1,
    "supervision": 2,
    "compliance": 2,
    "statistical": 2,
    "portfolio": 3,
    "trail": 3,
    # Above compliance: the generator plants breaches of its catalogue with its policy.
    "synth": 3,
    # Audit analytics (审计分析) over parties, compliance's policy and the statistics.
    "analytics": 3,
    # Above compliance, whose context and direct-listing cases it reads, and the ingest layer.
    "warning": 4,
    "dashboard": 5,
    # Above the dashboards: `publish` exports the management page as a file.
    "commands": 6,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every ``postloan_audit.…`` module a file imports, at any depth (lazy imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("postloan_audit"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("postloan_audit"):
                found.add(node.module)
                # ``from postloan_audit.core import schema`` imports a module too
                found.update(f"{node.module}.{a.name}" for a in node.names
                             if (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                             or (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).is_dir())
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _subpackage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_subpackage_has_a_layer():
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages == set(LAYERS)
    top_modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert top_modules == {"__init__"}, "modules belong in a subpackage"


def _upward(graph: dict[str, set[str]]) -> list[str]:
    """Imports that point up a layer or sideways to a sibling capability."""
    upward = []
    for module, targets in sorted(graph.items()):
        here = _subpackage(module)
        if here is None:  # the package's __init__ re-exports the public API
            continue
        for target in sorted(targets):
            there = _subpackage(target)
            if there is None:
                upward.append(f"{module} -> {target} (the package root)")
            elif there != here and LAYERS[there] >= LAYERS[here]:
                upward.append(f"{module} -> {target}")
    return upward


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules (a package importing its own children is not one)."""
    modules = set(graph)

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: {t for t in map(resolve, targets) if t and t != m and not t.startswith(m + ".")}
             for m, targets in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    return cycles


def test_imports_point_down_only():
    assert _upward(_graph()) == []


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_checks_catch_a_sideways_import_and_a_cycle():
    """The checkers themselves: planted edges are reported exactly."""
    graph = _graph()
    graph["postloan_audit.compliance.policy"] |= {"postloan_audit.supervision.quotas"}
    assert _upward(graph) == [
        "postloan_audit.compliance.policy -> postloan_audit.supervision.quotas"]
    graph = _graph()
    graph["postloan_audit.compliance.policy"] |= {"postloan_audit.compliance.rules.catalogue"}
    assert ["postloan_audit.compliance.policy", "postloan_audit.compliance.rules.catalogue",
            "postloan_audit.compliance.policy"] in _cycles(graph)


def test_public_api_is_importable_from_the_package_root():
    for name in pa.__all__:
        assert getattr(pa, name) is not None, name


def _modules_after(code: str) -> set[str]:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return set(out.split())


def test_the_package_root_imports_capabilities_on_first_use():
    """``import postloan_audit`` loads no capability; a name loads only its own module."""
    loaded = _modules_after("import postloan_audit")
    assert {"scipy", "sqlalchemy", "ipywidgets", "plotly", "postloan_audit.compliance",
            "postloan_audit.dashboard"}.isdisjoint(loaded)
    loaded = _modules_after("from postloan_audit import run_checks")
    assert "postloan_audit.compliance.checks" in loaded
    assert {"scipy", "ipywidgets", "postloan_audit.statistical"}.isdisjoint(loaded)


def test_a_dashboard_page_imports_only_its_own_dashboard():
    loaded = _modules_after("from postloan_audit.dashboard import ManagementDashboard")
    assert "postloan_audit.dashboard.management" in loaded
    assert {"scipy", "postloan_audit.statistical", "postloan_audit.dashboard.statistical",
            "postloan_audit.dashboard.sampling"}.isdisjoint(loaded)
