"""Crawl throughput: morgue's full pipeline against a bare Scrapy crawl and trafilatura.

    python bench/crawl.py [--pages 5000] [--reps 3] [--server auto|nginx|python] [--write]

It generates a local site of realistic ~45 KB article pages in the demo's viral
theme (bench/crawlsite.py), serves it on 127.0.0.1 (nginx when installed —
``apt-get install nginx`` — else Python's threaded server), and runs, alternating,
``--reps`` times:

(a) a bare Scrapy spider with the same settings that only follows related links;
(b) ``scrapy crawl articles`` with the full pipeline into a fresh archive;
(c) trafilatura's own fetch-and-extract over the site's URL list.

Each run is a separate process; it reports pages/s, CPU seconds (its worker
processes included) and peak RSS, and the ratio b/a per repetition. It also
times the store stage alone (Archive.save_batch with FTS and indexes on), and
measures memory twice: the dedup and store stages alone over 5,000 and 50,000
synthetic articles, and a real ``scrapy crawl articles`` of a 5,000-page and a
50,000-page site (``--memory-crawl``), each one process whose peak RSS is compared.
``--write`` puts the table into docs/benchmarks.md. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(HERE))  # after the project: bench/archive.py must not shadow `archive`

import crawlsite  # noqa: E402
from _docsection import write_section  # noqa: E402

CRAWL_SETTINGS = [
    "DEPTH_LIMIT=0",
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS=32",
    "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    "LOG_LEVEL=INFO",
]
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/html html; text/plain txt; }}
    default_type text/html;
    charset utf-8;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(root: Path, kind: str) -> Iterator[tuple[str, str]]:
    """Serve ``root`` on 127.0.0.1; yields (base_url, server name)."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if kind == "nginx" and not nginx:
        raise SystemExit("nginx is not installed: apt-get install nginx (or use --server python)")
    if kind in ("auto", "nginx") and nginx:
        port = free_port()
        tmp = Path(tempfile.mkdtemp(prefix="morgue-nginx-"))
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=root), encoding="utf-8")
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)])
        try:
            for _ in range(100):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}", "nginx"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        return
    from crawler.demo.server import serve_site

    with serve_site(root) as server:
        yield server.base_url, "python ThreadingHTTPServer"


def measured(name: str, command: list[str], workdir: Path) -> tuple[dict[str, float], str]:
    out = workdir / f"{name}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(HERE / "_measure.py"), str(out), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout + proc.stderr


def run_bare(seed: str, workdir: Path) -> dict[str, float]:
    settings = [x for s in CRAWL_SETTINGS for x in ("-s", s)]
    result, log = measured(
        "bare",
        [
            "scrapy",
            "runspider",
            str(HERE / "bare_spider.py"),
            "-a",
            f"start_urls={seed}",
            *settings,
        ],
        workdir,
    )
    found = re.search(r"'response_received_count': (\d+)", log)
    result["pages"] = float(found.group(1)) if found else 0.0
    return result


def run_morgue(seed: str, workdir: Path, extra: list[str]) -> dict[str, float]:
    db = workdir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = [x for s in [*CRAWL_SETTINGS, f"ARCHIVE_PATH={db}", *extra] for x in ("-s", s)]
    result, log = measured(
        "morgue", ["scrapy", "crawl", "articles", "-a", f"start_urls={seed}", *settings], workdir
    )
    # the pool's processes are the forkserver's children, not ours: add what they report
    found = re.search(r"'morgue/extract/worker_cpu_s': ([\d.]+)", log)
    result["worker_cpu_s"] = float(found.group(1)) if found else 0.0
    result["cpu_s"] += result["worker_cpu_s"]
    found = re.search(r"'morgue/extract/worker_peak_rss_mib': ([\d.]+)", log)
    result["worker_rss_mib"] = float(found.group(1)) if found else 0.0
    from archive import CrawlArchive

    with CrawlArchive(db, readonly=True) as archive:
        result["pages"] = float(archive.query("SELECT count(*) AS n FROM captures")[0]["n"])
        result["articles"] = float(archive.count_articles())
    return result


def run_trafilatura(urls: Path, workdir: Path) -> dict[str, float]:
    result, log = measured(
        "trafilatura", ["python", str(HERE / "trafilatura_peer.py"), str(urls), "8"], workdir
    )
    found = re.search(r"pages (\d+)", log)
    result["pages"] = float(found.group(1)) if found else 0.0
    return result


def _store_writes(root: Path, paths: list[str], base: str, count: int) -> list[Any]:
    """``count`` new-article PageWrites made from the site's pages, as the store receives
    them: extracted, hashed and compressed already (that work is the extraction pool's)."""
    from pipelines.core.records import Capture, PageWrite
    from pipelines.extractwork import work

    done = []
    for path in paths:
        body = (root / path.strip("/") / "index.html").read_bytes()
        ((article, packed, _, _),) = work([(body, f"{base}{path}", {}, None, True, None, False)])
        done.append((article, packed))
    writes = []
    for i in range(count):
        article, packed = done[i % len(done)]
        url = f"{base}{paths[i % len(paths)]}" + (f"?copy={i}" if i >= len(paths) else "")
        copy = dataclasses.replace(article, url=url, canonical_url=url)
        _ = copy.id, copy.content_hash, copy.word_count
        capture = Capture(
            url,
            url,
            200,
            f"2025-06-01T00:00:{i % 60:02d}.{i:06d}Z",
            "bench",
            {},
            b"",
            packed=packed,
        )
        writes.append(PageWrite(capture, copy, "new"))
    return writes


def store_stage(root: Path, paths: list[str], base: str, count: int) -> dict[str, float]:
    """Articles/s through Archive.save_batch alone (batches of 200, FTS and indexes on,
    with the run-end FTS merge and the closing checkpoint that moves the WAL's last pages
    into the file), by wall clock and by the process's CPU time, and, on the same rows,
    what SQLite's FTS5 index alone allows, and the same store without any FTS index (the
    two floors of any store with FTS on)."""
    writes = _store_writes(root, paths, base, count)
    elapsed, cpu = _timed_store(writes, fts=True)
    no_fts_elapsed, no_fts_cpu = _timed_store(writes, fts=False)
    rows = [(w.article.title, w.article.body_text) for w in writes if w.article is not None]
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "fts.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE VIRTUAL TABLE f USING fts5(title, body_text)")
        started = time.perf_counter()
        for start in range(0, len(rows), 200):
            with conn:
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO f VALUES (?, ?)", rows[start : start + 200])
        fts_elapsed = time.perf_counter() - started
        conn.close()
    words = statistics.median(w.article.word_count for w in writes[:500] if w.article)
    return {
        "rate": count / elapsed,
        "cpu_rate": count / cpu,
        "fts_rate": len(rows) / fts_elapsed,
        "no_fts_rate": count / no_fts_elapsed,
        "no_fts_cpu_rate": count / no_fts_cpu,
        "words": words,
    }


def _timed_store(writes: list[Any], *, fts: bool) -> tuple[float, float]:
    """Wall and CPU seconds of save_batch over ``writes`` into a fresh archive, through the
    run-end FTS merge and the closing checkpoint; ``fts=False`` first drops the search
    index and its triggers (save_batch then indexes nothing), to show what the other
    tables cost on their own."""
    from archive import CrawlArchive

    with tempfile.TemporaryDirectory() as tmp, CrawlArchive(Path(tmp) / "store.db") as archive:
        if not fts:
            for trigger in ("articles_ai", "articles_ad", "articles_au"):
                archive.conn.execute(f"DROP TRIGGER {trigger}")
            archive.conn.execute("DROP TABLE articles_fts")
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, len(writes), 200):
            archive.save_batch(writes[start : start + 200])
        if fts:
            archive.tidy_search_index()  # the FTS merging a run's end does (finish_run)
        archive.close()  # the last checkpoint: part of the stage's writing
        return time.perf_counter() - started, time.process_time() - cpu_started


def memory_stage(root: Path, paths: list[str], base: str, count: int, workdir: Path) -> float:
    """Peak RSS (MiB) of a process that runs ``count`` distinct articles through the dedup
    and store pipelines into a fresh archive (bench/crawl.py --memory-child)."""
    command = ["python", str(Path(__file__)), "--memory-child", str(count), str(root), base]
    result, _ = measured(f"memory-{count}", command, workdir)
    return float(result["max_rss_mib"])


def memory_crawl(
    workdir: Path, site: Path, *, pages: int, count: int, server: str, extra: list[str]
) -> dict[str, float]:
    """Peak RSS of (b), a real ``scrapy crawl articles``, over a ``count``-page site (the
    bench's own site when it has that many pages, else one generated for it). The trap
    middleware's per-site budget (TRAP_SITE_BUDGET, 20,000 pages by default) is lifted:
    a single-site crawl of 50,000 pages is what is measured."""
    root = site if count == pages else workdir / f"site-{count}"
    if root != site:
        print(f"generating {count} pages in {root} ...", flush=True)
        paths = crawlsite.generate(root, pages=count)
    else:
        paths = [crawlsite.page_path(i) for i in range(count)]
    with serve(root, server) as (base, _):
        result = run_morgue(base + paths[0], workdir, [*extra, "TRAP_SITE_BUDGET=0"])
    if root != site:
        shutil.rmtree(root, ignore_errors=True)
    return result


def memory_child(count: int, root: Path, base: str) -> None:
    """The dedup and store stages over ``count`` distinct synthetic articles (each body is
    fresh random text, so the near-duplicate index grows as in a real crawl)."""
    import random

    from scrapy.utils.test import get_crawler

    from crawler.items import RawPage
    from crawler.spiders.articles import ArticlesSpider
    from pipelines.dedup import DedupPipeline
    from pipelines.store import StorePipeline

    paths = [crawlsite.page_path(i) for i in range(50)]
    templates = _store_writes(root, paths, base, len(paths))
    vocab = crawlsite._vocabulary()
    rng = random.Random(count)
    with tempfile.TemporaryDirectory() as tmp:
        settings = {"ARCHIVE_PATH": str(Path(tmp) / "m.db"), "STORE_FLUSH_SECONDS": 0}
        crawler = get_crawler(ArticlesSpider, settings)
        crawler.spider = crawler._create_spider(start_urls=base + "/")
        dedup, store = DedupPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)
        store.open_spider()
        for i in range(count):
            write = templates[i % len(templates)]
            assert write.article is not None
            url = f"{base}/story/m{i:06d}/"
            text = "\n\n".join(
                " ".join(crawlsite._sentence(rng, vocab) for _ in range(6)) for _ in range(10)
            )
            article = dataclasses.replace(
                write.article, url=url, canonical_url=url, body_text=text, title=f"Story {i}"
            )
            item = RawPage(url, url, 200, {"content-type": "text/html"}, b"", f"t{i:09d}")
            item.packed, item.article = write.capture.packed, article
            store.process_item(dedup.process_item(item))
        store.close_spider()
        store.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]


def table(rows: list[dict[str, object]], headers: list[str]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(row[h]) for h in headers) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    parser.add_argument(
        "--store-articles", type=int, default=5000, help="articles for the store stage (0 skips it)"
    )
    parser.add_argument("--skip-trafilatura", action="store_true")
    parser.add_argument("-s", "--set", action="append", default=[], help="extra setting for (b)")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument(
        "--memory",
        default="5000,50000",
        help="article counts for the memory stage (comma-separated; '' skips it)",
    )
    parser.add_argument(
        "--memory-crawl",
        default="5000,50000",
        help="site sizes in pages for the real-crawl memory measure (comma-separated; '' skips it)",
    )
    parser.add_argument(
        "--stages-only", action="store_true", help="only the store and memory stages, no crawls"
    )
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        count, root, base = args.memory_child
        memory_child(int(count), Path(root), base)
        return

    workdir = Path(tempfile.mkdtemp(prefix="morgue-bench-crawl-"))
    workdir.chmod(0o755)  # nginx's workers run as an unprivileged user
    site = workdir / "site"
    print(f"generating {args.pages} pages in {site} ...", flush=True)
    # the store stage takes distinct pages of this site, one per article
    pages = max(args.pages, args.store_articles) if not args.stages_only else args.store_articles
    paths = crawlsite.generate(site, pages=pages)
    sizes = [(site / p.strip("/") / "index.html").stat().st_size for p in paths[:200]]
    runs: dict[str, list[dict[str, float]]] = {"a": [], "b": [], "c": []}
    with serve(site, args.server) as (base, server_name):
        seed = base + paths[0]
        urls = workdir / "urls.txt"
        urls.write_text("\n".join(base + p for p in paths), encoding="utf-8")
        for rep in range(0 if args.stages_only else args.reps):
            order = ["a", "b", "c"] if rep % 2 == 0 else ["c", "b", "a"]
            for name in order:
                if name == "a":
                    result = run_bare(seed, workdir)
                elif name == "b":
                    result = run_morgue(seed, workdir, args.set)
                elif args.skip_trafilatura:
                    continue
                else:
                    result = run_trafilatura(urls, workdir)
                result["pages_s"] = result["pages"] / result["wall_s"]
                runs[name].append(result)
                print(f"rep {rep + 1} ({name}): {result}", flush=True)
        store = None  # --store-articles 0: no store stage (it had no pages to time)
        if args.store_articles > 0:
            print("store stage ...", flush=True)
            store = store_stage(site, paths[: args.store_articles], base, args.store_articles)
        sizes_rss = {}
        for count in [int(n) for n in args.memory.split(",") if n.strip()]:
            print(f"memory stage, {count} articles ...", flush=True)
            sizes_rss[count] = memory_stage(site, paths, base, count, workdir)
    crawls_rss: dict[int, dict[str, float]] = {}
    for count in [int(n) for n in args.memory_crawl.split(",") if n.strip()]:
        if args.stages_only:
            break
        print(f"memory crawl, {count} pages ...", flush=True)
        crawls_rss[count] = memory_crawl(
            workdir, site, pages=pages, count=count, server=args.server, extra=args.set
        )
        print(f"memory crawl {count}: {crawls_rss[count]}", flush=True)

    labels = {
        "a": "(a) bare Scrapy spider, related links only",
        "b": "(b) scrapy crawl articles, full pipeline",
        "c": "(c) trafilatura fetch_url + extract, 8 threads",
    }
    rows = []
    for name, results in runs.items():
        if not results:
            continue
        rates = [r["pages_s"] for r in results]
        rows.append(
            {
                "run": labels[name],
                "pages": int(statistics.median(r["pages"] for r in results)),
                "pages/s median": f"{statistics.median(rates):.1f}",
                "range": f"{min(rates):.1f}–{max(rates):.1f}",
                "CPU s": f"{statistics.median(r['cpu_s'] for r in results):.1f}",
                "peak RSS MiB": f"{max(r['max_rss_mib'] for r in results):.0f}",
            }
        )
    ratios = [b["pages_s"] / a["pages_s"] for a, b in zip(runs["a"], runs["b"], strict=False)]
    lines = [
        f"Produced by `python bench/crawl.py --pages {args.pages} --reps {args.reps}"
        + "".join(f" -s {s}" for s in args.set)
        + "`",
        f"({os.cpu_count()} cores, server: {server_name},"
        f" median page {statistics.median(sizes) / 1024:.0f} KB,"
        f" crawl settings: {', '.join(CRAWL_SETTINGS)}).",
        "",
        table(rows, ["run", "pages", "pages/s median", "range", "CPU s", "peak RSS MiB"]),
        "",
        "b/a per repetition: "
        + ", ".join(f"{r:.3f}" for r in ratios)
        + (f"; median {statistics.median(ratios):.3f}" if ratios else ""),
    ]
    if runs["c"]:
        c_rate = statistics.median(r["pages_s"] for r in runs["c"])
        b_rate = statistics.median(r["pages_s"] for r in runs["b"])
        lines.append(f"b/c (morgue vs trafilatura): {b_rate / max(c_rate, 1e-9):.2f}")
    if store is not None:
        lines.append(
            f"Store stage alone (Archive.save_batch, batches of 200, FTS + indexes, bodies already "
            f"compressed by the pool): {store['rate']:,.0f} articles/s"
            f" ({store['cpu_rate']:,.0f} by CPU time) over {args.store_articles}"
            f" articles of {store['words']:,.0f} words; SQLite's FTS5 alone on the same rows"
            f" (no other table, no index): {store['fts_rate']:,.0f} rows/s; the store stage"
            f" without any FTS index (its table and triggers dropped): {store['no_fts_rate']:,.0f}"
            f" articles/s ({store['no_fts_cpu_rate']:,.0f} by CPU time)"
        )
    if sizes_rss:
        counts = sorted(sizes_rss)
        growth = sizes_rss[counts[-1]] / sizes_rss[counts[0]] - 1
        lines.append(
            "Memory, dedup + store stages over distinct synthetic articles (one process each,"
            " not a full crawl): peak RSS "
            + ", ".join(f"{sizes_rss[n]:.0f} MiB at {n:,}" for n in counts)
            + f"; growth {growth:+.0%}"
        )
    if crawls_rss:
        counts = sorted(crawls_rss)
        first, last = crawls_rss[counts[0]], crawls_rss[counts[-1]]
        growth = last["max_rss_mib"] / first["max_rss_mib"] - 1
        lines.append(
            "Memory, a real crawl (b) of a site of each size, TRAP_SITE_BUDGET=0 (one process"
            " each; the extraction pool's processes are not in the figure): peak RSS "
            + ", ".join(
                f"{crawls_rss[n]['max_rss_mib']:.0f} MiB at {int(crawls_rss[n]['pages']):,} pages"
                f" ({crawls_rss[n]['pages'] / crawls_rss[n]['wall_s']:.0f} pages/s)"
                for n in counts
            )
            + f"; growth {growth:+.0%}"
        )
        if first.get("worker_rss_mib") and last.get("worker_rss_mib"):
            lines.append(
                "Memory of one extraction process in the same crawls (the highest of the "
                "pool's, as its batches report it: `morgue/extract/worker_peak_rss_mib`): "
                + ", ".join(
                    f"{crawls_rss[n]['worker_rss_mib']:.0f} MiB at "
                    f"{int(crawls_rss[n]['pages']):,} pages"
                    for n in counts
                )
                + f"; growth {last['worker_rss_mib'] / first['worker_rss_mib'] - 1:+.0%}"
            )
    report = "\n".join(lines)
    print("\n" + report)
    if args.write and not args.stages_only:
        write_section("crawl", "## Crawl throughput", report)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
