"""URL canonicalisation: the one place that decides when two URLs name the same page.

The rules, each with examples in docs/urls.md:

* lower-case the scheme and host; drop the default port (80 for http, 443 for https);
* drop the fragment;
* drop tracking parameters (:data:`TRACKING_PARAMS`, and any name starting with one of
  :data:`TRACKING_PREFIXES`);
* sort what remains of the query, keeping blank values;
* normalise percent-encoding of the path and query (w3lib's ``canonicalize_url``).

Two more rules give the *canonical* URL of an article (:func:`canonical_url`):

* honour rel=canonical / og:url when they point to the same site (extraction reads them
  from the page; :func:`canonical_url` takes the page's choice and the fetched URL);
* map an AMP URL to its canonical (:func:`amp_to_canonical`): a trailing ``/amp/`` or
  ``/amp`` path segment, an ``amp/`` first segment, a ``.amp`` / ``.amp.html`` suffix,
  an ``amp.`` host prefix, and the ``amp`` / ``outputType=amp`` query flags.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only say where a click came from.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "amp",
        "outputtype",  # ?outputType=amp
        "share",
        "_ga",
        "_gl",
        "spm",
        "cmpid",
        "ocid",
        "s_cid",
        "sr_share",
        "ito",
        "xtor",
        "__twitter_impression",
        "src",
        "cmp",
        "amp_js_v",
    }
)

#: Parameter-name prefixes that mark a tracking parameter.
TRACKING_PREFIXES = (
    "utm_",
    "relatedposts_",
    "pk_",
    "mtm_",
    "hsa_",
    "_hs",
    "vero_",
    "oly_",
    "mkt_",
    "at_",
)

DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _clean(url: str) -> str:
    """The canonical form of ``url`` by the rules above; a URL it cannot parse comes back as is."""
    try:
        canonical = canonicalize_url(url.strip(), keep_fragments=False)
        parts = urlsplit(canonical)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += ":" + parts.password
        netloc = f"{userinfo}@{host}"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


@lru_cache(maxsize=4096)
def clean_url(url: str) -> str:
    """The canonical form of a link's ``url`` (:func:`_clean`); unparsable URLs come back as is.

    Pure, so cached: a crawl meets each link on several pages (issue 7), a menu's or a
    card grid's within a few dozen pages. Not for the URL of the page being processed,
    which is met a few times in that page's stages and never again: see
    :func:`clean_page_url`.
    """
    return _clean(url)


@lru_cache(maxsize=64)
def clean_page_url(url: str) -> str:
    """:func:`clean_url` for the URL of a page being processed (its fetched, canonical,
    next, previous and numbered-page URLs), with a cache of its own as short as a page's
    stages (issue 18).

    A page's URL is cleaned three or four times between extraction, stitching and dedup,
    then never again. In :func:`clean_url`'s cache of 4,096 it stayed for thousands of
    pages after its last hit: an import's main process and each extraction process held
    ~1.4 MB of such URLs, with the same hits as this cache of 64.
    """
    return _clean(url)


_AMP_SUFFIXES = (".amp.html", ".amp")


def amp_to_canonical(url: str) -> str:
    """The non-AMP URL of an AMP page (``url`` unchanged when it is not an AMP URL).

    Applied after :func:`clean_url`, whose tracking list already drops ``?amp=1`` and
    ``?outputType=amp``.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if netloc.lower().startswith("amp.") and netloc.count(".") >= 2:
        netloc = netloc[4:]
    path = parts.path
    for suffix in ("/amp/", "/amp"):
        if path.lower().endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)] + "/"
            break
    else:
        if path.lower().startswith("/amp/") and len(path) > len("/amp/"):
            path = path[len("/amp") :]
        for suffix in _AMP_SUFFIXES:
            if path.lower().endswith(suffix) and len(path) > len(suffix) + 1:
                path = path[: -len(suffix)]
                if suffix == ".amp.html":
                    path += ".html"
                break
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def canonical_url(url: str, declared: str | None = None) -> str:
    """The canonical URL of the page fetched at ``url``.

    ``declared`` is the page's own rel=canonical / og:url (as extraction found it); it
    wins when it is on the same site as ``url``. Either way the result is cleaned and
    an AMP URL is mapped to its canonical.
    """
    chosen = declared if declared and same_site(url, declared) else url
    return amp_to_canonical(clean_page_url(chosen))


def is_amp_url(url: str) -> bool:
    """Whether ``url`` names an AMP variant (:func:`amp_to_canonical` would change it)."""
    return amp_to_canonical(clean_url(url)) != clean_url(url)


def same_site(url_a: str, url_b: str) -> bool:
    """Whether two URLs are on the same host (ignoring a leading ``www.`` and the scheme)."""
    a = (urlsplit(url_a).hostname or "").lower().removeprefix("www.")
    b = (urlsplit(url_b).hostname or "").lower().removeprefix("www.")
    return bool(a) and a == b
