"""Issue 4 end to end: two sister sites crawled by the real ``scrapy crawl`` (loopback only).

Site A (Harbour Daily) publishes three stories and links them with tracking parameters
and an AMP variant; site B (The Coast Courier) syndicates A's storm story word for word,
carries a reworded copy of A's ferry story under its own boilerplate, and links an AMP
page that names no canonical. A is crawled in one run, B in the next (a month later, as
far as the archive can tell): B's copies must join A's rows and clusters.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from dedup_sites import crawl, paths, serve_copy

from archive import Archive
from archive.cli import cli
from pipelines.core.article import article_id

A_SEED = "/storm-closes-harbour-bridge/"
B_SEED = "/news/harbour-bridge-closed-by-storm/"


def articles(db: Path) -> dict[str, dict]:
    with Archive(db, readonly=True) as archive:
        rows = archive.query(
            "SELECT id, url, canonical_url, duplicate_of, cluster_id, version FROM articles"
        )
    return {row["id"]: row for row in rows}


def test_sister_sites_give_exact_articles_aliases_duplicates_and_clusters(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with serve_copy("sister_a", tmp_path) as a, serve_copy("sister_b", tmp_path) as b:
        first = crawl("-a", f"start_urls={a.url(A_SEED)}", archive=db)
        assert first.returncode == 0, first.stderr[-3000:]
        second = crawl("-a", f"start_urls={b.url(B_SEED)}", archive=db)
        assert second.returncode == 0, second.stderr[-3000:]
        # tracking variants are cleaned before fetching: one request per page
        assert sorted(paths(a)) == sorted(
            [A_SEED, "/ferry-strike-ends/amp/", "/council-budget-vote/"]
        )
        assert sorted(paths(b)) == sorted(
            [B_SEED, "/news/school-roof-repairs/amp/", "/news/ferry-workers-back-at-work/"]
        )
        A, B = a.url, b.url

    storm, budget, ferry = (
        article_id(A(p)) for p in (A_SEED, "/council-budget-vote/", "/ferry-strike-ends/")
    )
    storm_b, ferry_b, roof = (
        article_id(B(p))
        for p in (B_SEED, "/news/ferry-workers-back-at-work/", "/news/school-roof-repairs/")
    )
    assert articles(db) == {
        storm: {
            "id": storm,
            "url": A(A_SEED),
            "canonical_url": A(A_SEED),
            "duplicate_of": None,
            "cluster_id": storm,
            "version": 1,
        },
        budget: {
            "id": budget,
            "url": A("/council-budget-vote/"),
            "canonical_url": A("/council-budget-vote/"),
            "duplicate_of": None,
            "cluster_id": budget,
            "version": 1,
        },
        ferry: {  # fetched only as its AMP page, whose rel=canonical names the article
            "id": ferry,
            "url": A("/ferry-strike-ends/amp/"),
            "canonical_url": A("/ferry-strike-ends/"),
            "duplicate_of": None,
            "cluster_id": ferry,
            "version": 1,
        },
        storm_b: {  # syndicated word for word: an exact duplicate of A's story
            "id": storm_b,
            "url": B(B_SEED),
            "canonical_url": B(B_SEED),
            "duplicate_of": storm,
            "cluster_id": storm,
            "version": 1,
        },
        ferry_b: {  # reworded, shortened, with B's boilerplate: a near copy
            "id": ferry_b,
            "url": B("/news/ferry-workers-back-at-work/"),
            "canonical_url": B("/news/ferry-workers-back-at-work/"),
            "duplicate_of": None,
            "cluster_id": ferry,
            "version": 1,
        },
        roof: {  # an AMP page with no rel=canonical: the URL rule maps it
            "id": roof,
            "url": B("/news/school-roof-repairs/amp/"),
            "canonical_url": B("/news/school-roof-repairs/"),
            "duplicate_of": None,
            "cluster_id": roof,
            "version": 1,
        },
    }
    with Archive(db, readonly=True) as archive:
        aliases = {(r["url"], r["article_id"]) for r in archive.query("SELECT * FROM aliases")}
        near = archive.query("SELECT article_id, matched_id, score FROM near_dups")
        integrity = archive.query("PRAGMA integrity_check")
        links = archive.query("SELECT target_url, target_id FROM links ORDER BY target_url")
    # Links written with tracking parameters (?ref=, ?amp=1, utm_*) still reach their
    # archived targets: extraction strips the same names the crawler does.
    assert links and all(link["target_id"] for link in links), links
    assert not [link for link in links if "?" in link["target_url"]]
    assert aliases == {
        (A(A_SEED), storm),
        (A("/council-budget-vote/"), budget),
        # Link variants with tracking parameters (links.href) are aliases too.
        (A("/council-budget-vote/?utm_source=homepage&utm_medium=related&fbclid=IwAR0xyz"), budget),
        (A("/storm-closes-harbour-bridge/?ref=related"), storm),
        (B("/news/school-roof-repairs/amp/?amp=1"), roof),
        (B("/news/harbour-bridge-closed-by-storm/?utm_source=twitter"), storm_b),
        (
            B("/news/ferry-workers-back-at-work/?utm_campaign=syndication&mc_cid=42&mc_eid=7"),
            ferry_b,
        ),
        (A("/ferry-strike-ends/"), ferry),
        (A("/ferry-strike-ends/amp/"), ferry),
        (B(B_SEED), storm_b),
        (B("/news/ferry-workers-back-at-work/"), ferry_b),
        (B("/news/school-roof-repairs/"), roof),
        (B("/news/school-roof-repairs/amp/"), roof),
    }
    matches = {r["article_id"]: (r["matched_id"], r["score"]) for r in near}
    assert set(matches) == {storm, budget, ferry, storm_b, ferry_b, roof}
    assert matches[storm_b] == (storm, 1.0)
    assert matches[ferry_b][0] == ferry and 0.6 < matches[ferry_b][1] < 1.0
    assert matches[roof] == (None, None) and matches[budget] == (None, None)
    assert integrity == [{"integrity_check": "ok"}]


def test_second_run_with_default_recrawl_after_fetches_only_the_seeds(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with serve_copy("sister_a", tmp_path) as a:
        first = crawl("-a", f"start_urls={a.url(A_SEED)}", archive=db)
        assert first.returncode == 0, first.stderr[-3000:]
        assert len(paths(a)) == 3
        before = articles(db)
        a.clear_requests()
        second = crawl("-a", f"start_urls={a.url(A_SEED)}", archive=db)
        assert second.returncode == 0, second.stderr[-3000:]
        assert paths(a) == [A_SEED]  # the seed, nothing else
    assert "'morgue/recrawl/skipped_fresh': 2" in second.stderr
    assert articles(db) == before  # no new rows, no new versions
    with Archive(db, readonly=True) as archive:
        assert archive.query("SELECT count(*) AS n FROM versions") == [{"n": 3}]
        assert archive.query("SELECT count(*) AS n FROM captures") == [{"n": 4}]


def test_recrawl_after_an_edit_writes_one_version_and_diff_shows_it(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    always = {"RECRAWL_AFTER": "0"}
    with serve_copy("sister_a", tmp_path) as a:
        assert (
            crawl("-a", f"start_urls={a.url(A_SEED)}", archive=db, settings=always).returncode == 0
        )
        page = a.root / "council-budget-vote" / "index.html"
        html = page.read_text(encoding="utf-8")
        old = "The new tariffs take effect on the first of April"
        new = "The new tariffs take effect on the first of June"
        assert old in html
        page.write_text(html.replace(old, new), encoding="utf-8")
        a.clear_requests()
        second = crawl("-a", f"start_urls={a.url(A_SEED)}", archive=db, settings=always)
        assert second.returncode == 0, second.stderr[-3000:]
        # known pages are asked for conditionally; the unchanged AMP page answers 304
        assert sorted(a.conditional) == ["/council-budget-vote/", "/ferry-strike-ends/amp/"]
    budget = article_id(a.url("/council-budget-vote/"))
    storm = article_id(a.url(A_SEED))
    ferry = article_id(a.url("/ferry-strike-ends/"))
    rows = articles(db)
    assert {i: r["version"] for i, r in rows.items()} == {budget: 2, storm: 1, ferry: 1}
    with Archive(db, readonly=True) as archive:
        versions = archive.list_versions(budget)
        assert [v["version"] for v in versions] == [1, 2]
        assert old in versions[0]["body_text"] and new in versions[1]["body_text"]
        assert new in archive.get_article(budget)["body_text"]  # articles holds the latest
        assert len(archive.list_versions(storm)) == 1
        ferry_row = archive.get_article(ferry)
        assert [c["status"] for c in ferry_row["captures"]] == [200, 304]
        assert ferry_row["last_seen_at"] == ferry_row["captures"][1]["fetched_at"]
    assert "'morgue/dedup/changed': 1" in second.stderr
    assert "'morgue/dedup/not_modified': 1" in second.stderr

    runner = CliRunner()
    result = runner.invoke(cli, ["diff", budget, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"-{BUDGET_LAST}" in result.output
    assert f"+{BUDGET_LAST.replace('April', 'June')}" in result.output
    assert "-title:" not in result.output  # the title did not change
    history = runner.invoke(cli, ["history", budget, "--db", str(db), "--format", "json"])
    assert history.exit_code == 0
    assert '"version": 2' in history.output
    same = runner.invoke(cli, ["diff", storm, "--db", str(db)])
    assert same.exit_code == 2 and "only one version" in same.output


BUDGET_LAST = (
    "The new tariffs take effect on the first of April and will be reviewed after twelve months."
)


def test_exit_codes_for_cron(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with serve_copy("sister_a", tmp_path) as a:
        (a.root / "council-budget-vote" / "index.html").unlink()  # a 404 on the way: still 0
        ok = crawl("-a", f"start_urls={a.url(A_SEED)}", archive=db)
        assert ok.returncode == 0, ok.stderr[-3000:]
        gone = crawl("-a", f"start_urls={a.url('/no-such-story/')}", archive=db)
        assert gone.returncode == 3
        assert "every seed failed" in gone.stderr
    bad = crawl("-a", "start_urls=not-a-url", archive=db)
    assert bad.returncode == 1
