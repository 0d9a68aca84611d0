"""``morgue import`` against a baseline loop over the same WARC (issue 18).

    python bench/import.py [--pages 5000] [--large 50000] [--big-pages 400 --big-kib 1024]
                           [--workers N] [--write]

Writes a WARC (gzip, one member per record) of ``--pages`` generated article pages
(bench/crawlsite.py's pages: ~66 KB of HTML each; article lengths, word frequencies and
the page's tree around the article, ~640 elements and ~140 links, fitted to real news
pages; each record dated after the page's own dates), then, each in its own process
measured by bench/_measure.py:

* **warcio iteration**: read every record and its body, nothing else: the floor;
* **fastwarc iteration**, when fastwarc is installed: the same with fastwarc;
* **baseline**: warcio iteration + ``trafilatura.extract(html, url=url,
  include_comments=False)`` on every HTML response, one process (as the other benches'
  peer);
* **morgue import**: :func:`crawler.warcimport.run_import`: extraction in the pool of
  ``EXTRACT_WORKERS`` processes (both cores), stitch, dedup and store into a new archive.

morgue's import is run again on a WARC of ``--large`` pages: its peak RSS must not grow
with the number of records; then on ``--pages`` other pages into the archive that run
left (what a scheduled import into a grown archive meets: the dedup stage loads the
archive's near-dup index first); and on ``--big-pages`` articles of ``--big-kib`` KiB each (the
worst case for what a page in flight holds): its peak RSS must not grow with the size of
the pages either. ``--write`` puts the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(HERE))  # after the project: bench/archive.py must not shadow `archive`

BASE_URL = "http://127.0.0.1:8"  # only named in the records: nothing is fetched
OTHER_BASE_URL = "http://127.0.0.2:8"  # the other site of the run into a full archive
DOC_KEY = "bench-import"


# -- the WARC ------------------------------------------------------------------------------


#: The records' WARC-Date starts here, one second a page: 2025-07-01, after the generated
#: pages' own dates (published 2025-06-14, comments to 2025-06-18). A WARC-Date before them
#: makes every page's dates "later than the fetch", refused, and sends each page to
#: htmldate, which no real capture does.
START = 1_751_328_000


def write_responses(path: Path, pages: Iterable[tuple[str, bytes]], *, warcinfo: bool) -> int:
    """A WARC of one HTML ``response`` record a ``(url, body)``; returns its size in bytes."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        if warcinfo:
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench"}))
        for i, (url, body) in enumerate(pages):
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START + i))
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": when},
                )
            )
    return path.stat().st_size


def write_warc(path: Path, pages: int, *, seed: int = 7, base: str = BASE_URL) -> int:
    """A WARC of ``pages`` generated article responses; returns its size in bytes.

    Another ``seed`` and ``base`` give as many other pages, on another site: articles
    none of the first WARC's (the run into a full archive)."""
    from crawlsite import iter_pages

    generated = (
        (base + page_path, html.encode()) for page_path, html in iter_pages(pages, seed=seed)
    )
    return write_responses(path, generated, warcinfo=True)


def write_big_warc(path: Path, pages: int, kib: int) -> int:
    """A WARC of ``pages`` articles of ``kib`` KiB of text each: the worst case for what
    a page in flight holds (its body, then an article as long as it)."""
    words = [
        "the",
        "harbour",
        "reopened",
        "on",
        "monday",
        "after",
        "a",
        "storm",
        "that",
        "closed",
        "it",
        "for",
        "a",
        "week",
    ]

    def bodies() -> Iterator[tuple[str, bytes]]:
        for i in range(pages):
            paragraphs, size, j = [], 0, 0
            while size < kib * 1024:
                text = " ".join(words[(j + 7 * k + i) % len(words)] for k in range(60))
                paragraphs.append(f"<p>{text} ({i}.{j})</p>\n")
                size += len(paragraphs[-1])
                j += 1
            body = (
                "<!doctype html><html><head><meta charset='utf-8'>"
                f"<title>Long story {i}</title></head><body><article>"
                f"<h1>Long story number {i}</h1>{''.join(paragraphs)}</article></body></html>"
            )
            yield f"{BASE_URL}/long/{i}/", body.encode()

    return write_responses(path, bodies(), warcinfo=False)


# -- the contenders (each in its own process) ------------------------------------------------


def role_warcio(warc: str) -> dict[str, Any]:
    from warcio.archiveiterator import ArchiveIterator

    records = pages = 0
    with open(warc, "rb") as fh:
        for record in ArchiveIterator(fh):
            records += 1
            if record.rec_type == "response":
                record.content_stream().read()
                pages += 1
    return {"records": records, "pages": pages}


def role_fastwarc(warc: str) -> dict[str, Any]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    records = pages = 0
    with open(warc, "rb") as fh:
        for record in ArchiveIterator(fh, parse_http=False, auto_decode="all"):
            records += 1
            if record.record_type == WarcRecordType.response:
                record.parse_http()
                record.reader.read()
                pages += 1
    return {"records": records, "pages": pages}


def role_baseline(warc: str) -> dict[str, Any]:
    from trafilatura import extract
    from warcio.archiveiterator import ArchiveIterator

    records = pages = extracted = 0
    with open(warc, "rb") as fh:
        for record in ArchiveIterator(fh):
            records += 1
            if record.rec_type != "response":
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            html = record.content_stream().read()
            pages += 1
            if extract(html, url=url, include_comments=False) is not None:
                extracted += 1
    return {"records": records, "pages": pages, "extracted": extracted}


def role_morgue(warc: str, db: str, workers: str) -> dict[str, Any]:
    from crawler.warcimport import run_import

    settings: dict[str, Any] = {"LOG_LEVEL": "WARNING"}
    if workers != "default":
        settings["EXTRACT_WORKERS"] = int(workers)
    report = run_import([warc], archive_path=db, settings=settings)
    return {
        "records": report.count("import/records"),
        "pages": report.count("import/pages"),
        "extracted": report.count("store/articles_new"),
        "errors": report.count("import/errors"),
        "workers": report.stats.get("morgue/extract/workers"),
        "pool_cpu_s": float(report.stats.get("morgue/extract/worker_cpu_s", 0.0)),
        "pool_rss_mib": float(report.stats.get("morgue/extract/worker_peak_rss_mib", 0.0)),
    }


ROLES = {
    "warcio": role_warcio,
    "fastwarc": role_fastwarc,
    "baseline": role_baseline,
    "morgue": role_morgue,
}


def measure(role: str, *args: str) -> dict[str, Any]:
    """Run ``role`` in a fresh process under bench/_measure.py; its result and figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "measure.json"
        result = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            str(ROOT / "bench" / "_measure.py"),
            str(out),
            "python",
            str(Path(__file__).resolve()),
            "--role",
            role,
            "--result",
            str(result),
            *args,
        ]
        subprocess.run(cmd, check=True, cwd=ROOT)
        figures = json.loads(out.read_text())
        figures.update(json.loads(result.read_text()))
    figures["pages_per_s"] = figures["pages"] / figures["wall_s"] if figures["wall_s"] else 0.0
    print(
        f"  {role}: {figures['pages']:,} pages in {figures['wall_s']:.1f} s "
        f"({figures['pages_per_s']:,.0f}/s), peak RSS {figures['max_rss_mib']:.0f} MiB",
        flush=True,
    )
    return figures


def has_fastwarc() -> bool:
    try:
        import fastwarc  # noqa: F401
    except ImportError:
        return False
    return True


# -- the table -------------------------------------------------------------------------------


def row(name: str, fig: dict[str, Any]) -> str:
    extracted = fig.get("extracted")
    pool = f"{fig['pool_cpu_s']:.1f}" if "pool_cpu_s" in fig else ""
    pool_rss = f"{fig['pool_rss_mib']:.0f}" if fig.get("pool_rss_mib") else ""
    return (
        f"| {name} | {fig['records']:,} | {fig['pages']:,} | "
        f"{'' if extracted is None else f'{extracted:,}'} | {fig['wall_s']:.1f} | "
        f"{fig['pages_per_s']:,.0f} | {fig['cpu_s']:.1f} | {pool} | {fig['max_rss_mib']:.0f} "
        f"| {pool_rss} |"
    )


def table(
    pages: int,
    size: int,
    runs: dict[str, dict[str, Any]],
    large: dict[str, Any] | None,
    *,
    big: tuple[int, dict[str, Any]] | None = None,
    full: dict[str, Any] | None = None,
) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"A WARC of {pages:,} generated article pages (bench/crawlsite.py: the demo theme with "
        "a real page's furniture, ~640 elements and ~140 links a page, as the dev pages' "
        f"median), {size / 2**20:,.0f} MiB gzipped, one gzip member per record; each "
        "contender in its own process on "
        f"{cores} cores. `pages/s` = HTML responses / wall seconds. CPU s and peak RSS "
        "are the main process's; morgue's extraction pool runs under a forkserver, so its "
        "CPU is the import run's `morgue/extract/worker_cpu_s` (pool CPU s: the time in "
        "the workers' batches, not their start-up or pickling) and its memory is not in "
        "the peak RSS figure: pool peak RSS is the highest of its processes' own peaks, "
        "as their batches report it (`morgue/extract/worker_peak_rss_mib`); the import "
        "holds the main process and one such process a worker.",
        "",
        "| contender | records | pages | articles | wall s | pages/s | CPU s | pool CPU s "
        "| peak RSS MiB | pool peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "warcio": "warcio iteration (floor)",
        "fastwarc": "fastwarc iteration",
        "baseline": "baseline: warcio + trafilatura.extract, one process",
        "morgue": "morgue import (extract, stitch, dedup, store)",
    }
    lines += [row(names[key], fig) for key, fig in runs.items()]
    if large is not None:
        lines.append(row(f"morgue import, {large['pages']:,} pages", large))
    if large is not None and full is not None:
        lines.append(
            row(
                f"morgue import, {full['pages']:,} other pages into the archive of "
                f"{large['pages']:,}",
                full,
            )
        )
    if big is not None:
        lines.append(row(f"morgue import, {big[1]['pages']:,} pages of {big[0]:,} KiB", big[1]))
    morgue, baseline = runs["morgue"], runs["baseline"]
    lines += [
        "",
        f"morgue / baseline (pages/s): {morgue['pages_per_s'] / baseline['pages_per_s']:.2f} "
        f"(target >= 1.5; morgue's extraction workers: {morgue.get('workers')})",
        f"CPU a page: baseline {1000 * baseline['cpu_s'] / baseline['pages']:.1f} ms; morgue "
        f"{1000 * morgue['cpu_s'] / morgue['pages']:.1f} ms in the main process + "
        f"{1000 * morgue['pool_cpu_s'] / morgue['pages']:.1f} ms in the pool",
    ]
    if large is not None:
        growth = large["max_rss_mib"] / morgue["max_rss_mib"] - 1
        lines.append(
            f"morgue peak RSS: {morgue['max_rss_mib']:.0f} MiB at {morgue['pages']:,} pages, "
            f"{large['max_rss_mib']:.0f} MiB at {large['pages']:,} pages: {growth:+.0%}"
        )
        if morgue.get("pool_rss_mib") and large.get("pool_rss_mib"):
            lines.append(
                f"morgue pool peak RSS (a process): {morgue['pool_rss_mib']:.0f} MiB at "
                f"{morgue['pages']:,} pages, {large['pool_rss_mib']:.0f} MiB at "
                f"{large['pages']:,} pages: "
                f"{large['pool_rss_mib'] / morgue['pool_rss_mib'] - 1:+.0%}"
            )
    if large is not None and full is not None:
        lines.append(
            f"morgue peak RSS importing {full['pages']:,} pages into an archive of "
            f"{large['pages']:,}: {full['max_rss_mib']:.0f} MiB, "
            f"{full['max_rss_mib'] / morgue['max_rss_mib'] - 1:+.0%} against an empty one "
            "(the dedup stage loads the archive's near-dup index and paragraph counts into "
            "its scratch file, a bounded chunk at a time)"
        )
    if big is not None:
        lines.append(
            f"morgue peak RSS with pages of {big[0]:,} KiB: {big[1]['max_rss_mib']:.0f} MiB "
            "(bodies in flight, extraction batches and store batches are bounded in bytes: "
            "IMPORT_MAX_ACTIVE_SIZE, EXTRACT_BATCH_BYTES, STORE_BATCH_BYTES)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--large", type=int, default=50000, help="0: skip the RSS run")
    parser.add_argument("--big-pages", type=int, default=400, help="0: skip the big-page run")
    parser.add_argument("--big-kib", type=int, default=1024, help="size of a big page")
    parser.add_argument("--workers", default="default", help="EXTRACT_WORKERS for morgue")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.role:
        result = ROLES[opts.role](*opts.args)
        Path(opts.result).write_text(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        warc = folder / "pages.warc.gz"
        print(f"writing a WARC of {opts.pages:,} pages ...", flush=True)
        size = write_warc(warc, opts.pages)
        runs = {"warcio": measure("warcio", str(warc))}
        if has_fastwarc():
            runs["fastwarc"] = measure("fastwarc", str(warc))
        runs["baseline"] = measure("baseline", str(warc))
        runs["morgue"] = measure("morgue", str(warc), str(folder / "a.db"), opts.workers)
        large = full = None
        if opts.large:
            warc.unlink()
            print(f"writing a WARC of {opts.large:,} pages ...", flush=True)
            big = folder / "large.warc.gz"
            write_warc(big, opts.large)
            large = measure("morgue", str(big), str(folder / "large.db"), opts.workers)
            big.unlink()
            print(f"writing a WARC of {opts.pages:,} other pages ...", flush=True)
            other = folder / "other.warc.gz"
            write_warc(other, opts.pages, seed=8, base=OTHER_BASE_URL)
            # into the archive the large run left: what a cron job's import meets
            full = measure("morgue", str(other), str(folder / "large.db"), opts.workers)
            other.unlink()
        long = None
        if opts.big_pages:
            print(f"writing a WARC of {opts.big_pages:,} pages of {opts.big_kib} KiB ...")
            path = folder / "long.warc.gz"
            write_big_warc(path, opts.big_pages, opts.big_kib)
            figures = measure("morgue", str(path), str(folder / "long.db"), opts.workers)
            long = (opts.big_kib, figures)
    text = table(opts.pages, size, runs, large, big=long, full=full)
    print(text)
    if opts.write:
        from _docsection import write_section

        write_section(DOC_KEY, "## WARC import (`make bench-import`, issue 18)", text)


if __name__ == "__main__":
    main()
