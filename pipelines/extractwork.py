"""What an extraction process runs: a batch of pages to articles, packed bodies and
sketches. Pure of Scrapy, so a pool process imports only this and the extractor.

The pool pickles :func:`work_batch` by name, and a worker imports its module to run it.
It lived in :mod:`pipelines.extract`, beside the pipeline class, whose imports
(``itemadapter``, and through it Scrapy, Twisted, pydantic and OpenSSL) then came into
every extraction process: a process that imported it and extracted five demo pages
held 80 MiB, against 46 MiB with this module alone, and took 0.44 s to import it
against 0.19 (each process's start, after a worker's death too).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pipelines.core.records import PackedBody
from pipelines.extraction import extract
from pipelines.extraction.extract import extract_page
from pipelines.workpool import peak_rss_mib

if TYPE_CHECKING:
    from pipelines.core.article import Article
    from pipelines.neardup import Sketch, SketchParams

#: One page's work: (body, url, headers, fetched_at, extract it?, near-dup sketch params,
#: decide its page kind first?).
Job = tuple[bytes, str, Any, Any, bool, "SketchParams | None", bool]
#: What comes back: the article (None when not asked for, or for a hub), the packed body,
#: the MinHash sketch of the article's body text as (that text, params, sketch) for the
#: dedup stage, which uses it when it sketches that same text (no boilerplate left out),
#: and the page kind as (kind, reason) when it was asked for.
Done = tuple[
    "Article | None",
    PackedBody,
    "tuple[str, SketchParams, Sketch] | None",
    "tuple[str, str] | None",
]


def work_batch(jobs: list[Job]) -> tuple[list[Done], float, float]:
    """:func:`work` in a pool process, with the CPU seconds it took there and the
    process's peak RSS (``morgue/extract/worker_cpu_s`` and ``worker_peak_rss_mib``: the
    crawl's own figures miss its pool's)."""
    started = time.process_time()
    done = work(jobs)
    return done, time.process_time() - started, peak_rss_mib()


def work(jobs: list[Job]) -> list[Done]:
    """A batch of pages, in a worker process (or inline): extract, hash, compress."""
    from pipelines.neardup import sketch

    done: list[Done] = []
    for body, url, headers, fetched_at, wanted, params, classify in jobs:
        kind = None
        if wanted and classify:  # a hub is never stored as an article (its capture is)
            article, kind = extract_page(body, url, headers=headers, fetched_at=fetched_at)
        elif wanted:
            article = extract(body, url, headers=headers, fetched_at=fetched_at)
        else:
            article = None
        pre = None
        if article is not None:
            # computed here, on a worker core; cached on the article and pickled with it
            _ = article.id, article.content_hash, article.word_count
            if params is not None and article.body_text.strip():
                pre = (article.body_text, params, sketch(article.body_text, params))
        done.append((article, PackedBody.pack(body), pre, kind))
    return done
