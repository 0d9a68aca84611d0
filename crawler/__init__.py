"""The Scrapy project: settings, spiders and middlewares.

Spiders fetch and follow links; they never clean or store anything.
"""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
