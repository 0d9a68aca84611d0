"""Rewrite one marked section of docs/benchmarks.md; every bench script writes its table here.

A section is ``<!-- KEY:begin -->``, a heading, a blank line, the body, ``<!-- KEY:end -->``.
Everything outside the markers is kept; a document without the section gets it appended.
This module imports nothing from the project (bench/archive.py shadows the ``archive``
package for scripts run from bench/, so bench/ sits after the project on their sys.path).
"""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(text: str, key: str, section: str) -> str:
    """``text`` with its KEY section replaced by ``section`` (markers included), or appended."""
    begin, end = markers(key)
    start = text.find(begin)
    stop = text.find(end, start + len(begin)) if start >= 0 else -1
    if start < 0 and end not in text:
        return text.rstrip("\n") + "\n\n" + section + "\n"
    if start < 0 or stop < 0:
        raise ValueError(f"benchmarks document: {begin} and {end} must both appear, in that order")
    return text[:start] + section + text[stop + len(end) :]


def markers(key: str) -> tuple[str, str]:
    return f"<!-- {key}:begin -->", f"<!-- {key}:end -->"


def write_section(key: str, heading: str, body: str, doc: Path | None = None) -> None:
    """Put ``heading`` and ``body`` between KEY's markers in ``doc`` (docs/benchmarks.md)."""
    doc = doc or BENCHMARKS_MD
    begin, end = markers(key)
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    text = replace_section(text, key, f"{begin}\n{heading}\n\n{body}\n{end}")
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
