"""Scrapy settings for morgue. Every setting is documented in docs/settings.md.

Polite by default: robots.txt obeyed, AutoThrottle on, a small per-domain
concurrency, capped response sizes and an honest User-Agent. The HTTP cache
is off: the archive's ``captures`` table is the record of what was fetched.
"""

import archive as _archive

BOT_NAME = "morgue"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- Identity and politeness ---------------------------------------------------
USER_AGENT = "morgue/0.1 (+https://github.com/morgue-archive/morgue; research web archiver)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # 10 MiB: no article page is bigger
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False

# -- Scope ---------------------------------------------------------------------
DEPTH_LIMIT = 3
DEPTH_STATS_VERBOSE = True

# -- Things morgue deliberately does not want -----------------------------------
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False  # no listener on a port by default
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's localhost control server and job file

# -- Pipelines: extract -> dedup -> store -----------------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.stitch.StitchPipeline": 150,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
# Items processed in parallel per response: Scrapy's default of 100 starts ~100 asyncio
# tasks per response; a page yields one item, so a few are plenty (issue 7).
CONCURRENT_ITEMS = 8
EXTRACT_BATCH_SIZE = 32  # pages handed to an extraction worker at once (issue 7)
EXTRACT_BATCH_SECONDS = 0.1  # a partial batch waits at most this long
EXTRACT_BATCH_BYTES = 4 * 1024 * 1024  # ...or its bodies reach this size (#18)
EXTRACT_MAX_BYTES = 5 * 1024 * 1024  # a bigger page is kept raw, not extracted (#20)
EXTRACT_TIMEOUT = 120  # s a batch may take in the pool; then its page is given up (#18)
# glibc's mmap threshold, fixed: buffers of a page or more are mapped on their own and
# given back when freed, so a long run's heap does not fragment and grow (issue 18)
MALLOC_MMAP_THRESHOLD = 128 * 1024
# ...and one arena for all the main process's threads, which would fragment one each
MALLOC_ARENA_MAX = 1

# -- morgue's own settings (docs/settings.md) ------------------------------------------
ARCHIVE_PATH = _archive.DEFAULT_PATH  # where the store pipeline writes ("archive.db")
STORE_BATCH_SIZE = 200  # captures per write transaction
STORE_BATCH_BYTES = 32 * 1024 * 1024  # ...or fewer, once they hold this much (#18)
STORE_FLUSH_SECONDS = 5.0  # flush a partial batch at least this often

# -- Hostile sites and crash safety (issue 6; docs/settings.md, docs/reliability.md) --------
# Retry with per-domain backoff (replaces Scrapy's RetryMiddleware), the
# private-network guard ahead of robots.txt, resume replay from the archive,
# and trap rules on every request the spider yields.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.netguard.NetGuardMiddleware": 60,
    "crawler.middlewares.replay.ReplayMiddleware": 540,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.BackoffRetryMiddleware": 550,
    # names the Content-Encoding HttpCompressionMiddleware (590) decodes (issue 18)
    "crawler.middlewares.contentencoding.ContentEncodingNoteMiddleware": 595,
    "crawler.middlewares.redirects.RedirectLoopMiddleware": 650,
    "crawler.middlewares.siteproxy.SiteProxyMiddleware": 740,  # before HttpProxyMiddleware
    "crawler.middlewares.connectguard.ConnectGuardMiddleware": 760,  # after HttpProxyMiddleware
}
# The guard again at connect time, on the address actually connected to: DNS rebinding
# cannot slip a private address past NetGuardMiddleware (docs/security.md).
TWISTED_DNS_RESOLVER = "crawler.middlewares.connectguard.GuardedResolver"
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.recrawl.RecrawlMiddleware": 50,  # issue 4: skip fresh pages
    "crawler.middlewares.traps.TrapMiddleware": 850,
}
# JOBDIR holds morgue's capture journal; Scrapy's own queue and seen-set files
# do not survive kill -9, so requests are kept in memory (crawler/jobstate.py).
SCHEDULER = "crawler.jobstate.MemoryScheduler"
DUPEFILTER_CLASS = "crawler.jobstate.MemoryDupeFilter"
SITE_PROXIES: dict[str, str] = {}  # host -> proxy URL it is fetched through (`morgue demo`)
ALLOW_PRIVATE_NETWORKS = False  # links to private/loopback/link-local hosts other than a seed's
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # each give-up is a captures row, not an error of morgue's
RETRY_BACKOFF_BASE = 1.0  # seconds; doubled per failure in a row on one domain
RETRY_BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 120.0  # a Retry-After longer than this is waited only this long
ROBOTSTXT_CRAWL_DELAY_MAX = 10.0  # robots.txt Crawl-delay honoured up to this
TRAP_MAX_URL_LENGTH = 2000
TRAP_MAX_QUERY_PARAMS = 12
TRAP_MAX_QUERY_VARIANTS = 50  # distinct query strings on one path
TRAP_MAX_SEGMENT_REPEATS = 3  # one path segment at most this many times
TRAP_SITE_BUDGET = 20000  # distinct pages per host; 0 = no budget

# -- Discovery (issue 8; docs/scheduling.md) ----------------------------------------
HUB_PAGES = 2  # pages of a hub (home, section, tag...) followed: the newest items only

# -- Incremental crawls, one run per archive, cron exit codes (issue 4; docs/scheduling.md)
EXTENSIONS = {
    "crawler.extensions.runlock.RunLockExtension": 0,
    "crawler.extensions.quietlog.QuietLogExtension": 1,  # #20: one line per failed seed
    "crawler.extensions.warcwriter.WarcWriterExtension": 500,  # issue 18: WARC_DIR
    "crawler.extensions.malloc.MallocExtension": 2,  # issue 18: MALLOC_MMAP_THRESHOLD
}
COMMANDS_MODULE = "crawler.commands"
RECRAWL_AFTER = 7 * 86400  # seconds; 0 = re-fetch every known page every run
RECRAWL_REFERENCE = None  # an archive asked too, read-only (set by `morgue crawl --workers`)
RUN_LOCK_WAIT = 0.0  # seconds a second run waits for the archive's lock

# -- De-duplication and near copies (issue 4; docs/dedup.md) --------------------------
NEAR_DUP_ENABLED = True
NEAR_DUP_THRESHOLD = 0.5  # estimated containment of the smaller text's shingles
NEAR_DUP_SHINGLE_SIZE = 3  # words per shingle
NEAR_DUP_NUM_PERM = 64  # MinHash permutations
NEAR_DUP_BANDS = 32  # LSH bands (rows per band = NUM_PERM / BANDS)
NEAR_DUP_BOILERPLATE_MIN = 3  # articles of one site that make a paragraph boilerplate

# -- Several workers, one Redis frontier (issue 9; docs/scaleout.md) ----------------------
MORGUE_FRONTIER = ""  # redis://[:password@]host:port/db; empty = Scrapy's own scheduler
MORGUE_JOB_ID = ""  # names the crawl's Redis keys; required with MORGUE_FRONTIER
MORGUE_FRONTIER_SEED = True  # this worker enqueues the seeds (off: join a seeded job)
MORGUE_FRONTIER_WORKER_TTL = 10.0  # seconds a dead worker's leases stay before requeue
MORGUE_FRONTIER_SEED_WAIT = 300.0  # seconds a worker waits for a seed worker
MORGUE_FRONTIER_ACK_SECONDS = 5.0  # finished requests are committed and acked this often

# -- Web archive of the crawl (issue 18; docs/warc.md) ------------------------------------
WARC_DIR = ""  # a folder: every response as downloaded, in WARC files; empty = none
WARC_MAX_BYTES = 1_000_000_000  # a new WARC file once one holds this many bytes (1 GB)

LOG_LEVEL = "INFO"
