"""The command line's layout: command modules share helpers only through `_` modules, and
the core never imports the command line."""

from __future__ import annotations

import ast

from ..conftest import ROOT

PACKAGE = ROOT / "classifier"


def imported_modules(path) -> set[str]:
    """Absolute names of the package modules a file imports (relative imports resolved)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts[:-1] if parts[-1] != "__init__" else parts
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            name = ".".join(base + ([node.module] if node.module else []))
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_command_module_imports_another():
    commands = {p.stem for p in (PACKAGE / "cli").glob("*.py") if not p.stem.startswith("_")}
    assert {"train", "predict", "export", "agreement", "models", "info"} <= commands
    for path in (PACKAGE / "cli").glob("*.py"):
        if path.stem == "__init__":
            continue
        others = {f"classifier.cli.{c}" for c in commands if c != path.stem}
        assert not imported_modules(path) & others, f"{path.name} imports another command module"


def test_the_core_never_imports_the_command_line():
    for path in PACKAGE.glob("*.py"):
        assert not any(m.startswith("classifier.cli") for m in imported_modules(path)), path.name


def test_no_module_is_over_450_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert not long, f"split these modules by concern: {long}"


def test_only_coders_know_a_models_insides():
    """Pipeline internals are read only under classifier/coders/; everyone else goes through
    the coder contract and its capabilities."""
    insides = ("named_steps", "named_transformers_", "calibrated_classifiers_", ".coef_", "estimators_")
    for path in PACKAGE.rglob("*.py"):
        if "coders" in path.relative_to(PACKAGE).parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not [w for w in insides if w in text], f"{path.name} reads a model's insides"


def test_imports_run_one_way_without_circles():
    """No module imports, directly or through others, a module that imports it back."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {m: {i for i in imported_modules(p) if i in modules and i != m and not m.startswith(i + ".")}
             for m, p in modules.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m, path):
        state[m] = 1
        for n in sorted(graph[m]):
            assert state.get(n) != 1, "import circle: " + " -> ".join([*path, m, n])
            if n not in state:
                visit(n, [*path, m])
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [])
