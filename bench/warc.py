"""Benchmark WARC writing (issue 18): the writer morgue uses against its peers, and the
whole ``morgue export --format warc|wacz`` at two archive sizes (speed and peak RSS).

    python bench/warc.py [--pages 2000] [--scale 5] [--no-write]

Part 1, the record writer: the same ``--pages`` synthetic article pages (about 40 KB
of HTML each) written as response records, one gzip member per record, to a file by

* morgue's :class:`archive.warcfile.WarcFile` (warcio's record builder and digests,
  zlib level 6);
* warcio's own ``WARCWriter(gzip=True)`` (level 9), the stock way to use warcio;
* FastWARC's ``WarcRecord.write`` into a ``GzipWriter`` per record (its default level).

Part 2, the crawl-time writer: the reactor thread's CPU per response, with the records
written by the extension's writer thread and, for comparison, inline.

Part 3, the export: an archive of ``--pages`` captures and one of ``--pages x --scale``,
exported to WARC and to WACZ by the real CLI in a child process measured by
bench/_measure.py; captures/s and peak RSS. Peak RSS must not grow with the archive.
The table is printed and written to docs/benchmarks.md (warc-export section).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # before bench/: bench/archive.py shadows `archive`

from _docsection import write_section  # noqa: E402

from archive import CrawlArchive  # noqa: E402
from archive.warcfile import WarcFile, new_record_id  # noqa: E402
from pipelines.core.records import Capture, PageWrite  # noqa: E402

WORDS = [
    "".join(random.Random(n).choice("abcdefghijklmnoprstuvwy") for _ in range(2 + n % 9))
    for n in range(5000)
]
HEADERS = [("content-type", "text/html; charset=utf-8"), ("server", "bench")]


def page(n: int) -> bytes:
    rnd = random.Random(n)
    paragraphs = "".join(
        "<p>" + " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 120))) + "</p>\n"
        for _ in range(60)
    )
    return (
        f"<!DOCTYPE html><html><head><title>Story {n}</title></head><body>"
        f"<nav>{'<a href=/x>menu</a> ' * 40}</nav><article><h1>Story {n}</h1>{paragraphs}"
        "</article><footer>(c) bench</footer></body></html>"
    ).encode()


def time_writer(name: str, bodies: list[bytes], folder: Path) -> dict[str, object]:
    out = folder / f"{name}.warc.gz"
    started = time.perf_counter()
    cpu = time.process_time()
    with out.open("wb") as handle:
        WRITERS[name](handle, bodies)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - started
    return {
        "writer": name,
        "records/s (CPU)": len(bodies) / cpu,
        "MB/s in (CPU)": sum(map(len, bodies)) / cpu / 1e6,
        "wall s": wall,
        "file MB": out.stat().st_size / 1e6,
    }


def write_morgue(handle: object, bodies: list[bytes]) -> None:
    warc = WarcFile(handle)  # type: ignore[arg-type]
    for n, body in enumerate(bodies):
        warc.response(
            f"https://bench.example/{n}/",
            date="2025-01-01T00:00:00.000000Z",
            status=200,
            headers=HEADERS,
            body=body,
            rec_id=new_record_id(),
        )


def write_warcio(handle: object, bodies: list[bytes]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.1")
    for n, body in enumerate(bodies):
        record = writer.create_warc_record(
            f"https://bench.example/{n}/",
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders("200 OK", HEADERS, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2025-01-01T00:00:00.000000Z"},
        )
        writer.write_record(record)


def write_fastwarc(handle: object, bodies: list[bytes]) -> None:
    from fastwarc.stream_io import GzipWriter
    from fastwarc.warc import WarcRecord, WarcRecordType

    head = b"HTTP/1.1 200 OK\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in HEADERS) + b"\r\n"
    for n, body in enumerate(bodies):
        record = WarcRecord()
        record.init_headers(WarcRecordType.response, None)
        record.headers.set("WARC-Date", "2025-01-01T00:00:00.000000Z")
        record.headers.append("WARC-Target-URI", f"https://bench.example/{n}/")
        record.headers.append("Content-Type", "application/http; msgtype=response")
        record.set_bytes_content(head + body)
        member = GzipWriter(handle)
        record.write(member, checksum_data=True)
        member.finish()


WRITERS = {"morgue (warcio, level 6)": write_morgue, "warcio stock (level 9)": write_warcio}


class _Inline:
    """A stand-in for the writer's queue that writes on the calling thread (the old way)."""

    def __init__(self, extension: Any) -> None:
        self.extension = extension

    def put(self, fetched: Any) -> None:
        if fetched is not None:
            self.extension._write(fetched)


def reactor_cost(bodies: list[bytes], folder: Path, *, inline: bool) -> dict[str, float]:
    """CPU of the calling thread (the reactor's, in a crawl) and of the process per response
    handed to the crawl-time WARC writer, with its writer thread or writing inline."""
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    from crawler.extensions.warcwriter import WarcWriterExtension

    target = folder / ("inline" if inline else "thread")
    crawler = get_crawler(settings_dict={"WARC_DIR": str(target)})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    extension = WarcWriterExtension.from_crawler(crawler)
    if inline:
        extension._files = extension._rotating()
        extension._thread = threading.current_thread()  # never started nor joined
        extension._queue = _Inline(extension)  # type: ignore[assignment]
    responses = [
        (
            Response(f"https://bench.example/{n}/", status=200, headers=dict(HEADERS), body=b),
            Request(f"https://bench.example/{n}/"),
        )
        for n, b in enumerate(bodies)
    ]
    thread0, process0, wall0 = time.thread_time(), time.process_time(), time.perf_counter()
    for response, request in responses:
        extension.response_downloaded(response, request)
    reactor = time.thread_time() - thread0
    if inline:
        extension._files.close()  # type: ignore[union-attr]
    else:
        extension.spider_closed()
    return {
        "reactor_ms": 1000 * reactor / len(bodies),
        "process_ms": 1000 * (time.process_time() - process0) / len(bodies),
        "wall_s": time.perf_counter() - wall0,
    }


def build_archive(path: Path, pages: int) -> None:
    with CrawlArchive(path) as archive:
        archive.start_run("bench", spider="articles", args={}, settings={}, started_at="2025")
        for start in range(0, pages, 500):
            archive.save_batch(
                [
                    PageWrite(
                        Capture(
                            url=f"https://bench.example/{n}/",
                            final_url=f"https://bench.example/{n}/",
                            status=200,
                            run_id="bench",
                            fetched_at=f"2025-01-01T00:00:00.{n:06d}Z",
                            headers=dict(HEADERS),
                            body=page(n % 3000),  # from 3,000 on, copies: revisits
                        )
                    )
                    for n in range(start, min(pages, start + 500))
                ]
            )


def measure_export(db: Path, fmt: str, out: Path, folder: Path) -> dict[str, float]:
    report = folder / f"measure-{fmt}-{db.stem}.json"
    command = [
        sys.executable,
        str(REPO / "bench" / "_measure.py"),
        str(report),
        "python",
        str(Path(sys.executable).parent / "morgue"),  # the console script, run in-process
        "export",
        "--format",
        fmt,
        "--out",
        str(out),
        "--db",
        str(db),
        "-q",
    ]
    subprocess.run(command, check=True, cwd=REPO)
    return json.loads(report.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    args = parser.parse_args()
    try:
        import fastwarc  # noqa: F401

        WRITERS["FastWARC 2 (Rust)"] = write_fastwarc
    except ImportError:
        print("(FastWARC not installed: pip install fastwarc to compare it)", file=sys.stderr)
    bodies = [page(n) for n in range(args.pages)]
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [time_writer(name, bodies, folder) for name in WRITERS]
        base = float(rows[0]["records/s (CPU)"])  # type: ignore[arg-type]
        lines += [
            f"Part 1, the record writer: {args.pages:,} response records of "
            f"{sum(map(len, bodies)) / len(bodies) / 1000:.0f} KB of HTML each, one gzip "
            "member per record, into a file; CPU time of the writing process.",
            "",
            "| writer | records/s (CPU) | MB/s of HTML (CPU) | vs morgue | file MB |",
            "|---|---|---|---|---|",
        ]
        for row in rows:
            rate = float(row["records/s (CPU)"])  # type: ignore[arg-type]
            lines.append(
                f"| {row['writer']} | {rate:,.0f} | {row['MB/s in (CPU)']:.1f} | "
                f"{rate / base:.2f} | {row['file MB']:.1f} |"
            )
        costs = {inline: reactor_cost(bodies, folder, inline=inline) for inline in (True, False)}
        lines += [
            "",
            f"Part 2, the crawl-time writer (`WARC_DIR`): the same {args.pages:,} responses "
            "handed to `WarcWriterExtension.response_downloaded` as the reactor does; CPU of "
            "the calling thread (the reactor's, the crawl's bottleneck) and of the process.",
            "",
            "| records written | reactor ms/response | process ms/response | wall s |",
            "|---|---|---|---|",
        ]
        for inline, cost in costs.items():
            lines.append(
                f"| {'inline, on the reactor thread' if inline else 'by the writer thread'} | "
                f"{cost['reactor_ms']:.2f} | {cost['process_ms']:.2f} | {cost['wall_s']:.1f} |"
            )
        lines += [
            "",
            "Part 3, `morgue export` of an archive of N captures (~40 KB pages; from "
            "3,000 on, copies of earlier pages, so revisits), in a child process: wall "
            "time and peak RSS (VmHWM).",
            "",
            "| N captures | format | captures/s (wall) | peak RSS MiB | output MB |",
            "|---|---|---|---|---|",
        ]
        peaks = {}
        for pages in (args.pages, args.pages * args.scale):
            db = folder / f"bench-{pages}.db"
            build_archive(db, pages)
            for fmt in ("warc", "wacz"):
                out = folder / f"out-{pages}.{fmt}"
                stats = measure_export(db, fmt, out, folder)
                peaks[(pages, fmt)] = stats["max_rss_mib"]
                lines.append(
                    f"| {pages:,} | {fmt} | {pages / stats['wall_s']:,.0f} | "
                    f"{stats['max_rss_mib']:.0f} | {out.stat().st_size / 1e6:.0f} |"
                )
                out.unlink()
            db.unlink()
        big = args.pages * args.scale
        lines += [
            "",
            "peak RSS, "
            + ", ".join(
                f"{fmt}: {peaks[(big, fmt)] / peaks[(args.pages, fmt)]:.2f}x"
                for fmt in ("warc", "wacz")
            )
            + f" from {args.pages:,} to {big:,} captures (flat: about 1.0x). "
            f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section(
            "warc-export",
            "## WARC and WACZ export (issue 18)",
            "Produced by `python bench/warc.py` (`make bench-warc`).\n\n" + body,
        )


if __name__ == "__main__":
    main()
