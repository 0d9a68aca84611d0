"""Descriptions of every table and column, parsed from docs/schema.md.

A source checkout reads docs/schema.md itself; the parsed form also ships
inside the package as ``archive/columns.json`` (docs/ is not installed), so
data dictionaries and the Datasette metadata work from a wheel too. After
editing docs/schema.md, regenerate it:

    python -m archive.columns --write

A test checks that the shipped file matches the docs.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

#: Where the docs are in a source checkout.
SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
SHIPPED = "columns.json"

_HEADING = re.compile(r"^## `(?P<table>[a-z_]+)`\s*$")
_ROW = re.compile(r"^\|\s*`(?P<column>[a-z_0-9]+)`\s*\|(?P<type>[^|]*)\|(?P<meaning>[^|]*)\|")
_CODE = re.compile(r"`([^`]*)`")


def parse_schema_doc(text: str) -> dict[str, Any]:
    """``{table: {"description": str, "columns": {column: {"type", "description"}}}}``.

    A table's description is the first paragraph under its ``## `name` `` heading;
    columns come from the table rows that start with a backquoted name.
    """
    tables: dict[str, Any] = {}
    current: dict[str, Any] | None = None
    paragraph: list[str] = []
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = {"description": "", "columns": {}}
            tables[heading["table"]] = current
            paragraph = []
            continue
        if line.startswith("#"):
            current = None
            continue
        if current is None:
            continue
        row = _ROW.match(line)
        if row:
            current["columns"][row["column"]] = {
                "type": _plain(row["type"]),
                "description": _plain(row["meaning"]),
            }
        elif not current["description"]:
            if line.strip() and not line.startswith("|"):
                paragraph.append(line.strip())
            elif paragraph:
                current["description"] = _plain(" ".join(paragraph))
    return tables


def _plain(text: str) -> str:
    return _CODE.sub(r"\1", text).strip()


@functools.cache
def schema_columns() -> dict[str, Any]:
    """The descriptions (see :func:`parse_schema_doc`): from docs/schema.md in a source
    checkout, so they are always current there, else the copy shipped in the package."""
    if SCHEMA_DOC.is_file():
        return parse_schema_doc(SCHEMA_DOC.read_text(encoding="utf-8"))
    return shipped_columns()


def shipped_columns() -> dict[str, Any]:
    data = resources.files("archive").joinpath(SHIPPED).read_text(encoding="utf-8")
    return dict(json.loads(data))


def describe(table: str, column: str) -> str:
    """One column's description ("" when the docs have none)."""
    info = schema_columns().get(table, {}).get("columns", {}).get(column, {})
    return str(info.get("description", ""))


def main(argv: list[str] | None = None) -> int:
    """``python -m archive.columns [--write]``: print (or write) the parsed docs."""
    args = sys.argv[1:] if argv is None else argv
    parsed = parse_schema_doc(SCHEMA_DOC.read_text(encoding="utf-8"))
    text = json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if "--write" in args:
        Path(__file__).with_name(SHIPPED).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
