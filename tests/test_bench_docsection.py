"""bench/_docsection.py: the one writer of docs/benchmarks.md's marked sections."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "bench_docsection", Path(__file__).resolve().parents[1] / "bench" / "_docsection.py"
)
assert _SPEC is not None and _SPEC.loader is not None
docsection = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(docsection)


def test_rewrites_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\n<!-- a:begin -->\n## A\n\nold a\n<!-- a:end -->\n\n"
        "<!-- b:begin -->\n## B\n\nold b\n<!-- b:end -->\ntail\n",
        encoding="utf-8",
    )
    docsection.write_section("a", "## A", "new a\n| x |", doc)
    text = doc.read_text(encoding="utf-8")
    assert "<!-- a:begin -->\n## A\n\nnew a\n| x |\n<!-- a:end -->\n\n<!-- b:begin -->" in text
    assert "old a" not in text
    assert "old b" in text and text.endswith("<!-- b:end -->\ntail\n")
    docsection.write_section("a", "## A", "new a\n| x |", doc)
    assert doc.read_text(encoding="utf-8") == text  # a rerun with the same table is a no-op


def test_appends_a_missing_section_and_creates_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "benchmarks.md"
    docsection.write_section("c", "## C", "body", doc)
    assert doc.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n<!-- c:begin -->\n## C\n\nbody\n<!-- c:end -->\n"
    )
    docsection.write_section("d", "## D", "more", doc)
    assert doc.read_text(encoding="utf-8").endswith(
        "<!-- c:end -->\n\n<!-- d:begin -->\n## D\n\nmore\n<!-- d:end -->\n"
    )


@pytest.mark.parametrize(
    "text",
    ["x <!-- k:begin --> y", "x <!-- k:end --> y", "<!-- k:end --> then <!-- k:begin -->"],
)
def test_a_half_marked_section_is_an_error_not_a_second_copy(tmp_path: Path, text: str) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="k:begin"):
        docsection.write_section("k", "## K", "body", doc)
    assert doc.read_text(encoding="utf-8") == text
