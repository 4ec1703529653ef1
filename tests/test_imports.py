"""The package's modules import each other without a cycle, counting imports inside functions too (a cycle
hidden in a function works until someone moves the import to the top), and every pinned dependency is used."""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import bdg_pipeline

PACKAGE = Path(bdg_pipeline.__file__).parent
PROJECT = PACKAGE.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def executed(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that can run when the module is imported or its functions called: not what only a type
    checker reads (``if TYPE_CHECKING:``), nor what runs only when the module is the program itself
    (``if __name__ == "__main__":``, where it is ``__main__``, a module nobody imports)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and re.fullmatch(
            r"(typing\.)?TYPE_CHECKING|__name__ == ['\"]__main__['\"]", ast.unparse(node.test)
        ):
            yield from (n for child in node.orelse for n in [child, *executed(child)])
            continue
        yield node
        yield from executed(node)


def imported(module: str) -> set[str]:
    """The package's modules that ``module`` imports, wherever in it the import stands."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in executed(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:
                    found.add(f"{source}.{alias.name}")
                elif source in MODULES:
                    found.add(source)
    return found - {module}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_imports_inside_functions_and_finds_a_cycle():
    assert "bdg_pipeline.warehouse" in imported("bdg_pipeline.pipeline")
    assert "bdg_pipeline.plans.export" in imported("bdg_pipeline.cli")  # imported inside a command
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_the_package_modules():
    graph = {module: imported(module) for module in MODULES}
    assert cycles(graph) == []


# a pinned distribution whose import name differs from its name
IMPORTED_AS = {
    "great-expectations": "great_expectations",
    "python-calamine": "python_calamine",
    "python-docx": "docx",
    "pyyaml": "yaml",
}
# a pinned distribution used without an import: where it is used
USED_IN = {
    "dagster-webserver": ("Makefile", "dagster dev"),  # make ui
    "dagster-postgres": ("deploy/dagster.yaml", "  postgres:"),  # the production instance's storage
    "psycopg2-binary": ("deploy/dagster.yaml", "postgresql+psycopg2://"),
    "duckdb-engine": ("bdg_pipeline/bench/run.py", "duckdb:///"),  # SQLAlchemy's URL in the naive path
}


def test_every_runtime_dependency_is_used():
    pinned = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [re.split(r"[=<>!~ ]", spec)[0].lower() for spec in pinned]
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    unused = []
    for name in names:
        if name in USED_IN:
            path, text = USED_IN[name]
            used = text in (PROJECT / path).read_text(encoding="utf-8")
        else:
            module = IMPORTED_AS.get(name, name.replace("-", "_"))
            used = re.search(rf"^\s*(import|from) {module}\b", code, re.MULTILINE) is not None
        if not used:
            unused.append(name)
    assert unused == []
