"""archive.Archive: batched writes, link resolution, FTS, reads, capture bodies and export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive, CrawlArchive
from archive.errors import NotFoundError, QueryError, ReadOnlyError, UsageError
from archive.export import export_articles, export_to_path
from archive.schema import ARTICLE_COLUMNS
from pipelines.core.article import Article, Block, RelatedLink
from pipelines.core.records import BatchResult, Capture, PageWrite

SITE = "coastline.example"


def url(slug: str) -> str:
    return f"https://{SITE}/{slug}/"


def make_article(slug: str, *, body: str | None = None, related: tuple[str, ...] = ()) -> Article:
    text = body if body is not None else f"The {slug} story tells of lighthouse keepers."
    return Article(
        url=url(slug) + "?utm_source=feed",
        canonical_url=url(slug),
        site=SITE,
        title=f"Story {slug}",
        authors=["Ann Reporter", "Bo Writer"],
        published_at="2025-03-01T08:00:00Z",
        published_raw="March 1, 2025",
        language="en",
        site_name="Coastline",
        section="Local",
        tags=["sea", "lights"],
        description=f"About {slug}",
        body_text=text,
        body_html=f"<p>{text}</p>",
        blocks=[
            Block("heading", f"Heading of {slug}", level=2),
            Block("paragraph", text),
            Block("list_item", "one point", level=0),
            Block("image", "", src=f"https://{SITE}/{slug}.jpg", alt="alt", caption="cap"),
        ],
        related=[
            RelatedLink(url(r), title=f"Story {r}", anchor_text=f"Story {r}…See More", teaser="t")
            for r in related
        ],
        next_page_url=url(slug) + "2/",
        field_sources={"title": "json-ld", "published_at": "meta"},
    )


def make_capture(
    target: str, fetched_at: str = "2025-03-03T10:00:00Z", *, status: int = 200, **kw: object
) -> Capture:
    body = kw.pop("body", f"<html><body>{target}</body></html>".encode())
    return Capture(
        url=target,
        final_url=target,
        status=status,
        fetched_at=fetched_at,
        run_id="run-1",
        headers={"content-type": "text/html; charset=utf-8"},
        body=body,  # type: ignore[arg-type]
        content_type="text/html; charset=utf-8",
        **kw,  # type: ignore[arg-type]
    )


def new(article: Article, fetched_at: str = "2025-03-03T10:00:00Z") -> PageWrite:
    return PageWrite(make_capture(article.url, fetched_at), article, "new")


def seen(article: Article, fetched_at: str) -> PageWrite:
    return PageWrite(make_capture(article.url, fetched_at), article, "seen")


@pytest.fixture
def archive() -> Iterator[Archive]:
    with CrawlArchive(":memory:") as arch:
        yield arch


def count(archive: Archive, table: str) -> int:
    return int(archive.query(f"SELECT count(*) AS n FROM {table}")[0]["n"])


# -- save_batch --------------------------------------------------------------------------


def test_new_article_writes_article_blocks_links_and_capture(archive: Archive) -> None:
    article = make_article("alpha", related=("beta", "gamma"))
    write = new(article)
    result = archive.save_batch([write])
    assert result == BatchResult(captures=1, articles_new=1, links=4)  # 2 related, next, canonical

    row = archive.get_article(article.id)
    assert row["first_seen_at"] == row["last_seen_at"] == "2025-03-03T10:00:00Z"
    assert row["run_id"] == "run-1"
    assert row["capture_id"] == write.capture.id
    assert row["authors"] == ["Ann Reporter", "Bo Writer"]
    assert row["tags"] == ["sea", "lights"]
    assert row["field_sources"] == {"title": "json-ld", "published_at": "meta"}
    assert row["word_count"] == article.word_count
    assert row["content_hash"] == article.content_hash
    assert row["modified_raw"] is None
    assert [(b["position"], b["kind"]) for b in row["blocks"]] == [
        (0, "heading"),
        (1, "paragraph"),
        (2, "list_item"),
        (3, "image"),
    ]
    assert row["blocks"][3]["src"].endswith("alpha.jpg")
    kinds = [(link["kind"], link["position"], link["target_url"]) for link in row["links_out"]]
    assert kinds == [
        ("canonical", 0, url("alpha")),
        ("next_page", 0, url("alpha") + "2/"),
        ("related", 0, url("beta")),
        ("related", 1, url("gamma")),
    ]
    assert row["links_out"][2]["anchor_text"] == "Story beta…See More"
    assert [c["id"] for c in row["captures"]] == [write.capture.id]
    stored = archive.query("SELECT article_id, compression, body_size FROM captures")
    size = len(write.capture.body)
    assert stored == [{"article_id": article.id, "compression": "zlib", "body_size": size}]


def test_seen_moves_last_seen_only_forward_and_adds_no_article_row(archive: Archive) -> None:
    article = make_article("alpha", related=("beta",))
    archive.save_batch([new(article, "2025-03-03T10:00:00Z")])
    edited = make_article("alpha", body="A completely different body.")
    result = archive.save_batch(
        [seen(edited, "2025-03-05T10:00:00Z"), seen(edited, "2025-03-04T10:00:00Z")]
    )
    assert result == BatchResult(captures=2, articles_seen=2)
    assert count(archive, "articles") == 1
    row = archive.get_article(article.id)
    assert row["last_seen_at"] == "2025-03-05T10:00:00Z"  # max, not the last written
    assert row["first_seen_at"] == "2025-03-03T10:00:00Z"
    assert row["body_text"] == article.body_text  # "seen" changes nothing else
    assert len(row["captures"]) == 3
    assert count(archive, "links") == 3


def test_a_mislabelled_new_duplicate_never_makes_a_second_row(archive: Archive) -> None:
    article = make_article("alpha")
    archive.save_batch([new(article, "2025-03-03T10:00:00Z")])
    result = archive.save_batch(
        [new(article, "2025-03-06T10:00:00Z"), new(article, "2025-03-07T10:00:00Z")]
    )
    assert result.articles_new == 0
    assert result.articles_seen == 2
    assert count(archive, "articles") == 1
    assert count(archive, "blocks") == 4
    assert archive.get_article(article.id)["last_seen_at"] == "2025-03-07T10:00:00Z"


def test_seen_for_an_unarchived_article_inserts_it_rather_than_dropping_it(
    archive: Archive,
) -> None:
    article = make_article("alpha")
    result = archive.save_batch([seen(article, "2025-03-03T10:00:00Z")])
    assert result.articles_new == 1
    assert archive.known_article_ids([article.id, "0000000000000000"]) == {article.id}


def test_failed_captures_are_recorded_without_articles(archive: Archive) -> None:
    failed = make_capture(url("gone"), status=0, body=b"", error="TimeoutError: took too long")
    gone = make_capture(url("old"), status=410, body=b"<h1>Gone</h1>", error="HTTP 410")
    result = archive.save_batch([PageWrite(failed), PageWrite(gone)])
    assert result == BatchResult(captures=2)
    assert count(archive, "articles") == 0
    rows = archive.query(
        "SELECT status, error, body, body_size, compression FROM captures ORDER BY status"
    )
    assert rows[0] == {
        "status": 0,
        "error": "TimeoutError: took too long",
        "body": None,
        "body_size": 0,
        "compression": None,
    }
    assert rows[1]["status"] == 410 and rows[1]["error"] == "HTTP 410"
    assert archive.capture_body(failed.id) == b""
    assert archive.capture_body(gone.id) == b"<h1>Gone</h1>"
    assert {r["status"]: r["captures"] for r in archive.stats()["captures_by_status"]} == {
        0: 1,
        410: 1,
    }


def test_the_same_capture_twice_is_stored_once(archive: Archive) -> None:
    write = new(make_article("alpha"))
    archive.save_batch([write])
    result = archive.save_batch([write])
    assert result.captures == 0
    assert count(archive, "captures") == 1


def test_a_failing_batch_rolls_back_entirely(archive: Archive) -> None:
    good = new(make_article("alpha"))
    broken = new(make_article("beta"))
    broken.capture.status = None  # type: ignore[assignment]  # NOT NULL violation mid-batch
    with pytest.raises(sqlite3.IntegrityError):
        archive.save_batch([good, broken])
    assert count(archive, "articles") == 0
    assert count(archive, "captures") == 0
    assert count(archive, "blocks") == 0
    assert archive.search("lighthouse") == []
    archive.save_batch([good])  # the connection is usable afterwards
    assert count(archive, "articles") == 1


def test_bad_write_actions_are_refused_before_writing(archive: Archive) -> None:
    with pytest.raises(UsageError, match="Unknown PageWrite action"):
        archive.save_batch([PageWrite(make_capture(url("a")), None, "update")])
    with pytest.raises(UsageError, match="without an article"):
        archive.save_batch([PageWrite(make_capture(url("a")), None, "new")])
    assert count(archive, "captures") == 0


# -- link resolution -----------------------------------------------------------------------


def targets(archive: Archive, source: Article) -> dict[str, str | None]:
    rows = archive.query(
        "SELECT target_url, target_id FROM links WHERE source_id = ? AND kind = 'related'",
        (source.id,),
    )
    return {r["target_url"]: r["target_id"] for r in rows}


def test_links_resolve_from_new_links_to_archived_articles(archive: Archive) -> None:
    beta = make_article("beta")
    archive.save_batch([new(beta)])
    alpha = make_article("alpha", related=("beta", "gamma"))
    archive.save_batch([new(alpha)])
    assert targets(archive, alpha) == {url("beta"): beta.id, url("gamma"): None}


def test_links_resolve_from_archived_links_to_new_articles(archive: Archive) -> None:
    alpha = make_article("alpha", related=("beta", "gamma"))
    archive.save_batch([new(alpha)])
    assert targets(archive, alpha) == {url("beta"): None, url("gamma"): None}
    gamma = make_article("gamma")
    result = archive.save_batch([new(gamma)])
    assert result.links_resolved == 1
    assert targets(archive, alpha) == {url("beta"): None, url("gamma"): gamma.id}
    linked_from = archive.get_article(gamma.id)["links_in"]
    assert [(link["source_id"], link["source_title"]) for link in linked_from] == [
        (alpha.id, "Story alpha")
    ]
    assert archive.get_article(alpha.id)["links_in"] == []  # its own canonical link is no "in"


def test_links_resolve_within_one_batch_and_by_plain_url(archive: Archive) -> None:
    alpha = make_article("alpha", related=("beta",))
    beta = make_article("beta", related=("alpha",))
    alpha.related.append(RelatedLink(beta.url))  # the tracking-parameter URL, not canonical
    archive.save_batch([new(alpha), new(beta)])
    assert targets(archive, alpha) == {url("beta"): beta.id, beta.url: beta.id}
    assert targets(archive, beta) == {url("alpha"): alpha.id}


# -- reads ---------------------------------------------------------------------------------


def test_search_is_kept_in_sync_and_ranked(archive: Archive) -> None:
    archive.save_batch(
        [
            new(make_article("alpha", body="Keepers tended the Dannemora light for years.")),
            new(make_article("beta", body="A harbour story with no prison in it.")),
        ]
    )
    hits = archive.search("dannemora")
    assert [h["title"] for h in hits] == ["Story alpha"]
    assert "[Dannemora]" in hits[0]["snippet"]
    assert set(hits[0]) >= {"id", "url", "site", "published_at", "snippet", "rank"}
    assert archive.search("zeppelin") == []
    assert [h["title"] for h in archive.search("story", limit=5)][:1] in (
        ["Story alpha"],
        ["Story beta"],
    )
    titled = archive.search("beta")  # a title match
    assert [h["title"] for h in titled] == ["Story beta"]
    assert archive.search("dannemora", site="elsewhere.example") == []
    marked = archive.search("dannemora", highlight=("<<", ">>"))
    assert "<<Dannemora>>" in marked[0]["snippet"]


@pytest.mark.parametrize("query", ["NOT dannemora", "AND", "title:", "(dannemora", "NEAR("])
def test_a_malformed_fts_query_is_a_query_error(archive: Archive, query: str) -> None:
    with pytest.raises(QueryError, match="Bad search query"):
        archive.search(query)
    with pytest.raises(QueryError, match="Bad search query"):  # a stray quote, raw (#20)
        archive.search('"unterminated', raw=True)


def test_empty_query_is_a_query_error(archive: Archive) -> None:
    with pytest.raises(QueryError, match="empty"):
        archive.search("   ")


def test_get_article_by_id_canonical_url_or_url(archive: Archive) -> None:
    article = make_article("alpha")
    archive.save_batch([new(article)])
    for key in (article.id, article.canonical_url, article.url):
        assert archive.get_article(key)["id"] == article.id
    with pytest.raises(NotFoundError, match="nope"):
        archive.get_article("nope")


def test_stats_counts_sites_statuses_and_runs(archive: Archive) -> None:
    archive.start_run(
        "run-1",
        spider="articles",
        args={"start_urls": [url("alpha")]},
        settings={"DEPTH_LIMIT": 3},
        started_at="2025-03-03T09:59:00Z",
    )
    other = make_article("x")
    other.site = "other.example"
    other.canonical_url = "https://other.example/x/"
    archive.save_batch([new(make_article("alpha")), new(make_article("beta")), new(other)])
    archive.finish_run(
        "run-1", finished_at="2025-03-03T10:05:00Z", finish_reason="finished", stats={"pages": 3}
    )
    stats = archive.stats()
    assert stats["totals"]["articles"] == 3
    assert stats["sites"][0] == {
        "site": SITE,
        "articles": 2,
        "first_seen_at": "2025-03-03T10:00:00Z",
        "last_seen_at": "2025-03-03T10:00:00Z",
    }
    assert [s["site"] for s in stats["sites"]] == [SITE, "other.example"]
    (run,) = stats["runs"]
    assert run["finish_reason"] == "finished"
    assert run["args"] == {"start_urls": [url("alpha")]}
    assert run["stats"] == {"pages": 3}


def test_finish_run_without_start_still_records_it(archive: Archive) -> None:
    archive.finish_run(
        "lost", finished_at="2025-01-01T00:00:00Z", finish_reason="shutdown", stats={}
    )
    assert archive.stats()["runs"][0]["finish_reason"] == "shutdown"


def test_iter_articles_streams_rows(archive: Archive) -> None:
    archive.save_batch([new(make_article(f"a{i}"), f"2025-03-03T10:00:{i:02d}Z") for i in range(5)])
    rows = archive.iter_articles()
    first = next(rows)  # a generator: nothing is fetched all at once
    assert first["title"] == "Story a0"
    assert first["authors"] == ["Ann Reporter", "Bo Writer"]
    assert [r["title"] for r in rows] == [f"Story a{i}" for i in range(1, 5)]
    raw = next(archive.iter_articles(decoded=False))
    assert raw["authors"] == '["Ann Reporter", "Bo Writer"]'
    assert list(archive.iter_articles(site="none.example")) == []


def test_capture_body_roundtrip_and_zlib_in_sql(archive: Archive) -> None:
    body = "<html>Ünïcode — and bytes \x00\xff</html>".encode() * 50
    write = PageWrite(make_capture(url("big"), body=body))
    archive.save_batch([write])
    assert archive.capture_body(write.capture.id) == body
    (row,) = archive.query("SELECT body, body_size, body_sha256 FROM captures")
    assert len(row["body"]) < len(body)
    assert zlib.decompress(row["body"]) == body
    assert row["body_size"] == len(body)
    with pytest.raises(NotFoundError):
        archive.capture_body("missing")
    meta = archive.get_capture(write.capture.id)
    assert meta["headers"] == {"content-type": "text/html; charset=utf-8"}
    assert "body" not in meta


def test_known_ids_and_urls(archive: Archive) -> None:
    article = make_article("alpha")
    archive.save_batch([new(article)])
    ids = [article.id] + [f"{i:016x}" for i in range(1200)]  # more than one IN chunk
    assert archive.known_article_ids(ids) == {article.id}
    assert archive.article_ids_for_urls([article.url, article.canonical_url, url("z")]) == {
        article.url: article.id,
        article.canonical_url: article.id,
    }


# -- read-only ---------------------------------------------------------------------------


def test_readonly_archive_refuses_writes(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with CrawlArchive(db) as arch:
        arch.save_batch([new(make_article("alpha"))])
    with CrawlArchive(db, readonly=True) as ro:
        assert ro.search("lighthouse")
        with pytest.raises(ReadOnlyError):
            ro.save_batch([new(make_article("beta"))])
        with pytest.raises(ReadOnlyError):
            ro.start_run("r", spider="s", args={}, settings={}, started_at="now")
        with pytest.raises(ReadOnlyError, match="read-only"):
            ro.query("DELETE FROM articles")
    with CrawlArchive(db) as arch:
        assert count(arch, "articles") == 1


# -- export --------------------------------------------------------------------------------


def test_export_csv_has_every_column_with_json_as_text(archive: Archive) -> None:
    archive.save_batch([new(make_article("alpha")), new(make_article("beta"))])
    out = io.StringIO()
    assert export_articles(archive, "csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(ARTICLE_COLUMNS)
    assert [r["title"] for r in rows] == ["Story alpha", "Story beta"]
    assert json.loads(rows[0]["authors"]) == ["Ann Reporter", "Bo Writer"]
    assert json.loads(rows[0]["field_sources"])["title"] == "json-ld"


def test_export_jsonl_to_a_file(archive: Archive, tmp_path: Path) -> None:
    archive.save_batch([new(make_article("alpha"))])
    target = tmp_path / "out.jsonl"
    assert export_to_path(archive, "jsonl", target) == 1
    (line,) = target.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["tags"] == ["sea", "lights"]
    assert record["title"] == "Story alpha"
    assert "blocks" not in record
    assert export_to_path(archive, "jsonl", tmp_path / "site.jsonl", site="x.example") == 0


def test_export_rejects_an_unknown_format(archive: Archive) -> None:
    with pytest.raises(UsageError, match="parquet"):
        export_articles(archive, "parquet", io.StringIO())


def test_export_streams_in_bounded_memory(tmp_path: Path) -> None:
    body = "word " * 2000  # 10 kB a row, 20 MB in all
    with CrawlArchive(tmp_path / "big.db") as archive:
        archive.save_batch(
            [new(make_article(f"a{i}", body=f"{i} {body}"), f"t{i:05d}") for i in range(2000)]
        )
        tracemalloc.start()
        try:
            written = 0
            for fmt in ("csv", "jsonl"):
                written += export_articles(archive, fmt, _Discard())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written == 4000
    assert peak < 2_000_000, f"export held {peak} bytes at once"


class _Discard(io.StringIO):
    """A text sink that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)


def test_readers_see_committed_rows_while_a_writer_holds_its_transaction(tmp_path: Path) -> None:
    db = tmp_path / "wal.db"
    with CrawlArchive(db) as writer:
        writer.save_batch([new(make_article("alpha"))])
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE articles SET title = 'Uncommitted lighthouse title'")
        with CrawlArchive(db, readonly=True) as reader:
            assert [h["title"] for h in reader.search("lighthouse")] == ["Story alpha"]
            assert reader.search("uncommitted") == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- aliases, versions, clusters (schema v2) -----------------------------------------------


def test_a_new_article_starts_its_aliases_version_and_cluster(archive: Archive) -> None:
    story = make_article("ferry")
    archive.save_batch([new(story)])
    aliases = {r["url"]: r["article_id"] for r in archive.query("SELECT * FROM aliases")}
    assert aliases == {url("ferry"): story.id, url("ferry") + "?utm_source=feed": story.id}
    (version,) = archive.query("SELECT * FROM versions")
    assert version["article_id"] == story.id
    assert version["version"] == 1
    assert version["content_hash"] == story.content_hash
    assert version["body_text"] == story.body_text
    row = archive.query("SELECT cluster_id, version, duplicate_of FROM articles")[0]
    assert row == {"cluster_id": story.id, "version": 1, "duplicate_of": None}


def test_a_seen_article_gains_aliases_but_no_version(archive: Archive) -> None:
    story = make_article("ferry")
    archive.save_batch([new(story)])
    again = PageWrite(
        make_capture(url("ferry") + "?fbclid=x", "2025-03-05T10:00:00Z"), story, "seen"
    )
    archive.save_batch([again])
    urls = {r["url"] for r in archive.query("SELECT url FROM aliases")}
    assert url("ferry") + "?fbclid=x" in urls
    assert count(archive, "versions") == 1
    assert count(archive, "articles") == 1


def test_links_resolve_through_aliases(archive: Archive) -> None:
    target = make_article("ferry")
    archive.save_batch([new(target)])
    source = make_article("harbour")
    source.related = [RelatedLink(url("ferry") + "?utm_source=feed", title="Ferry")]
    archive.save_batch([new(source)])
    assert targets(archive, source)[url("ferry") + "?utm_source=feed"] == target.id
