"""Imports go only downward (issue 17): the layer contract over morgue's import graph.

From the top down:

0. the CLI (``archive.cli``);
1. the crawler (``crawler``);
2. the pipeline stages (``pipelines``: extract, stitch, dedup, store, the per-crawl
   archive registry, reprocess);
3. storage (``archive``: the only SQL);
4. pure code: no I/O, no Scrapy (``pipelines.core``, ``pipelines.extraction``,
   ``pipelines.neardup``).

A module may import from its own layer or any layer below it, never above. Every
import counts: at module level, inside a function, or under ``TYPE_CHECKING``.
``make lint`` runs this file as a script (``python tests/test_layers.py``); the suite
runs it as tests too, beside a deliberate breach that must be caught.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "pipelines", "archive")

#: (prefix, layer number, name); the longest matching prefix decides.
LAYERS: tuple[tuple[str, int, str], ...] = (
    ("archive.cli", 0, "cli"),
    ("crawler", 1, "crawler"),
    ("pipelines", 2, "pipeline stages"),
    ("archive", 3, "storage"),
    ("pipelines.core", 4, "pure"),
    ("pipelines.extraction", 4, "pure"),
    ("pipelines.neardup", 4, "pure"),
)

#: What the pure layer may not import at all: Scrapy, Twisted, and the database.
PURE_FORBIDDEN = ("scrapy", "twisted", "sqlite3", "sqlite_utils", "itemadapter")


def layer_of(module: str) -> tuple[int, str] | None:
    """The layer of one of morgue's modules, None for anything else (stdlib, third party)."""
    best: tuple[str, int, str] | None = None
    for prefix, number, name in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, number, name)
    return None if best is None else (best[1], best[2])


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from archive import cli` names a module too
                yield node.lineno, f"{target}.{alias.name}"


def breaches(source: str, module: str, is_package: bool = False) -> list[str]:
    """What in ``source`` (the text of ``module``) breaks the layer contract."""
    own = layer_of(module)
    if own is None:
        return []
    found: list[str] = []
    lines: set[int] = set()
    for line, target in imported_modules(source, module, is_package):
        if line in lines:
            continue  # one breach a statement is enough
        if own[0] == 4 and target.split(".")[0] in PURE_FORBIDDEN:
            found.append(f"{module}:{line} imports {target}: the pure layer does no I/O")
            lines.add(line)
            continue
        theirs = layer_of(target)
        if theirs is None or theirs[0] >= own[0]:
            continue
        if target.startswith(module + ".") or module.startswith(target + "."):
            continue  # a package and its own submodules
        found.append(
            f"{module}:{line} ({own[1]}) imports {target} ({theirs[1]}): imports go only downward"
        )
        lines.add(line)
    return sorted(set(found))


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "site" in path.relative_to(REPO).parts:  # crawler/demo/site: pages, not code
                continue
            yield path


def all_breaches() -> list[str]:
    found: list[str] = []
    for path in source_files():
        found.extend(
            breaches(path.read_text("utf-8"), module_name(path), path.name == "__init__.py")
        )
    return found


def test_no_module_imports_upward() -> None:
    assert all_breaches() == []


def test_every_package_of_the_project_is_checked() -> None:
    """A new top-level package would escape the contract: every folder with an
    ``__init__.py`` at the top must be one of PACKAGES, and each has modules checked."""
    on_disk = sorted(p.parent.name for p in REPO.glob("*/__init__.py"))
    assert on_disk == sorted(PACKAGES)
    checked = {module_name(p).split(".")[0] for p in source_files()}
    assert checked == set(PACKAGES)


@pytest.mark.parametrize(
    ("module", "source", "caught"),
    [
        # a deliberate breach of each kind: storage reaching up into a pipeline stage ...
        ("archive.reads", "from pipelines.store import StorePipeline\n", True),
        # ... deferred into a function, where the old cycle hid
        ("archive.merge", "def f():\n    from pipelines.dedup import x\n", True),
        ("archive.reads", "from pipelines import dedup\n", True),
        ("pipelines.store", "import crawler.items\n", True),
        ("crawler.workers", "from archive.cli import main\n", True),
        ("pipelines.core.article", "from archive.errors import MorgueError\n", True),
        ("pipelines.extraction.body", "from scrapy.http import HtmlResponse\n", True),
        ("pipelines.neardup.index", "import sqlite3\n", True),
        ("pipelines.extraction.body", "from . import clean\n", False),
        ("pipelines.extraction.body", "from ..dedup import x\n", True),
        # and what is allowed: downward, sideways, third party
        ("archive.cli.read", "from crawler.runner import run_crawl\n", False),
        ("crawler.workers", "from archive import Archive\n", False),
        ("pipelines.store", "from archive.errors import ArchiveError\n", False),
        ("archive.reads", "from pipelines.core.article import Article\n", False),
        ("archive.reads", "import sqlite3\nimport click\n", False),
        ("pipelines.extraction.body", "from pipelines.core.sanitize import x\n", False),
    ],
)
def test_breach_is_caught(module: str, source: str, caught: bool) -> None:
    assert bool(breaches(source, module)) is caught


def main() -> int:
    found = all_breaches()
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"{len(found)} upward import(s): see tests/test_layers.py", file=sys.stderr)
        return 1
    print(f"layers: {sum(1 for _ in source_files())} modules, no upward import")
    return 0


if __name__ == "__main__":
    sys.exit(main())
