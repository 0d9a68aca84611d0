"""morgue's Scrapy commands (``COMMANDS_MODULE = "crawler.commands"``)."""
