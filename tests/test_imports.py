"""The package's modules import each other without a cycle, counting imports inside functions too (a cycle
hidden in a function works until someone moves the import to the top), and every pinned dependency is used."""

from __future__ import annotations

import re
import tomllib

from bdg_pipeline.code_closure import PACKAGE, closure, imported, modules

PROJECT = PACKAGE.parent
MODULES = modules()


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


def test_the_code_a_module_may_run_follows_its_imports_and_packages():
    files = {p.relative_to(PACKAGE).as_posix() for p in closure("bdg_pipeline.catalogue")}
    assert {"catalogue.py", "schemas.py", "areas.py", "__init__.py"} <= files
    assert not {"pipeline.py", "cli.py", "returns/template_read.py"} & files
    assert "returns/__init__.py" in {p.relative_to(PACKAGE).as_posix() for p in closure("bdg_pipeline.returns.model")}


def test_a_module_edited_is_read_again_for_the_closure(tmp_path, monkeypatch):
    import shutil

    from bdg_pipeline import code_closure

    package = shutil.copytree(PACKAGE, tmp_path / "bdg_pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code_closure, "PACKAGE", package)
    monkeypatch.setattr(code_closure, "modules", code_closure.modules.__wrapped__)
    before = {p.name for p in code_closure.closure("bdg_pipeline.catalogue")}
    assert "pipeline.py" not in before and code_closure.closure("bdg_pipeline.catalogue")  # asked twice: kept
    with (package / "areas.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef later():\n    from . import pipeline\n\n    return pipeline\n")
    after = {p.name for p in code_closure.closure("bdg_pipeline.catalogue")}
    assert after - before >= {"pipeline.py", "warehouse.py"}


def test_a_new_process_takes_the_imports_from_the_cache_file_unless_the_module_changed(tmp_path, monkeypatch):
    import json
    import shutil

    from bdg_pipeline import code_closure

    package = shutil.copytree(PACKAGE, tmp_path / "bdg_pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code_closure, "PACKAGE", package)
    monkeypatch.setattr(code_closure, "modules", code_closure.modules.__wrapped__)
    monkeypatch.setattr(code_closure, "CACHE_DIR", tmp_path / "cache")
    parsed: list[str] = []
    parse = code_closure._parse_imports
    monkeypatch.setattr(code_closure, "_parse_imports", lambda m, p: parsed.append(m) or parse(m, p))

    def new_process() -> set[str]:
        monkeypatch.setattr(code_closure, "_KEPT", None)
        code_closure._imported.cache_clear()
        parsed.clear()
        return {p.name for p in code_closure.closure("bdg_pipeline.catalogue")}

    first = new_process()
    assert "bdg_pipeline.catalogue" in parsed and "pipeline.py" not in first
    (cache,) = (tmp_path / "cache").glob("imports-*.json")
    assert new_process() == first and parsed == []  # every module's imports from the file
    with (package / "areas.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef later():\n    from . import pipeline\n\n    return pipeline\n")
    after = new_process()
    assert parsed == ["bdg_pipeline.areas", *parsed[1:]] and after - first >= {"pipeline.py", "warehouse.py"}
    for damaged in ("{not json", json.dumps({str(package / "areas.py"): "x"}), "[]"):
        cache.write_text(damaged, encoding="utf-8")
        assert new_process() == after and "bdg_pipeline.areas" in parsed  # read again, the file rewritten
        assert json.loads(cache.read_text(encoding="utf-8"))[str(package / "areas.py")][1]


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
