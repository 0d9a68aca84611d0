"""Item pipelines, one job each: extract -> dedup -> store."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
