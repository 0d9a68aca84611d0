"""The Scrapy project: settings, spiders and middlewares. Spiders fetch and follow; they never clean or store."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
