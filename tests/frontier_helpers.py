"""Running crawl workers on one Redis frontier, and comparing archives row for row."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from crawl_helpers import start_crawl

#: Politeness delays off (the site is ours, on 127.0.0.1) and every depth followed.
FAST = ("DEPTH_LIMIT=0", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO")

#: Columns that differ between two crawls of the same site: when, and in which run.
VOLATILE = {"run_id", "fetched_at", "first_seen_at", "last_seen_at", "captured_at", "computed_at"}


def worker(
    seed: str,
    shard: Path,
    *,
    redis_url: str,
    job: str,
    seeds: bool = True,
    settings: tuple[str, ...] = (),
) -> subprocess.Popen[str]:
    """One ``scrapy crawl articles`` worker on the shared frontier, warnings as errors."""
    frontier = {
        "MORGUE_FRONTIER": redis_url,
        "MORGUE_JOB_ID": job,
        "MORGUE_FRONTIER_SEED": str(seeds),
    }
    fast, extra = (dict(item.split("=", 1) for item in group) for group in (FAST, settings))
    with shard.with_suffix(".log").open("w") as log:  # the child keeps its own descriptor
        return start_crawl(
            "-a",
            f"start_urls={seed}",
            archive=shard,
            settings={**fast, **frontier, **extra},
            extra_env={"PYTHONWARNINGS": "error"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def comparable(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but ``runs``, sorted, without timestamps and run IDs. Capture IDs
    (derived from the fetch time) become the capture's URL; headers lose ``Date``."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        captures = dict(conn.execute("SELECT id, url FROM captures").fetchall())
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                "'sqlite_%' AND name NOT LIKE 'articles_fts%' AND name != 'runs'"
            )
        ]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            kept = [
                tuple(
                    _stable(table, name, value, captures)
                    for name, value in zip(names, row, strict=True)
                    if name not in VOLATILE
                )
                for row in cursor
            ]
            out[table] = sorted(kept, key=repr)
        return out
    finally:
        conn.close()


def _stable(table: str, name: str, value: Any, captures: dict[str, str]) -> Any:
    if name == "capture_id" or (table == "captures" and name == "id"):
        return captures.get(value, value)
    if table == "captures" and name == "headers":
        headers = json.loads(value)
        headers.pop("date", None)
        return json.dumps(headers, sort_keys=True)
    return value
