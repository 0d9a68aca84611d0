"""Benchmark near-duplicate detection: precision, recall, throughput and peak memory.

    python bench/dedup.py [--archived 100000] [--incoming 20000] [--threshold T]
                          [--shingle-size K] [--bands B] [--no-write] [--db PATH]

It generates a synthetic corpus with known stories: originals, exact copies, near
copies and distinct same-topic articles; see :func:`make_corpus`. The vocabulary is
procedural (pseudo-words from syllables, Zipf-distributed, 60,000 of them, plus 150
real English function words and 300 stock news phrases shared by every article), so
shingles behave like real text: function-word trigrams recur everywhere, topic words
recur inside a topic, and distinct stories on one topic share many words.

Phase 1 runs ``--archived`` articles through the real :class:`DedupPipeline` and the
real :class:`StorePipeline` write path (``Archive.save_batch``) into an archive file.
Phase 2 is a second run: a fresh pipeline loads the persisted index from that archive
and ``--incoming`` more articles (with copies of phase-1 stories: cross-run joins) go
through the dedup stage; articles/s is measured there (store excluded, done after each
timed batch). Precision and recall are pairwise over all articles: a pair is
predicted when both share a ``cluster_id``, true when both come from one story.
The table is printed and written to docs/benchmarks.md (dedup section).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # before bench/: bench/archive.py shadows `archive`

from _docsection import write_section  # noqa: E402
from scrapy import Spider  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from archive import Archive, CrawlArchive  # noqa: E402
from crawler.items import RawPage  # noqa: E402
from pipelines.core.article import Article, Block  # noqa: E402
from pipelines.core.records import Capture, PageWrite  # noqa: E402
from pipelines.dedup import DedupPipeline  # noqa: E402
from pipelines.registry import use_archive  # noqa: E402

#: Kept in the section on every rerun (figures from one run with other parameters).
NOTES = (
    "For comparison, 128 permutations in 64 bands on the same corpus: precision 0.9964, "
    "recall 0.9999, run 2 1,514 / 1,951 articles/s (wall / CPU), index load 9.4 s, "
    "peak 734 MiB."
)

FUNCTION_WORDS = (  # noqa: SIM905 - a paragraph of words reads better than a list
    "the of and to a in that is was he for it with as his on be at by i this had not are but "
    "from or have an they which one you were her all she there would their we him been has when "
    "who will more no if out so said what up its about into than them can only other new some "
    "could time these two may then do first any my now such like our over man me even most made "
    "after also did many before must through back years where much your way well down should "
    "because each just those people how too little state good very make world still own see men "
    "work long get here between both life being under never day same another know while last "
    "might us great old year off come since against go came right used take three"
).split()
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
CODAS = ["", "", "n", "r", "s", "t", "l", "nd", "st", "ck"]


class Language:
    """Pseudo-words, Zipf weights, topics and stock phrases, all from one seed."""

    def __init__(self, seed: int = 7, vocab: int = 60_000, topics: int = 400) -> None:
        rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < vocab:
            n = rng.choice((1, 2, 2, 3, 3, 3, 4))
            words.add("".join(rng.choice(SYLLABLES) for _ in range(n)) + rng.choice(CODAS))
        self.words = sorted(words)
        rng.shuffle(self.words)
        self.cum_weights = _cumulative([1.0 / (rank + 1) ** 1.05 for rank in range(vocab)])
        self.fn_weights = _cumulative([1.0 / (rank + 1) for rank in range(len(FUNCTION_WORDS))])
        self.topics = [rng.sample(self.words[2000:], 250) for _ in range(topics)]
        self.phrases = [
            " ".join(
                rng.choices(FUNCTION_WORDS, cum_weights=self.fn_weights, k=rng.randint(2, 4))
                + rng.choices(self.words[:3000], k=rng.randint(1, 3))
            )
            for _ in range(300)
        ]
        self.sites = [f"site{n:02d}.example" for n in range(40)]
        self.boilerplate = {
            site: [self.sentence(rng, rng.randrange(topics)) for _ in range(rng.randint(2, 4))]
            for site in self.sites
        }

    def word(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self.cum_weights)[0]

    def sentence(self, rng: random.Random, topic: int) -> str:
        out: list[str] = []
        for _ in range(rng.randint(8, 24)):
            roll = rng.random()
            if roll < 0.45:
                out.append(rng.choices(FUNCTION_WORDS, cum_weights=self.fn_weights)[0])
            elif roll < 0.72:
                out.append(rng.choice(self.topics[topic]))
            else:
                out.append(self.word(rng))
        if rng.random() < 0.4:
            at = rng.randrange(len(out) + 1)
            out[at:at] = rng.choice(self.phrases).split()
        return " ".join(out).capitalize() + "."

    def story(self, rng: random.Random, topic: int) -> tuple[str, list[str]]:
        title = " ".join(rng.choice(self.topics[topic]) for _ in range(rng.randint(5, 10)))
        paragraphs = [
            " ".join(self.sentence(rng, topic) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(3, 12))
        ]
        return title.capitalize(), paragraphs


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass
class Spec:
    """One synthetic article: how to make it, and which story it truly belongs to."""

    index: int
    story: int  # ground truth: same story <=> must share a cluster
    kind: str  # original | exact | near | followup
    topic: int
    source: int  # the article index it derives from (itself for an original)
    site: str


def make_corpus(lang: Language, total: int, archived: int, seed: int = 11) -> list[Spec]:
    """``total`` specs. Of them about 68% originals, 6% exact copies (other site, same
    body), 20% near copies (boilerplate swapped, up to 10% of words substituted,
    paragraphs reordered, title changed, truncated to 70-100%, each at random), and 6%
    follow-ups: new stories on the same topic as an earlier one that quote one of its
    paragraphs (must NOT be joined). Copies after ``archived`` partly point into the
    archived part: cross-run joins."""
    rng = random.Random(seed)
    specs: list[Spec] = []
    originals: list[int] = []
    for i in range(total):
        roll = rng.random()
        site = rng.choice(lang.sites)
        if i < 50 or roll < 0.68 or not originals:
            specs.append(Spec(i, i, "original", rng.randrange(len(lang.topics)), i, site))
            originals.append(i)
            continue
        source = specs[rng.choice(originals)]
        kind = "exact" if roll < 0.74 else "near" if roll < 0.94 else "followup"
        story = i if kind == "followup" else source.story
        specs.append(Spec(i, story, kind, source.topic, source.index, site))
    return specs


def render(lang: Language, spec: Spec, specs: list[Spec]) -> tuple[str, str]:
    """``(title, body_text)`` of a spec, deterministic from its index."""
    base = specs[spec.source]
    title, paragraphs = lang.story(random.Random(base.index * 7919 + 1), base.topic)
    rng = random.Random(spec.index * 104729 + 3)
    if spec.kind == "followup":
        title, own = lang.story(rng, spec.topic)
        quoted = paragraphs[rng.randrange(len(paragraphs))]
        own.insert(rng.randrange(len(own) + 1), quoted)
        paragraphs = own
    elif spec.kind == "near":
        title = " ".join(lang.word(rng) for _ in range(3)).capitalize() + ": " + title
        if rng.random() < 0.6:
            rng.shuffle(paragraphs)
        rate = rng.uniform(0.0, 0.10)
        edited = []
        for paragraph in paragraphs:
            words = paragraph.split()
            for at in range(len(words)):
                if rng.random() < rate:
                    words[at] = lang.word(rng)
            edited.append(" ".join(words))
        keep = rng.uniform(0.70, 1.0)
        chars = int(sum(len(p) for p in edited) * keep)
        paragraphs = []
        for paragraph in edited:
            if chars <= 0:
                break
            paragraphs.append(paragraph[:chars] if len(paragraph) > chars else paragraph)
            chars -= len(paragraph)
    # every page carries its own site's boilerplate, around the story (sister sites differ)
    boiler = lang.boilerplate[spec.site]
    # (an exact copy is the same body text: syndicated without any boilerplate of its own)
    body = paragraphs if spec.kind == "exact" else [boiler[0], *paragraphs, *boiler[1:]]
    return title, "\n\n".join(body)


def make_article(lang: Language, spec: Spec, specs: list[Spec]) -> Article:
    title, body = render(lang, spec, specs)
    url = f"https://{spec.site}/story/{spec.index}/"
    return Article(
        url=url,
        canonical_url=url,
        site=spec.site,
        title=title,
        body_text=body,
        blocks=[Block("paragraph", p) for p in body.split("\n\n")],
        field_sources={"canonical_url": "canonical"},
    )


def raw_page(article: Article) -> RawPage:
    page = RawPage(
        url=article.url,
        final_url=article.url,
        status=200,
        headers={"content-type": "text/html"},
        body=b"",
        fetched_at="2026-01-01T00:00:00.000000Z",
    )
    page.article = article
    return page


def run_phase(
    archive: Archive, lang: Language, specs: list[Spec], settings: dict[str, Any], timed: bool
) -> tuple[float, float, float, Counter[str]]:
    """Push ``specs`` through a fresh DedupPipeline and save them; returns (load seconds,
    dedup wall seconds, dedup CPU seconds of this thread, counters)."""
    crawler = get_crawler(Spider, settings)
    use_archive(crawler, archive)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    dedup = DedupPipeline.from_crawler(crawler)
    started = time.perf_counter()
    _ = dedup.index
    load_seconds = time.perf_counter() - started
    dedup_seconds = cpu_seconds = 0.0
    batch: list[RawPage] = []
    for number, spec in enumerate(specs, 1):
        page = raw_page(make_article(lang, spec, specs_all))
        started, cpu = time.perf_counter(), time.thread_time()
        dedup.process_item(page)
        dedup_seconds += time.perf_counter() - started
        cpu_seconds += time.thread_time() - cpu
        batch.append(page)
        if len(batch) >= 1000 or number == len(specs):
            archive.save_batch([_write(p) for p in batch])
            batch = []
        if number % 20000 == 0:
            print(f"  {number:,} / {len(specs):,}", file=sys.stderr)
    stats = Counter({k: int(v) for k, v in crawler.stats.get_stats().items() if "dedup" in k})
    del timed
    return load_seconds, dedup_seconds, cpu_seconds, stats


specs_all: list[Spec] = []


def _write(page: RawPage) -> PageWrite:
    capture = Capture(
        url=page.url,
        final_url=page.final_url,
        status=200,
        fetched_at=page.fetched_at,
        run_id="bench",
        article_id=page.article_id,
    )
    return PageWrite(capture=capture, article=page.article, action=page.action)


def pairs(groups: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def score(archive: Archive, specs: list[Spec]) -> tuple[float, float, dict[str, int]]:
    truth = {f"https://{s.site}/story/{s.index}/": s for s in specs}
    rows = archive.query("SELECT url, cluster_id FROM articles")
    cluster = {row["url"]: row["cluster_id"] for row in rows}
    true_groups: Counter[int] = Counter(truth[u].story for u in cluster)
    pred_groups: Counter[str] = Counter(cluster.values())
    both: Counter[tuple[int, str]] = Counter((truth[u].story, c) for u, c in cluster.items())
    tp, predicted, actual = pairs(both), pairs(pred_groups), pairs(true_groups)
    kinds = Counter(s.kind for s in specs)
    return tp / max(predicted, 1), tp / max(actual, 1), dict(kinds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--archived", type=int, default=100_000)
    parser.add_argument("--incoming", type=int, default=20_000)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--shingle-size", type=int, default=None)
    parser.add_argument("--bands", type=int, default=None)
    parser.add_argument("--num-perm", type=int, default=None)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    settings: dict[str, Any] = {}
    if args.threshold is not None:
        settings["NEAR_DUP_THRESHOLD"] = args.threshold
    if args.shingle_size is not None:
        settings["NEAR_DUP_SHINGLE_SIZE"] = args.shingle_size
    if args.bands is not None:
        settings["NEAR_DUP_BANDS"] = args.bands
    if args.num_perm is not None:
        settings["NEAR_DUP_NUM_PERM"] = args.num_perm
    lang = Language()
    total = args.archived + args.incoming
    specs_all[:] = make_corpus(lang, total, args.archived)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        with CrawlArchive(db) as archive:
            t0 = time.perf_counter()
            _, seconds1, cpu1, _ = run_phase(
                archive, lang, specs_all[: args.archived], settings, False
            )
            phase1 = time.perf_counter() - t0
            load, seconds2, cpu2, stats = run_phase(
                archive, lang, specs_all[args.archived :], settings, True
            )
            precision, recall, kinds = score(archive, specs_all)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from pipelines.neardup.settings import (
        DEFAULT_BANDS,
        DEFAULT_NUM_PERM,
        DEFAULT_SHINGLE_SIZE,
        DEFAULT_THRESHOLD,
    )

    threshold = args.threshold or DEFAULT_THRESHOLD
    shingle = args.shingle_size or DEFAULT_SHINGLE_SIZE
    bands = args.bands or DEFAULT_BANDS
    num_perm = args.num_perm or DEFAULT_NUM_PERM
    rate2 = args.incoming / seconds2 if seconds2 else float("inf")
    rate1 = args.archived / seconds1 if seconds1 else float("inf")
    cpu_rate2 = args.incoming / cpu2 if cpu2 else float("inf")
    cpu_rate1 = args.archived / cpu1 if cpu1 else float("inf")
    lines = [
        f"corpus: {total:,} articles ({kinds.get('original', 0):,} originals, "
        f"{kinds.get('exact', 0):,} exact copies, {kinds.get('near', 0):,} near copies, "
        f"{kinds.get('followup', 0):,} same-topic follow-ups quoting one paragraph); "
        f"{args.archived:,} archived in run 1, {args.incoming:,} in run 2",
        "",
        f"| shingle | bands x rows | threshold | precision | recall | articles/s run 2, "
        f"{args.archived:,} archived (wall / CPU) | articles/s run 1 (wall / CPU) "
        "| index load s | peak MiB |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {shingle} | {bands} x {num_perm // bands} | {threshold} | {precision:.4f} | "
        f"{recall:.4f} | {rate2:,.0f} / {cpu_rate2:,.0f} | {rate1:,.0f} / {cpu_rate1:,.0f} "
        f"| {load:.1f} | {peak_mib:,.0f} |",
        "",
        f"run 2 dedup counters: {dict(sorted(stats.items()))}; run 1 wall time incl. "
        f"generation and store: {phase1:.0f}s",
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_doc(table)
    return 0


def write_doc(table: str) -> None:
    write_section(
        "dedup",
        "## Dedup",
        "Produced by `python bench/dedup.py` (defaults: 100,000 archived + "
        "20,000 incoming), one process, an archive file in a temporary folder. articles/s counts "
        "the dedup stage only (DedupPipeline.process_item: canonical URL, archive lookup, "
        "MinHash sketch, LSH query, index update, staging), by wall clock and by the thread's "
        "CPU time (the CPU figure is the one to trust on a shared machine); peak MiB is the "
        "whole process's maximum RSS (generation and SQLite included). Load average at the "
        f"end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.\n\n"
        f"{NOTES}\n\n{table}",
    )


if __name__ == "__main__":
    raise SystemExit(main())
