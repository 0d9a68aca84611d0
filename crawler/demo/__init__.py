"""The bundled demo site and the loopback server that serves it (see :mod:`crawler.demo.server`)."""

from crawler.demo.server import (
    DEMO_SEED_PATH,
    RequestRecord,
    SiteServer,
    demo_site_root,
    serve_demo_site,
    serve_site,
)

__all__ = [
    "DEMO_SEED_PATH",
    "RequestRecord",
    "SiteServer",
    "demo_site_root",
    "serve_demo_site",
    "serve_site",
]
