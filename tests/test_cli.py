"""The morgue CLI through click's CliRunner: every command, its formats and its error paths."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import crawler.demo.server
import crawler.runner
import pipelines.extraction
from archive import CrawlArchive, schema
from archive.cli import cli, main
from archive.cli.crawl import morgue_command
from pipelines.core.article import Article, Block, RelatedLink
from pipelines.core.records import Capture, PageWrite

SITE = "coastline.example"


def make_article(slug: str, body: str, site: str = SITE) -> Article:
    return Article(
        url=f"https://{site}/{slug}/",
        canonical_url=f"https://{site}/{slug}/",
        site=site,
        title=f"Story {slug}",
        authors=["Ann Reporter"],
        tags=["sea"],
        body_text=body,
        blocks=[Block("heading", f"About {slug}", level=2), Block("paragraph", body)],
        related=[RelatedLink(f"https://{site}/other/", title="Other story", teaser="t")],
    )


def fill(path: Path | str, *articles: Article) -> None:
    with CrawlArchive(path) as archive:
        archive.start_run("run-1", spider="articles", args={}, settings={}, started_at="t0")
        archive.save_batch(
            [
                PageWrite(
                    Capture(
                        url=a.url,
                        final_url=a.url,
                        status=200,
                        run_id="run-1",
                        fetched_at=f"2025-03-0{i + 1}T10:00:00Z",
                        body=b"<html></html>",
                    ),
                    a,
                    "new",
                )
                for i, a in enumerate(articles)
            ]
        )
        archive.finish_run("run-1", finished_at="t1", finish_reason="finished", stats={})


ALPHA = make_article("alpha", "Keepers of the Dannemora light kept [brackets] and notes.")
BETA = make_article("beta", "A harbour story about boats.", site="other.example")


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "archive.db"
    fill(path, ALPHA, BETA)
    return str(path)


def run(*args: str, env: Mapping[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=dict(env or {}), catch_exceptions=False)


def assert_clean_error(result: Result, message: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


# -- every command ---------------------------------------------------------------------------


def test_every_command_has_help() -> None:
    assert set(cli.commands) >= {
        "demo",
        "crawl",
        "search",
        "show",
        "stats",
        "sql",
        "export",
        "serve",
        "extract",
    }
    for name, command in cli.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert command.help and command.help.strip(), name
        assert "--db" in result.stdout, name
        assert (command.help.splitlines()[0].strip()[:30]) in " ".join(result.stdout.split())
    top = run("--help")
    assert top.exit_code == 0
    assert "search" in top.stdout and "Traceback" not in top.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("morgue ")


# -- search ----------------------------------------------------------------------------------


def test_search_json_when_piped(db: str) -> None:
    result = run("search", "dannemora", "--db", db)
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert [h["id"] for h in hits] == [ALPHA.id]
    assert "**Dannemora**" in hits[0]["snippet"]


def test_search_table_with_site_filter_and_limit(db: str) -> None:
    result = run("search", "story", "--db", db, "--format", "table", "--site", "other.example")
    assert result.exit_code == 0
    assert "Story beta" in result.stdout
    assert "Story alpha" not in result.stdout
    assert "\x02" not in result.stdout  # the highlight markers became styles
    result = run("search", "dannemora", "--db", db, "--format", "table")
    assert "[brackets]" in result.stdout  # text is not taken for rich markup
    limited = json.loads(run("search", "story", "--db", db, "--limit", "1").stdout)
    assert len(limited) == 1


def test_search_with_no_match(db: str) -> None:
    assert json.loads(run("search", "zeppelin", "--db", db).stdout) == []
    table = run("search", "zeppelin", "--db", db, "--format", "table")
    assert "No articles match" in table.stdout


def test_search_reads_morgue_db_from_the_environment(db: str) -> None:
    result = run("search", "harbour", env={"MORGUE_DB": db})
    assert [h["id"] for h in json.loads(result.stdout)] == [BETA.id]


def test_search_bad_query_is_a_clean_error(db: str) -> None:
    assert_clean_error(run("search", "(unclosed", "--db", db), "Bad search query")


def test_missing_archive_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    for args in (
        ["search", "x"],
        ["show", "x"],
        ["stats"],
        ["sql", "SELECT 1"],
        ["export", "--format", "csv"],
        ["export", "--graph", "related", "--format", "gexf", "--out", str(tmp_path / "g.gexf")],
        ["serve"],
    ):
        assert_clean_error(run(*args, "--db", str(missing)), "No archive at")
    assert not missing.exists()  # readers never create an archive


def test_a_file_that_is_not_an_archive_is_a_clean_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    assert_clean_error(run("stats", "--db", str(notes)), f"{notes} is not a morgue archive")


# -- show ----------------------------------------------------------------------------------


def test_show_text_by_id_and_url(db: str) -> None:
    result = run("show", ALPHA.id, "--db", db)
    assert result.exit_code == 0
    out = result.stdout
    assert "Story alpha" in out and "About alpha" in out and "Ann Reporter" in out
    assert "Other story" in out  # the related link
    assert "HTTP 200" in out  # the capture
    assert "Story beta" not in out
    by_url = run("show", ALPHA.url, "--db", db)
    assert by_url.stdout == out


def test_show_json(db: str) -> None:
    data = json.loads(run("show", BETA.id, "--db", db, "--format", "json").stdout)
    assert data["id"] == BETA.id
    assert data["authors"] == ["Ann Reporter"]
    assert [b["kind"] for b in data["blocks"]] == ["heading", "paragraph"]
    assert [link["kind"] for link in data["links_out"]] == ["related"]
    assert data["links_in"] == []
    assert len(data["captures"]) == 1


def test_show_unknown_id_is_a_clean_error(db: str) -> None:
    assert_clean_error(run("show", "ffffffffffffffff", "--db", db), "No article with ID or URL")


# -- stats ---------------------------------------------------------------------------------


def test_stats_json_and_table(db: str) -> None:
    data = json.loads(run("stats", "--db", db).stdout)
    assert data["totals"]["articles"] == 2
    assert {s["site"]: s["articles"] for s in data["sites"]} == {SITE: 1, "other.example": 1}
    assert data["runs"][0]["finish_reason"] == "finished"
    table = run("stats", "--db", db, "--format", "table")
    assert table.exit_code == 0
    for text in ("Articles by site", SITE, "other.example", "Captures by status", "finished"):
        assert text in table.stdout


# -- export --------------------------------------------------------------------------------


def test_export_csv_to_stdout(db: str) -> None:
    result = run("export", "--format", "csv", "--db", db)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [ALPHA.id, BETA.id]
    assert json.loads(rows[0]["authors"]) == ["Ann Reporter"]


def test_export_jsonl_to_a_file_with_site(db: str, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    result = run("export", "--format", "jsonl", "--out", str(out), "--site", SITE, "--db", db)
    assert result.exit_code == 0
    assert "Exported 1 articles" in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [ALPHA.id]
    assert records[0]["tags"] == ["sea"]


def test_export_needs_a_known_format(db: str) -> None:
    result = run("export", "--format", "xml", "--db", db)
    assert result.exit_code == 2
    assert "xml" in result.stderr


# -- extract -------------------------------------------------------------------------------


@pytest.fixture
def fake_extract(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, str]]:
    calls: list[tuple[bytes, str]] = []

    def extract(html: bytes, url: str, headers: dict[str, str] | None = None) -> Article:
        calls.append((html, url))
        article = make_article("page", html.decode("utf-8", "replace"))
        article.url = url
        return article

    monkeypatch.setattr(pipelines.extraction, "extract", extract, raising=False)
    return calls


def test_extract_jsonl_one_object_per_file(tmp_path: Path, fake_extract: list[Any]) -> None:
    plain = tmp_path / "a.html"
    plain.write_bytes(b"first page")
    packed = tmp_path / "b.html.gz"
    packed.write_bytes(gzip.compress(b"second page"))
    result = run("extract", str(plain), str(packed), "--jsonl")
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["body_text"] for o in objects] == ["first page", "second page"]
    assert fake_extract[0] == (b"first page", plain.resolve().as_uri())
    for key in (
        "id",
        "word_count",
        "content_hash",
        "blocks",
        "related",
        "next_page_url",
        "field_sources",
    ):
        assert key in objects[0]


def test_extract_summary_and_url(tmp_path: Path, fake_extract: list[Any]) -> None:
    page = tmp_path / "a.html"
    page.write_bytes(b"one two three")
    result = run("extract", str(page), "--url", "https://x.example/a/")
    assert result.exit_code == 0
    assert fake_extract[0][1] == "https://x.example/a/"
    assert "Story page" in result.stdout and "1 heading" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_extract_errors(tmp_path: Path, fake_extract: list[Any]) -> None:
    one, two = tmp_path / "1.html", tmp_path / "2.html"
    one.write_bytes(b"x")
    two.write_bytes(b"y")
    assert_clean_error(run("extract", str(one), str(two), "--url", "https://x/"), "--url", 2)
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8bnot really gzip")
    assert_clean_error(run("extract", str(bad)), "Cannot read", 2)
    assert run("extract", str(tmp_path / "missing.html")).exit_code == 2
    assert fake_extract == []


# -- crawl and demo (the runner and the demo server are faked) --------------------------------


@dataclass
class FakeSummary:
    run_id: str = "run-9"
    finish_reason: str = "finished"
    pages: int = 3
    articles_new: int = 2
    articles_seen: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    errors: int = 1
    seeds: int = 1
    seeds_failed: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def all_seeds_failed(self) -> bool:
        return self.seeds > 0 and self.seeds_failed >= self.seeds


@dataclass
class FakeRunner:
    """Stands in for crawler.runner.run_crawl: records calls, fills the archive."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    summary: FakeSummary = field(default_factory=FakeSummary)

    def __call__(
        self,
        start_urls: Sequence[str],
        *,
        archive_path: str,
        spider_args: Mapping[str, str] | None = None,
        settings: Mapping[str, Any] | None = None,
        show_progress: bool = True,
    ) -> FakeSummary:
        self.calls.append(
            {
                "start_urls": list(start_urls),
                "archive_path": archive_path,
                "spider_args": dict(spider_args or {}),
                "settings": dict(settings or {}),
                "show_progress": show_progress,
            }
        )
        fill(archive_path, ALPHA, BETA)
        return self.summary


@pytest.fixture
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> FakeRunner:
    runner = FakeRunner()
    monkeypatch.setattr(crawler.runner, "run_crawl", runner)
    return runner


def test_crawl_passes_options_to_the_runner(tmp_path: Path, fake_runner: FakeRunner) -> None:
    db = str(tmp_path / "c.db")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("https://a.example/x/\n")
    result = run(
        "crawl",
        "https://a.example/1/",
        "https://a.example/2/",
        "--db",
        db,
        "--depth",
        "2",
        "--follow",
        "all",
        "--allowed-domains",
        "b.example",
        "--urls-file",
        str(seeds),
        "-s",
        "DOWNLOAD_DELAY=0.5",
        "-s",
        "USER_AGENT=x=y",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    (call,) = fake_runner.calls
    assert call["start_urls"] == ["https://a.example/1/", "https://a.example/2/"]
    assert call["archive_path"] == db
    assert call["spider_args"] == {
        "follow": "all",
        "discover": "auto",
        "allowed_domains": "b.example",
        "urls_file": str(seeds),
    }
    assert call["settings"] == {
        "DEPTH_LIMIT": 2,
        "DOWNLOAD_DELAY": "0.5",
        "USER_AGENT": "x=y",
        "LOG_LEVEL": "WARNING",  # --quiet
    }
    assert call["show_progress"] is False
    assert result.stdout == ""  # --quiet


def test_crawl_prints_a_summary(tmp_path: Path, fake_runner: FakeRunner) -> None:
    result = run("crawl", "https://a.example/1/", "--db", str(tmp_path / "c.db"))
    assert result.exit_code == 0
    assert "3 pages; articles: 2 new, 0 changed, 0 unchanged; 1 errors" in result.stdout
    assert fake_runner.calls[0]["spider_args"] == {"follow": "related,next", "discover": "auto"}
    assert fake_runner.calls[0]["show_progress"] is True


def test_crawl_site_seeds_with_home_and_robots(tmp_path: Path, fake_runner: FakeRunner) -> None:
    db = str(tmp_path / "c.db")
    result = run(
        "crawl", "--site", "https://News.example/section/x/?a=1", "--discover", "auto", "--db", db
    )
    assert result.exit_code == 0, result.output
    (call,) = fake_runner.calls
    assert call["start_urls"] == ["https://News.example/", "https://News.example/robots.txt"]
    assert call["spider_args"]["discover"] == "auto"


def test_crawl_discover_off_and_bad_site(tmp_path: Path, fake_runner: FakeRunner) -> None:
    db = str(tmp_path / "c.db")
    assert run("crawl", "https://a.example/", "--discover", "off", "--db", db).exit_code == 0
    assert fake_runner.calls[0]["spider_args"]["discover"] == "off"
    assert_clean_error(run("crawl", "--site", "ftp://news.example/", "--db", db), "--site takes", 2)


@pytest.mark.parametrize(
    ("site", "home"),
    [
        ("news.example", "https://news.example/"),  # a host, as search and export take it
        ("news.example:8443", "https://news.example:8443/"),
        ("127.0.0.1:8765", "http://127.0.0.1:8765/"),  # a local site: http
        ("localhost:8765", "http://localhost:8765/"),
        ("http://news.example/a/b/", "http://news.example/"),
    ],
)
def test_crawl_site_takes_a_host_too(
    tmp_path: Path, fake_runner: FakeRunner, site: str, home: str
) -> None:
    result = run("crawl", "--site", site, "--db", str(tmp_path / "c.db"))
    assert result.exit_code == 0, result.output
    assert fake_runner.calls[0]["start_urls"] == [home, home + "robots.txt"]


@pytest.mark.parametrize(
    ("summary", "message", "code"),
    [
        # the exit codes of crawler.outcome, the same as `scrapy crawl`'s
        (FakeSummary(pages=1, errors=1, seeds=1, seeds_failed=1), "Every seed failed", 3),
        (FakeSummary(finish_reason="shutdown"), "The crawl did not finish", 1),
        (FakeSummary(finish_reason="archive_write_failed"), "The archive refused a write", 4),
        (
            FakeSummary(finish_reason="extract_failed"),
            "The extraction processes could not run, so the crawl stopped early",
            1,
        ),
    ],
)
def test_crawl_fails_when_every_seed_failed_or_it_stopped(
    tmp_path: Path, fake_runner: FakeRunner, summary: FakeSummary, message: str, code: int
) -> None:
    fake_runner.summary = summary
    result = run("crawl", "https://a.example/1/", "--db", str(tmp_path / "c.db"))
    assert result.exit_code == code
    assert f"Error: {message}" in result.stderr


def test_crawl_usage_errors(fake_runner: FakeRunner) -> None:
    assert_clean_error(run("crawl"), "Give at least one URL, --site URL", 2)
    assert_clean_error(run("crawl", "https://a.example/", "-s", "NOVALUE"), "-s takes", 2)
    assert fake_runner.calls == []


def test_demo_serves_crawls_and_suggests_next_steps(
    tmp_path: Path, fake_runner: FakeRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []

    @contextlib.contextmanager
    def serve_demo_site(host: str = "127.0.0.1", port: int = 0) -> Iterator[Any]:
        served.append("up")
        yield type("Server", (), {"base_url": "http://127.0.0.1:8765"})()
        served.append("down")

    monkeypatch.setattr(crawler.demo.server, "serve_demo_site", serve_demo_site)
    db = str(tmp_path / "demo.db")
    result = run("demo", "--db", db, "--quiet")
    assert result.exit_code == 0, result.output
    assert served == ["up", "down"]
    assert fake_runner.calls[0]["start_urls"] == [
        "http://morgue-demo.localhost" + crawler.demo.server.DEMO_SEED_PATH
    ]
    assert fake_runner.calls[0]["settings"]["SITE_PROXIES"] == {
        "morgue-demo.localhost": "http://127.0.0.1:8765"
    }
    out = result.stdout
    assert "Archived 2 articles" in out
    assert f"{SITE}: 1 articles" in out and "Story alpha" in out
    morgue = morgue_command()
    assert f"  {morgue} search Dannemora --db {db}" in out
    assert f"  {morgue} show {ALPHA.id} --db {db}" in out
    assert f"  {morgue} export --format csv --out articles.csv --db {db}" in out
    assert f"  {morgue} serve --db {db}" in out
    # it ends by naming the report (issue 19)
    assert (
        out.rstrip()
        .splitlines()[-1]
        .strip()
        .startswith(f"{morgue} report --out report.html --db {db}")
    )


# -- the console script ------------------------------------------------------------------------


def test_main_prints_a_clean_error_and_exits_nonzero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["show", "x", "--db", str(tmp_path / "missing.db")])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("Error: No archive at")
    assert "Traceback" not in captured.err


def test_main_runs_a_command(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["stats", "--db", db, "--format", "json"])
    assert exit_info.value.code == 0
    assert json.loads(capsys.readouterr().out)["totals"]["articles"] == 2


def test_click_group_is_a_click_group() -> None:
    assert isinstance(cli, click.Group)


def test_readers_migrate_an_older_archive_once(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def add_notes(conn: sqlite3.Connection) -> None:
        """The next version (test only): articles.notes."""
        conn.execute("ALTER TABLE articles ADD COLUMN notes TEXT")

    following = schema.MIGRATIONS[-1].version + 1
    monkeypatch.setattr(
        schema, "MIGRATIONS", (*schema.MIGRATIONS, schema.Migration(following, add_notes))
    )
    result = run("stats", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"] == following


def test_a_newer_archive_is_a_clean_error(db: str) -> None:
    from archive.schema import SCHEMA_VERSION

    newer = SCHEMA_VERSION + 1
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()
    assert_clean_error(run("search", "x", "--db", db), f"{db} has schema version {newer}, newer")


# -- issue 5: the research side (more in test_search, test_sql, test_export, test_graph,
# test_serve) ---------------------------------------------------------------------------------


@pytest.fixture
def research_db(tmp_path: Path) -> str:
    from research_archive import build

    return build(tmp_path / "research.db")


def test_stats_shows_months_days_duplicates_clusters_statuses_and_runs(research_db: str) -> None:
    data = json.loads(run("stats", "--db", research_db).stdout)
    assert data["totals"]["duplicates"] == 1 and data["totals"]["clusters"] == 1
    assert data["months"] == [
        {"month": "2025-04", "articles": 1},
        {"month": "2025-03", "articles": 2},
        {"month": "(unknown)", "articles": 1},
    ]
    assert [d["day"] for d in data["days"]][:3] == ["2025-04-02", "2025-03-05", "2025-03-01"]
    assert data["clusters"][0]["articles"] == 2
    assert {r["status"]: r["captures"] for r in data["captures_by_status"]} == {0: 1, 200: 4}
    table = run("stats", "--db", research_db, "--format", "table", "--days", "2", env=WIDE).stdout
    for text in (
        "Articles per month",
        "2025-04",
        "Articles per day",
        "2025-04-02",
        "Largest clusters of copies",
        "Prison scandal at Dannemora",
        "1 exact duplicates, 1 clusters with copies",
        "failed (no response)",
        "finished",
    ):
        assert text in table, text
    assert "2025-03-01 " not in table.split("Articles per day")[1].split("Captures")[0]


def test_show_has_versions_aliases_and_links_both_ways(research_db: str) -> None:
    from research_archive import A, B

    text = run("show", B.id, "--db", research_db, env=WIDE).stdout
    assert "Versions" in text and "Harbour boats return early" in text
    assert "Linked from" in text and "Prison scandal at Dannemora" in text
    assert "Also seen at" in text and "utm_source=feed" in text
    data = json.loads(run("show", B.url, "--db", research_db, "--format", "json").stdout)
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert {a["url"] for a in data["aliases"]} >= {B.url, B.canonical_url}
    assert [link["source_id"] for link in data["links_in"]] == [A.id]


def test_quiet_and_machine_output(research_db: str, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    quiet = run("export", "--format", "csv", "--out", str(out), "--quiet", "--db", research_db)
    assert quiet.exit_code == 0 and quiet.output == ""
    assert out.exists()
    ids = run("search", "dannemora", "--quiet", "--db", research_db).stdout.split()
    assert len(ids) == 2 and all(len(i) == 16 for i in ids)


WIDE = {"COLUMNS": "200"}
