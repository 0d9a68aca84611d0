"""Scrapy settings for morgue. Every setting is documented in docs/settings.md.

Polite by default: robots.txt obeyed, AutoThrottle on, a small per-domain
concurrency, capped response sizes and an honest User-Agent. The HTTP cache
is off: the archive's ``captures`` table is the record of what was fetched.
"""

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
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
CONCURRENT_ITEMS = 16

# -- morgue's own settings (docs/settings.md) ------------------------------------------
ARCHIVE_PATH = "archive.db"  # where the store pipeline writes
STORE_BATCH_SIZE = 200  # captures per write transaction
STORE_FLUSH_SECONDS = 5.0  # flush a partial batch at least this often

LOG_LEVEL = "INFO"
