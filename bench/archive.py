"""Benchmark the archive's reads: search latency, export time and memory, vs the sqlite3 shell.

    python bench/archive.py [--articles 200000] [--dir DIR] [--no-write]

Builds an archive of N articles with realistic bodies (sentences drawn from a
generated Zipf-distributed vocabulary, blocks, related links, captures) through
``Archive.save_batch``, then measures, in this one run:

- search latency (p50, p95) over 50 queries, through ``Archive.search``;
- ``morgue export --table articles`` in each format, each in its own process,
  with its wall and CPU time and peak memory (max RSS of that process), best of
  3 interleaved rounds;
- the sqlite3 shell's own ``.mode csv`` dump of the same columns, and the
  ratio of morgue's CSV and Parquet exports to it.

The table is printed and written to docs/benchmarks.md between the archive markers.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[0] = str(REPO)  # not bench/ first: this file would shadow the archive package
sys.path.append(str(REPO / "bench"))  # for _docsection

from _docsection import write_section  # noqa: E402

from archive import CrawlArchive  # noqa: E402
from archive.filters import ArticleFilter  # noqa: E402
from archive.schema import ARTICLE_COLUMNS  # noqa: E402
from pipelines.core.article import Article, Block, RelatedLink  # noqa: E402
from pipelines.core.records import Capture, PageWrite  # noqa: E402

NOTES = """Notes:

- Queries are a researcher's: names and topics, i.e. words drawn uniformly from the
  vocabulary (single words, a phrase around such a word, two words with a site filter,
  a stem* with a date range, an OR pair with a section). A word found in every article
  is not one (it ranks all 200,000 rows); its time is shown alone, for scale.
- Search asks FTS5 to sort by `rank` (`rank MATCH 'bm25(10.0, 1.0)'`), so snippets are
  made only for the rows returned.
- The machine is shared (2 cores; other work may run): the sqlite3 dump, each export and
  the graph run in 3 interleaved rounds and the table keeps each one's best wall time
  and least CPU time (user + system); the disk is synced before every run. Peak memory
  is the largest max RSS of the rounds.
- morgue's CSV is quoted by SQLite itself (one string per row), so it keeps up with
  the shell; JSON Lines decodes the JSON columns in Python, one row at a time.
- Parquet is written through pyarrow (`morgue[export]`) with typed columns, no codec by
  default (`--compression snappy|zstd|lz4` for smaller files: the snappy row shows the
  cost), repeated values dictionary-encoded, row
  groups of about 8 MiB of Arrow data (encoded on a second thread while the next rows
  are read); that bound, not the row count, sets the memory.

### Why these dependencies (archive)

- **pyarrow** (extra `export`): the Parquet writer, with real column types (int64,
  timestamp[us, UTC], list<string>); nothing else writes Parquet from Python at this speed.
- **datasette** (extra `web`): `morgue serve`; the archive needs no change for it.
- **pandas, duckdb, networkx, websocket-client** (dev only): the tests read the exports
  back with the tools analysts use, and drive Chromium over the DevTools protocol.
"""
SITES = [f"{name}.example" for name in ("courier", "gazette", "herald", "ledger", "tribune")]
SECTIONS = ["Crime", "Politics", "Business", "Sport", "Local", "World", "Science", "Culture"]
AUTHORS = [
    f"{first} {last}"
    for first in ("Ann", "Bo", "Cy", "Di", "Ed")
    for last in ("Ray", "Lund", "Moss", "Park")
]
FORMATS = ("csv", "jsonl", "parquet")
QUERIES = 50
ROUNDS = 3
TARGET_SEARCH_P95_MS = 100.0
TARGET_PARQUET_RATIO = 1.5
TARGET_PEAK_MIB = 300.0


def vocabulary(rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [1 / (i + 1) for i in range(len(letters))]
    words = set()
    while len(words) < size:
        length = max(2, min(12, int(rng.gauss(6, 2))))
        words.add("".join(rng.choices(letters, weights, k=length)))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered, [1 / (rank + 1) ** 1.05 for rank in range(len(ordered))]


def sentences(rng: random.Random, count: int = 30000) -> list[str]:
    words, weights = vocabulary(rng)
    pool = []
    for _ in range(count):
        picked = rng.choices(words, weights, k=rng.randint(8, 24))
        pool.append(" ".join(picked).capitalize() + ".")
    return pool


def make_article(i: int, rng: random.Random, pool: list[str]) -> Article:
    site = SITES[i % len(SITES)]
    slug = f"story-{i}"
    paragraphs = [" ".join(rng.sample(pool, rng.randint(2, 4))) for _ in range(rng.randint(4, 8))]
    paragraphs[0] = f"Reference {i}: " + paragraphs[0]
    title = " ".join(rng.sample(pool, 1)[0].split()[:8]).rstrip(".")
    day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
    # earlier stories of the same site (i - 5n keeps the site), so every link resolves
    targets = {i - 5 * (1 + (i * 7 + k * 13) % 40) for k in range(3)}
    related = [
        RelatedLink(f"https://{site}/story-{j}/", anchor_text=f"Read more: story {j}")
        for j in sorted(targets)
        if j >= 0
    ]
    return Article(
        url=f"https://{site}/{slug}/?utm_source=feed",
        canonical_url=f"https://{site}/{slug}/",
        site=site,
        title=title,
        authors=[
            AUTHORS[i % len(AUTHORS)],
            *([AUTHORS[(i * 3) % len(AUTHORS)]] if i % 4 == 0 else []),
        ],
        published_at=f"{day}T{i % 24:02d}:00:00Z",
        published_raw=day,
        language="en",
        site_name=site.split(".")[0].title(),
        section=SECTIONS[i % len(SECTIONS)],
        tags=rng.sample(["=risky", "court", "vote", "storm", "market", "school", "@handle"], 2),
        description=paragraphs[0][:160],
        body_text="\n\n".join(paragraphs),
        body_html="".join(f"<p>{p}</p>" for p in paragraphs),
        blocks=[Block("paragraph", p) for p in paragraphs],
        related=related,
        field_sources={"title": "json-ld", "published_at": "meta"},
    )


def build(path: Path, count: int, batch: int = 2000) -> float:
    rng = random.Random(5)
    pool = sentences(rng)
    started = time.perf_counter()
    with CrawlArchive(path) as archive:
        archive.start_run(
            "bench", spider="bench", args={}, settings={}, started_at="2025-01-01T00:00:00Z"
        )
        for start in range(0, count, batch):
            writes = []
            for i in range(start, min(count, start + batch)):
                article = make_article(i, rng, pool)
                capture = Capture(
                    url=article.url,
                    final_url=article.canonical_url,
                    status=200,
                    fetched_at=f"2025-01-01T00:00:00.{i:06d}Z",
                    run_id="bench",
                    content_type="text/html; charset=utf-8",
                )
                writes.append(PageWrite(capture, article, "new"))
            archive.save_batch(writes)
            print(
                f"\r  built {min(count, start + batch):,}/{count:,}",
                end="",
                file=sys.stderr,
                flush=True,
            )
        archive.finish_run(
            "bench", finished_at="2025-01-01T01:00:00Z", finish_reason="finished", stats={}
        )
    print(file=sys.stderr)
    return time.perf_counter() - started


def queries(rng: random.Random) -> list[tuple[str, ArticleFilter | None]]:
    """50 queries like a researcher's: names and topics, i.e. words drawn uniformly from the
    vocabulary (most words of a language are rare): single words, a phrase around such a
    word as it occurs in the text, two words, a stem with *, and OR pairs; the last three
    with a site, date or section filter."""
    words, _ = vocabulary(random.Random(5))  # the vocabulary build() drew from
    pool = sentences(random.Random(5))
    chosen: list[tuple[str, ArticleFilter | None]] = []
    for n in range(QUERIES):
        a, b = rng.sample(words, 2)
        kind = n % 5
        if kind == 0:
            chosen.append((a, None))
        elif kind == 1:  # a phrase around a name: the word and its neighbour in the text
            having = [t for t in pool if f" {a} " in f" {t.lower().rstrip('.')} "] or [a]
            text = rng.choice(having).rstrip(".").lower().split()
            at = text.index(a) if a in text else 0
            pair = text[at : at + 2] if at + 1 < len(text) else text[at - 1 : at + 1]
            chosen.append((f'"{" ".join(pair)}"', None))
        elif kind == 2:
            chosen.append((f"{a} {b}", ArticleFilter(site=SITES[n % len(SITES)])))
        elif kind == 3:
            stem = a[: max(4, len(a) - 2)]  # a stem, as in smuggl*
            chosen.append((f"{stem}*", ArticleFilter(since="2024-06-01", until="2024-09-30")))
        else:
            chosen.append((f"{a} OR {b}", ArticleFilter(section=SECTIONS[n % len(SECTIONS)])))
    return chosen


def time_search(path: Path) -> tuple[float, float, float, int, float]:
    """p50, p95 and max ms over the 50 queries, their hits, and the worst case alone: the
    commonest word of the vocabulary (in every article), median of 3 runs."""
    rng = random.Random(7)
    chosen = queries(rng)
    timings = []
    hits = 0
    with CrawlArchive(path, readonly=True) as archive:
        archive.search("warmup", limit=20)
        for query, filters in chosen:
            started = time.perf_counter()
            hits += len(archive.search(query, limit=20, filters=filters))
            timings.append((time.perf_counter() - started) * 1000)
        commonest = vocabulary(random.Random(5))[0][0]
        worst = []
        for _ in range(3):
            started = time.perf_counter()
            archive.search(commonest, limit=20)
            worst.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[round(0.95 * (len(timings) - 1))]
    return statistics.median(timings), p95, timings[-1], hits, statistics.median(worst)


def reuse_or_build(db: Path, count: int) -> float:
    """Build the archive unless the work folder has it; the build time is kept beside it."""
    note = db.with_suffix(".build-seconds")
    if not db.exists():
        note.write_text(f"{build(db, count):.1f}\n")
    return float(note.read_text()) if note.exists() else 0.0


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process
    peak: float  # max RSS, MiB


def measured(command: list[str]) -> Run:
    """Wall and CPU seconds and peak RSS of ``command``, run under a fresh wrapper process
    (so RUSAGE_CHILDREN covers that one command)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "wall = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *command], check=True, capture_output=True, text=True
    )
    wall, cpu, rss_kib = result.stdout.split()
    return Run(float(wall), float(cpu), int(rss_kib) / 1024)


def best(runs: list[Run]) -> Run:
    """The fastest wall time, the least CPU and the highest peak of the rounds."""
    return Run(min(r.wall for r in runs), min(r.cpu for r in runs), max(r.peak for r in runs))


def time_exports(db: Path, work: Path) -> tuple[dict[str, Run], dict[str, float]]:
    """The sqlite3 shell's dump, each export format and the graph, in ROUNDS interleaved
    rounds, best of each: the machine is shared, and a run slowed by someone else's work
    says nothing about ours. The disk is synced before each run and each output deleted
    after it, so no run pays for another's write-back."""
    morgue = [str(Path(sys.executable).parent / "morgue"), "export", "--db", str(db)]
    shell = shutil.which("sqlite3") or "/usr/bin/sqlite3"
    script = work / "dump.sql"
    outputs = {name: work / f"articles.{name}" for name in FORMATS}
    outputs["sqlite3"] = work / "sqlite3.csv"
    outputs["graph"] = work / "related.graphml"
    outputs["parquet-snappy"] = work / "articles-snappy.parquet"
    script.write_text(
        f".mode csv\n.headers on\n.output {outputs['sqlite3']}\n"
        f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles;\n"
    )
    commands = {"sqlite3": [shell, "-bail", str(db), f".read {script}"]}
    for fmt in FORMATS:
        commands[fmt] = [*morgue, "--format", fmt, "--out", str(outputs[fmt]), "--quiet"]
    commands["parquet-snappy"] = [
        *morgue,
        "--format",
        "parquet",
        "--compression",
        "snappy",
        "--out",
        str(outputs["parquet-snappy"]),
        "--quiet",
    ]
    commands["graph"] = [
        *morgue,
        "--graph",
        "related",
        "--format",
        "graphml",
        "--out",
        str(outputs["graph"]),
        "--quiet",
    ]
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    sizes: dict[str, float] = {}
    for _ in range(ROUNDS):
        for name, command in commands.items():
            os.sync()
            runs[name].append(measured(command))
            sizes[name] = outputs[name].stat().st_size / 2**20
            outputs[name].unlink()
    return {name: best(found) for name, found in runs.items()}, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, help="Work folder (kept) [default: a temporary one].")
    parser.add_argument("--build-only", action="store_true", help="Only build the archive.")
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md.")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="morgue-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    try:
        build_s = reuse_or_build(db, args.articles)
        size_mib = db.stat().st_size / 2**20
        if args.build_only:
            return 0
        p50, p95, slowest, hits, worst = time_search(db)
        results, sizes = time_exports(db, work)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    base = results["sqlite3"]
    rows = [
        (
            "archive",
            f"{args.articles:,} articles, {size_mib:,.0f} MiB (built in {build_s:,.0f} s)",
            "",
        ),
        ("search p50 (50 queries)", f"{p50:.1f} ms", ""),
        (
            "search p95 (50 queries)",
            f"{p95:.1f} ms",
            _check(p95 <= TARGET_SEARCH_P95_MS, f"≤ {TARGET_SEARCH_P95_MS:.0f} ms"),
        ),
        ("search slowest of the 50", f"{slowest:.1f} ms", ""),
        (
            "search worst case: the commonest word (in every article)",
            f"{worst:.1f} ms",
            "outside the 50: no researcher query, shown for scale",
        ),
        (
            "sqlite3 shell `.mode csv` dump (baseline)",
            f"{base.wall:.2f} s wall, {base.cpu:.2f} s CPU, {sizes['sqlite3']:,.0f} MiB",
            f"peak {base.peak:.0f} MiB",
        ),
    ]
    for fmt in FORMATS:
        run = results[fmt]
        ratio = run.wall / base.wall
        target = ""
        if fmt == "parquet":
            target = _check(ratio <= TARGET_PARQUET_RATIO, f"≤ {TARGET_PARQUET_RATIO}× sqlite3")
        rows.append(
            (
                f"export articles {fmt}",
                f"{run.wall:.2f} s wall ({ratio:.2f}× sqlite3), {run.cpu:.2f} s CPU "
                f"({run.cpu / base.cpu:.2f}×), {sizes[fmt]:,.0f} MiB",
                target,
            )
        )
        rows.append(
            (
                f"export articles {fmt}: peak memory",
                f"{run.peak:.0f} MiB",
                _check(run.peak <= TARGET_PEAK_MIB, f"≤ {TARGET_PEAK_MIB:.0f} MiB"),
            )
        )
    bare = results["parquet-snappy"]
    rows.append(
        (
            "export articles parquet --compression snappy",
            f"{bare.wall:.2f} s wall ({bare.wall / base.wall:.2f}× sqlite3), {bare.cpu:.2f} s CPU "
            f"({bare.cpu / base.cpu:.2f}×), {sizes['parquet-snappy']:,.0f} MiB, "
            f"peak {bare.peak:.0f} MiB",
            "the trade-off: half the file, more CPU",
        )
    )
    graph = results["graph"]
    rows.append(
        (
            "export related graph (graphml)",
            f"{graph.wall:.2f} s wall, {sizes['graph']:,.0f} MiB",
            _check(
                graph.peak <= TARGET_PEAK_MIB,
                f"peak {graph.peak:.0f} MiB ≤ {TARGET_PEAK_MIB:.0f} MiB",
            ),
        )
    )
    table = [
        "| measure | result | target |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]
    text = "\n".join(table)
    print(text)
    if not args.no_write:
        write_doc(text, args.articles, hits)
    return 0


def _check(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else 'MISSED'}"


def write_doc(table: str, articles: int, hits: int) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    write_section(
        "archive",
        "## Archive",
        f"Produced by `python bench/archive.py --articles {articles}` (`make bench-archive`) on "
        "this project's machine (2 cores, shared: load average at the end of the run "
        f"{load}). The archive is built through `Archive.save_batch`; the run times 50 "
        "searches (bm25, snippets, limit 20; the mix is in the notes), then the sqlite3 "
        "shell's CSV dump and each export, each in its own process (peak = that process's "
        f"max RSS). The 50 searches returned {hits} hits in all.\n\n{table}\n\n{NOTES}",
    )


if __name__ == "__main__":
    raise SystemExit(main())
