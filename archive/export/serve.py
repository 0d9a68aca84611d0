"""``morgue serve``: the archive in Datasette, with morgue's metadata.

The metadata gives every table and column its title and description from
docs/schema.md (shipped as :mod:`archive.columns`), search over
``articles_fts``, facets on site, section and authors, and canned queries.
Datasette is an optional extra: ``pip install 'morgue[web]'``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click

from archive.columns import schema_columns
from archive.errors import MorgueError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001

TITLES = {
    "articles": "Articles",
    "blocks": "Body blocks",
    "links": "Links",
    "captures": "Captures (raw responses)",
    "runs": "Crawl runs",
    "aliases": "URL aliases",
    "versions": "Article versions",
    "near_dups": "Near-duplicate index",
}

QUERIES: dict[str, dict[str, str]] = {
    "latest_articles": {
        "title": "Latest articles",
        "description": "The 100 most recently published articles.",
        "sql": (
            "SELECT id, title, site, section, authors, published_at, url FROM articles "
            "ORDER BY published_at DESC, first_seen_at DESC LIMIT 100"
        ),
    },
    "duplicate_clusters": {
        "title": "Duplicate clusters",
        "description": "Stories archived more than once: near copies share a cluster_id; "
        "exact copies name their original in duplicate_of.",
        "sql": (
            "SELECT cluster_id, count(*) AS articles, "
            "sum(duplicate_of IS NOT NULL) AS exact_copies, "
            "group_concat(DISTINCT site) AS sites, "
            "(SELECT title FROM articles c WHERE c.id = articles.cluster_id) AS title "
            "FROM articles WHERE cluster_id IS NOT NULL GROUP BY cluster_id "
            "HAVING count(*) > 1 ORDER BY articles DESC, cluster_id LIMIT 200"
        ),
    },
    "most_linked_related": {
        "title": "Most-linked related posts",
        "description": "The pages most often shown as related posts, archived or not.",
        "sql": (
            "SELECT l.target_url, l.target_id, coalesce(a.title, max(l.title), max(l.anchor_text)) "
            "AS title, a.site, count(*) AS links_in, "
            "count(DISTINCT l.source_id) AS linking_articles "
            "FROM links l LEFT JOIN articles a ON a.id = l.target_id WHERE l.kind = 'related' "
            "GROUP BY l.target_url ORDER BY links_in DESC, l.target_url LIMIT 100"
        ),
    },
    "changed_articles": {
        "title": "Articles changed since their first capture",
        "description": "Articles whose title or body changed after they were first archived "
        "(more than one version), most recently changed first.",
        "sql": (
            "SELECT a.id, a.title, a.site, a.version AS versions, first.title AS first_title, "
            "first.captured_at AS first_captured_at, latest.captured_at AS changed_at "
            "FROM articles a "
            "JOIN versions first ON first.article_id = a.id AND first.version = 1 "
            "JOIN versions latest ON latest.article_id = a.id AND latest.version = a.version "
            "WHERE a.version > 1 ORDER BY changed_at DESC"
        ),
    },
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under the name ``database`` (its file stem)."""
    docs = schema_columns()
    tables: dict[str, Any] = {}
    for table in sorted(set(TITLES) | set(docs) - {"articles_fts"}):
        info = docs.get(table, {})
        title = TITLES.get(table, table.replace("_", " ").capitalize())
        tables[table] = {
            "title": title,
            "description": info.get("description", ""),
            "columns": {
                name: column["description"] for name, column in info.get("columns", {}).items()
            },
        }
    tables["articles"].update(
        {
            "fts_table": "articles_fts",
            "fts_pk": "rowid",
            "facets": ["site", "section", {"array": "authors"}],
            "label_column": "title",
        }
    )
    tables["articles_fts"] = {"hidden": True}
    return {
        "title": "morgue archive",
        "description": "Articles crawled by morgue: search them, facet them, follow their links.",
        "databases": {
            database: {
                "description": "A morgue archive (schema documented in docs/schema.md).",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }


def datasette_available() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True


def arguments(
    db: Path,
    metadata_file: Path,
    host: str,
    port: int,
    extra: list[str],
    *,
    immutable: bool = False,
) -> list[str]:
    """The ``datasette`` arguments morgue runs (in this process). ``immutable``: the
    file is opened with ``-i`` (SQLite ``immutable=1``: a read-only mount or folder)."""
    return [
        "serve",
        *(["-i"] if immutable else []),
        str(db),
        "--metadata",
        str(metadata_file),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
        *extra,
    ]


def serve(db: str, *, host: str, port: int, extra: list[str], immutable: bool = False) -> int:
    """Run Datasette on the archive, in this process, until it stops; returns its exit code.
    ``immutable`` opens the file as SQLite's ``immutable=1`` (a read-only mount)."""
    path = Path(db)
    if not datasette_available():
        raise UsageError("morgue serve needs Datasette: pip install 'morgue[web]'.")
    from datasette.cli import cli as datasette_cli

    with tempfile.TemporaryDirectory(prefix="morgue-serve-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata(path.stem), indent=2), encoding="utf-8")
        args = arguments(path, metadata_file, host, port, extra, immutable=immutable)
        try:
            datasette_cli.main(args=args, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            return 0
        except click.ClickException as exc:
            raise UsageError(f"Datasette: {exc.format_message()}") from exc
        except OSError as exc:
            raise MorgueError(f"Cannot start Datasette: {exc.strerror or exc}.") from exc
    return 0
