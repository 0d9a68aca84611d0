"""``morgue crawl`` and ``morgue demo``: the ``articles`` spider in-process, and its exit
policy (:mod:`crawler.outcome`)."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import click

from archive.cli.common import DEFAULT_DB, db_option, open_reader, parse_setting, settings_option
from archive.errors import CrawlFailedError, UsageError


@click.command(short_help="Crawl URLs and their related/next-page links.")
@click.argument("urls", nargs=-1, metavar="URL...")
@click.option(
    "--follow",
    default="related,next",
    show_default=True,
    help="Links to follow: any of related,next, or all.",
)
@click.option("--depth", type=click.IntRange(min=0), help="Maximum link depth (DEPTH_LIMIT).")
@click.option("--allowed-domains", help="Comma-separated hosts to allow besides the seeds'.")
@click.option(
    "--urls-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Seed URLs, one a line (# starts a comment).",
)
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="URL|HOST",
    help="A whole site (a URL, or a host or host:port): seed with its home page, its "
    "robots.txt sitemaps and its feed (repeatable). For scheduled runs: see docs/scheduling.md.",
)
@click.option(
    "--discover",
    type=click.Choice(["auto", "off"]),
    default="auto",
    show_default=True,
    help="auto: seeds may be hubs, sitemaps, feeds or robots.txt, and hubs are never "
    "stored as articles; off: every page is an article page.",
)
@settings_option("A Scrapy setting (repeatable).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display and no summary.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes sharing one Redis frontier (needs --redis); each writes a "
    "shard, merged into --db at the end. See docs/scaleout.md.",
)
@click.option(
    "--redis",
    "redis_url",
    envvar="MORGUE_FRONTIER",
    metavar="URL",
    help="The shared frontier: redis://[:PASSWORD@]HOST:PORT/DB (or env MORGUE_FRONTIER).",
)
@click.option(
    "--job",
    "job_id",
    help="Crawl job ID naming the Redis keys [default: derived "
    "from --db and the seeds]. The same on every machine of one crawl.",
)
@click.option(
    "--join",
    is_flag=True,
    help="Do not enqueue the seeds: join a job another machine seeds (waits for it).",
)
@click.option(
    "--shards-dir",
    type=click.Path(file_okay=False),
    help="Where the workers' shards go [default: DB.shards/].",
)
@click.option("--keep-shards", is_flag=True, help="Keep the shards after merging them.")
@click.option(
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False),
    help="Also write every response as fetched to WARC files in this folder "
    "(WARC_DIR; needs morgue[warc]; docs/warc.md).",
)
@db_option
def crawl(  # noqa: PLR0917 (a click command: one parameter per option)
    urls: tuple[str, ...],
    follow: str,
    depth: int | None,
    allowed_domains: str | None,
    urls_file: str | None,
    sites: tuple[str, ...],
    discover: str,
    overrides: tuple[str, ...],
    quiet: bool,
    workers: int,
    redis_url: str | None,
    job_id: str | None,
    join: bool,
    shards_dir: str | None,
    keep_shards: bool,
    warc_dir: str | None,
    db: str,
) -> None:
    """Crawl from URL... (and related/next-page links) into the archive.

    A seed may be an article, a hub (home, section, tag, author or date page: its
    article links are followed, HUB_PAGES pages deep), a sitemap, a feed or a
    robots.txt. --site URL seeds with the site's home page and robots.txt (whose
    sitemaps are read), and the home page's feed is followed.

    Exits 0 when the crawl ran to its end, even if some pages failed (they are
    recorded in captures); 1 when it did not start or finish, 2 on bad arguments,
    3 when every seed failed, 4 when the archive refused a write, and 5 when a
    --site run archived no article (docs/scheduling.md).

    With --redis URL, --workers N processes share one Redis frontier (docs/scaleout.md).
    """
    if not urls and not urls_file and not sites:
        raise UsageError("Give at least one URL, --site URL or --urls-file PATH.")
    seeds = list(urls)
    for site in sites:
        seeds.extend(site_seeds(site))
    spider_args = {"follow": follow, "discover": discover}
    if allowed_domains:
        spider_args["allowed_domains"] = allowed_domains
    if urls_file:
        spider_args["urls_file"] = urls_file
    settings: dict[str, Any] = dict(parse_setting(item) for item in overrides)
    if depth is not None:
        settings["DEPTH_LIMIT"] = depth
    if warc_dir:
        settings["WARC_DIR"] = warc_dir
    if quiet:
        settings.setdefault("LOG_LEVEL", "WARNING")
    if redis_url or workers > 1 or job_id or join:
        if not redis_url:
            raise UsageError("--workers, --job and --join need --redis URL (a shared frontier).")
        _run_workers(
            seeds,
            db,
            spider_args,
            settings,
            redis_url,
            workers,
            job_id,
            join,
            shards_dir,
            keep_shards,
            quiet,
        )
        return
    summary = _run_crawl(seeds, db, spider_args, settings, show_progress=not quiet)
    if not quiet:
        _print_summary(summary, db)
    _check_outcome(summary, expects_articles=bool(sites))


def site_seeds(site: str) -> list[str]:
    """The seeds of ``--site``: the home page and robots.txt of the site ``site`` is on.

    ``site`` is a URL, or a host or host:port as search and export take it: https then,
    or http for localhost and an IP address (a local test site, the demo)."""
    text = site.strip()
    if "://" not in text:
        host = urlsplit("//" + text).hostname or ""
        text = ("http://" if _is_local(host) else "https://") + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--site takes an http(s) URL, a host or host:port, not {site!r}.")
    home = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    return [home, urljoin(home, "/robots.txt")]


def _is_local(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _run_crawl(
    urls: list[str],
    db: str,
    spider_args: dict[str, str] | None,
    settings: dict[str, Any] | None,
    *,
    show_progress: bool,
) -> Any:
    from crawler.runner import run_crawl

    return run_crawl(
        urls,
        archive_path=db,
        spider_args=spider_args,
        settings=settings,
        show_progress=show_progress,
    )


def _run_workers(  # noqa: PLR0917
    seeds: list[str],
    db: str,
    spider_args: dict[str, str],
    settings: dict[str, Any],
    redis_url: str,
    workers: int,
    job_id: str | None,
    join: bool,
    shards_dir: str | None,
    keep_shards: bool,
    quiet: bool,
) -> None:
    from crawler.frontier.keys import FrontierConfigError
    from crawler.outcome import EXIT_ALL_SEEDS_FAILED, EXIT_NOT_FINISHED
    from crawler.workers import run_workers

    settings.setdefault("LOG_LEVEL", "INFO")
    try:
        summary = run_workers(
            seeds,
            archive_path=db,
            redis_url=redis_url,
            workers=workers,
            job_id=job_id,
            spider_args=spider_args,
            settings=settings,
            seed=not join,
            shards_dir=shards_dir,
            keep_shards=keep_shards,
        )
    except FrontierConfigError as exc:
        raise UsageError(str(exc)) from exc
    if not quiet:
        for w in summary.workers:
            click.echo(
                f"worker {w.index}: {w.finish_reason} (exit {w.returncode}), "
                f"{w.pages} pages -> {w.shard} (log {w.log})"
            )
        click.echo(
            f"job {summary.job_id}: merged {len(summary.merged)} shards into {db} "
            f"in {summary.merge_seconds:.1f} s"
        )
    if any(w.returncode == EXIT_ALL_SEEDS_FAILED for w in summary.workers):
        raise CrawlFailedError(
            "Every seed failed; see `morgue stats` for the capture statuses.",
            EXIT_ALL_SEEDS_FAILED,
        )
    if not summary.succeeded:
        raise CrawlFailedError(
            f"Not every worker finished (see the logs above); rerun the same command to resume "
            f"job {summary.job_id}: its frontier is kept in Redis and its shards on disk.",
            EXIT_NOT_FINISHED,
        )


def _print_summary(summary: Any, db: str) -> None:
    click.echo(
        f"Run {summary.run_id or '?'} ({summary.finish_reason}): {summary.pages} pages; "
        f"articles: {summary.articles_new} new, {summary.articles_changed} changed, "
        f"{summary.articles_unchanged} unchanged; {summary.errors} errors -> {db}"
    )


def _check_outcome(summary: Any, *, expects_articles: bool = False) -> None:
    """Raise :class:`CrawlFailedError` with the crawl's exit code unless it did its job.
    ``expects_articles`` (``--site``): a run that archived no article did not."""
    from crawler.outcome import judge

    found = summary.articles_new + summary.articles_changed + summary.articles_unchanged
    # pages the archive has, not fetched again this run because they are fresh
    found += sum(
        int(summary.stats.get(f"morgue/recrawl/{key}", 0))
        for key in ("skipped_fresh", "listed_not_newer")
    )
    outcome = judge(
        summary.finish_reason,
        all_seeds_failed=summary.all_seeds_failed,
        detail=f"{summary.errors} errors in {summary.pages} pages",
        nothing_archived=expects_articles and found == 0,
    )
    if outcome.message:
        raise CrawlFailedError(outcome.message, outcome.code)


@click.command(short_help="Crawl the bundled demo site and show the result.")
@click.option("--quiet", "-q", is_flag=True, help="No live progress display.")
@db_option
def demo(quiet: bool, db: str) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it into the archive, and show the result.

    The site is archived as http://morgue-demo.localhost/ whichever port its server got,
    so running the demo again recognises the articles it archived before.
    """
    from crawler.demo.server import DEMO_HOST, DEMO_SEED_PATH, serve_demo_site

    settings: dict[str, Any] = {"LOG_LEVEL": "WARNING"} if quiet else {}
    with serve_demo_site() as server:
        click.echo(f"Serving the demo site at {server.base_url}{DEMO_SEED_PATH}")
        # a fixed site name, fetched through the server on whatever port it got
        settings["SITE_PROXIES"] = {DEMO_HOST: server.base_url}
        summary = _run_crawl(
            [f"http://{DEMO_HOST}{DEMO_SEED_PATH}"],
            db,
            None,
            settings,
            show_progress=not quiet,
        )
    _print_summary(summary, db)
    _check_outcome(summary)
    with open_reader(db) as archive:
        data = archive.stats(runs=1)
        with contextlib.closing(archive.iter_articles()) as rows:
            first = list(itertools.islice(rows, 5))
        hits = archive.search("Dannemora", limit=1) if first else []
    titles = [row["title"] for row in first]
    some_id = hits[0]["id"] if hits else (first[0]["id"] if first else "ID")
    click.echo(f"\nArchived {data['totals']['articles']} articles in {db}:")
    for row in data["sites"]:
        click.echo(f"  {row['site']}: {row['articles']} articles")
    for title in titles:
        click.echo(f"  - {title or '(untitled)'}")
    db_arg = "" if db == DEFAULT_DB else f" --db {db}"
    morgue = morgue_command()
    click.echo("\nTry next:")
    click.echo(f"  {morgue} search Dannemora{db_arg}")
    click.echo(f"  {morgue} show {some_id}{db_arg}")
    click.echo(f"  {morgue} export --format csv --out articles.csv{db_arg}")
    click.echo(f"  {morgue} serve{db_arg}")
    click.echo(f"  {morgue} report --out report.html{db_arg}   # charts, opens in any browser")


def morgue_command() -> str:
    """How to run morgue from here: ``morgue`` when that is on PATH and is this one, else
    the path this one was started by (``.venv/bin/morgue``), else ``python -m archive.cli``."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    on_path = shutil.which("morgue")
    if on_path and (started is None or Path(on_path).resolve() == started.resolve()):
        return "morgue"
    if started is not None and started.name == "morgue" and started.exists():
        relative = os.path.relpath(started)
        return relative if not relative.startswith("..") else str(started.resolve())
    return f"{Path(sys.executable).name} -m archive.cli"


COMMANDS = [crawl, demo]
