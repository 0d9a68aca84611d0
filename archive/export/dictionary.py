"""The data dictionary written beside an export: every column's type and meaning."""

from __future__ import annotations

import importlib.metadata
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.columns import describe
from archive.errors import MorgueError
from archive.export.tables import ExportTable

#: How each logical kind is written, per format.
FORMAT_TYPES = {
    "csv": {
        "text": "text",
        "int": "integer as text",
        "timestamp": "ISO-8601 UTC text",
        "list": "JSON array as text",
        "json": "JSON object as text",
    },
    "jsonl": {
        "text": "string",
        "int": "number",
        "timestamp": "ISO-8601 UTC string",
        "list": "array of strings",
        "json": "object",
    },
    "parquet": {
        "text": "string",
        "int": "int64",
        "timestamp": "timestamp[us, tz=UTC]",
        "list": "list<string>",
        "json": "string (JSON text)",
    },
}


def dictionary_path(path: Path) -> Path:
    """``articles.csv`` → ``articles.csv.schema.json`` (beside it; one per exported file)."""
    return path.with_name(f"{path.name}.schema.json")


def build_dictionary(
    spec: ExportTable, fmt: str, rows: int, info: dict[str, Any]
) -> dict[str, Any]:
    try:
        version = importlib.metadata.version("morgue")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "table": spec.name,
        "source_table": spec.source,
        "format": fmt,
        "rows": rows,
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "morgue_version": version,
        **info,
        "columns": [
            {
                "name": name,
                "kind": kind,
                "type": FORMAT_TYPES[fmt][kind],
                "description": describe(spec.source, name),
            }
            for name, kind in spec.columns
        ],
    }


def write_dictionary(
    path: Path, spec: ExportTable, fmt: str, rows: int, info: dict[str, Any]
) -> None:
    data = build_dictionary(spec, fmt, rows, info)
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise MorgueError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
