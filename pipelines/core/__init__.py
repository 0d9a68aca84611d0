"""Pure code shared by every layer: no I/O, no Scrapy, no SQL.

The article model (:mod:`.article`), the raw capture records (:mod:`.records`),
multi-page composition (:mod:`.pages`), the body renderer (:mod:`.sanitize`),
URL rules (:mod:`.urls`), secret redaction (:mod:`.redact`) and the clock
(:mod:`.clock`). Everything above (the archive, the pipeline stages, the crawler
and the CLI) may import from here; nothing here imports from them.
"""
