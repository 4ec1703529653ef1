"""The package's own modules a module may run — imported at its top or inside its functions — found by
reading the imports, not by running them: what a digest of “the code that made this” has to cover (the
catalogue's cache is keyed on the code that reads a catalogue, not on every module of the package)."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


NOT_RUN = re.compile(r"(typing\.)?TYPE_CHECKING|__name__ == ['\"]__main__['\"]")
BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")  # where statements hold statements


def executed(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement that can run when the module is imported or its functions called: not what only a type
    checker reads (``if TYPE_CHECKING:``), nor what runs only when the module is the program itself
    (``if __name__ == "__main__":``, where it is ``__main__``, a module nobody imports). Statements only: an
    import is one, and the expressions (nine nodes in ten) need no visit."""
    todo = _inside(tree)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and NOT_RUN.fullmatch(ast.unparse(node.test)):
            todo += node.orelse
            continue
        yield node
        todo += _inside(node)


def _inside(node: ast.AST) -> list[ast.AST]:
    return [child for block in BLOCKS for child in getattr(node, block, ())]


def imported(module: str) -> set[str]:
    """The package's modules that ``module`` imports, wherever in it the import stands."""
    path = modules()[module]
    stat = path.stat()
    return set(_imported(module, path, (stat.st_mtime_ns, stat.st_size, stat.st_ino)))


@functools.lru_cache(maxsize=1024)
def _imported(module: str, path: Path, stamp: tuple[int, int, int]) -> frozenset[str]:
    """What :func:`imported` finds, parsed once per version of the file (its time, size and inode stamp it):
    every run works out the catalogue's cache key, and parsing the modules' trees each time cost more than
    reading the catalogue's cache."""
    known = modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in executed(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    found.add(f"{source}.{alias.name}")
                elif source in known:
                    found.add(source)
    return frozenset(found - {module})


def closure(module: str) -> list[Path]:
    """The files of ``module`` and of every module of the package it may run, with the ``__init__`` of
    each package on the way (importing a module runs them)."""
    known = modules()
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in known]
        todo += sorted(imported(name))
    return sorted(known[name] for name in seen)
