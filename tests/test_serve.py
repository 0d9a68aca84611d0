"""morgue serve: Datasette with morgue's metadata, the archive in unmodified tools, and a
browser test: headless Chromium searches the served archive and sees the result row."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from browser import browser
from click.testing import CliRunner, Result
from processes import stop_process
from research_archive import A, B, C, build

from archive import Archive, columns
from archive.cli import cli
from archive.export import serve

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- the metadata ----------------------------------------------------------------------------


def test_shipped_column_docs_match_docs_schema_md() -> None:
    """archive/columns.json is docs/schema.md parsed: regenerate with
    `python -m archive.columns --write` after editing the docs."""
    parsed = columns.parse_schema_doc((REPO / "docs" / "schema.md").read_text(encoding="utf-8"))
    assert columns.shipped_columns() == parsed


def test_metadata_has_titles_descriptions_search_facets_and_queries() -> None:
    meta = serve.metadata("archive")
    tables = meta["databases"]["archive"]["tables"]
    articles = tables["articles"]
    assert articles["title"] == "Articles"
    assert articles["description"].startswith("One row per article")
    assert articles["columns"]["canonical_url"].startswith("rel=canonical")
    assert articles["fts_table"] == "articles_fts"
    assert articles["facets"] == ["site", "section", {"array": "authors"}]
    for table in ("blocks", "links", "captures", "runs", "aliases", "versions"):
        assert tables[table]["title"] and tables[table]["description"], table
        assert all(tables[table]["columns"].values()), table
    queries = meta["databases"]["archive"]["queries"]
    assert set(queries) == {
        "latest_articles",
        "duplicate_clusters",
        "most_linked_related",
        "changed_articles",
    }


def test_canned_queries_answer_on_an_archive(db: str) -> None:
    queries = serve.QUERIES
    with Archive(db, readonly=True) as archive:
        latest = archive.query(queries["latest_articles"]["sql"])
        clusters = archive.query(queries["duplicate_clusters"]["sql"])
        linked = archive.query(queries["most_linked_related"]["sql"])
        changed = archive.query(queries["changed_articles"]["sql"])
    assert [row["id"] for row in latest[:3]] == [C.id, B.id, A.id]  # newest first
    assert clusters == [
        {
            "cluster_id": A.id,
            "articles": 2,
            "exact_copies": 1,
            "sites": clusters[0]["sites"],
            "title": "Prison scandal at Dannemora",
        }
    ]
    assert set(clusters[0]["sites"].split(",")) == {"coastline.example", "other.example"}
    assert linked[0]["target_id"] == A.id and linked[0]["links_in"] == 2
    assert any(row["target_id"] is None for row in linked)  # a page not archived counts too
    assert [(row["id"], row["versions"]) for row in changed] == [(B.id, 2)]
    assert changed[0]["first_title"] == "Harbour boats return"


def test_metadata_out_and_errors(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "metadata.json"
    result = run("serve", "--db", db, "--metadata-out", str(out))
    assert result.exit_code == 0, result.output
    assert "archive" in json.loads(out.read_text())["databases"]
    missing = run("serve", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1 and "Error: No archive at" in missing.stderr
    monkeypatch.setattr(serve, "datasette_available", lambda: False)
    no_web = run("serve", "--db", db)
    assert no_web.exit_code == 2 and "morgue[web]" in no_web.stderr


# -- unmodified tools see the archive and its FTS table -----------------------------------------


def test_sqlite_utils_sees_the_fts_table(db: str) -> None:
    database = sqlite_utils.Database(db)
    assert database["articles"].detect_fts() == "articles_fts"
    hits = list(database["articles"].search("dannemora", columns=["id"]))
    assert {hit["id"] for hit in hits} == {A.id, C.id}
    cli_search = subprocess.run(
        [
            str(Path(sys.executable).parent / "sqlite-utils"),
            "search",
            db,
            "articles",
            "harbour",
            "-c",
            "id",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [row["id"] for row in json.loads(cli_search.stdout)] == [B.id]


def test_datasette_unmodified_sees_the_fts_table(db: str) -> None:
    from datasette.app import Datasette

    async def check() -> tuple[Any, Any, Any]:
        datasette = Datasette([db])  # no metadata: Datasette finds the index by itself
        await datasette.invoke_startup()
        fts = await datasette.get_database("archive").fts_table("articles")
        found = await datasette.client.get("/archive/articles.json?_search=dannemora&_shape=array")
        ours = Datasette([db], metadata=serve.metadata("archive"))
        await ours.invoke_startup()
        faceted = await ours.client.get("/archive/articles.json?_facet=site")
        return fts, found.json(), faceted.json()

    fts, found, faceted = asyncio.run(check())
    assert fts == "articles_fts"
    assert {row["id"] for row in found} == {A.id, C.id}
    assert {f["value"] for f in faceted["facet_results"]["site"]["results"]} == {
        "coastline.example",
        "other.example",
    }


# -- the browser test -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(db: str, tmp_path: Path) -> Iterator[str]:
    """``morgue serve`` on a free 127.0.0.1 port, in a subprocess; yields its base URL."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "serve", "--db", db, "--port", str(port)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    pytest.fail(
                        "morgue serve did not start:\n" + (tmp_path / "serve.log").read_text()
                    )
                time.sleep(0.2)
        yield base
    finally:
        stop_process(process)
        log.close()


def test_browser_searches_the_archive_in_datasette(served: str, tmp_path: Path) -> None:
    with browser(tmp_path / "profile") as page:
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=2200,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.send("Page.navigate", url=served + "/archive/articles")
        page.wait_for("document.readyState === 'complete' && !!document.querySelector('#_search')")
        title = page.evaluate("document.querySelector('h1').innerText")
        assert "Articles" in title  # morgue's table title, from the metadata
        page.evaluate(
            "(() => { const box = document.querySelector('#_search');"
            " box.value = 'Dannemora'; box.form.submit(); return true; })()"
        )
        page.wait_for(
            "location.search.includes('_search=Dannemora') && document.readyState === 'complete'"
            " && document.querySelectorAll('table.rows-and-columns tbody tr').length > 0"
        )
        rows = page.evaluate(
            "Array.from(document.querySelectorAll('table.rows-and-columns tbody tr'))"
            ".map(tr => tr.innerText)"
        )
        shot = page.send("Page.captureScreenshot", format="png")
    assert len(rows) == 2, rows
    assert any(A.id in row and "Prison scandal at Dannemora" in row for row in rows), rows
    assert any(C.id in row for row in rows)
    assert not any("Harbour" in row for row in rows)
    import base64

    png = tmp_path / "search-dannemora.png"
    png.write_bytes(base64.b64decode(shot["data"]))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_serve_passes_host_port_and_extra_arguments(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_serve(
        path: str, *, host: str, port: int, extra: list[str], immutable: bool = False
    ) -> int:
        calls.append({"path": path, "host": host, "port": port, "extra": extra})
        assert not immutable  # a writable folder: Datasette opens it as usual
        return 0

    monkeypatch.setattr(serve, "serve", fake_serve)
    result = run("serve", "--db", db, "--port", "9123", "--", "--setting", "default_page_size", "5")
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "path": db,
            "host": "127.0.0.1",
            "port": 9123,
            "extra": ["--setting", "default_page_size", "5"],
        }
    ]
    args = serve.arguments(Path(db), Path("m.json"), "127.0.0.1", 9123, ["--x"])
    assert args[:2] == ["serve", db] and args[-1] == "--x"
    assert args[args.index("--host") + 1] == "127.0.0.1"
