"""``extract()``: decode, parse once, read metadata, dates and related links, then the body."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pipelines.core.article import Article
from pipelines.core.sanitize import render_blocks
from pipelines.extraction import dates, jsonld, language, metadata, pagescan, related, zones
from pipelines.extraction.body import extract_blocks
from pipelines.extraction.decode import decode_html
from pipelines.extraction.parse import parse_html

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_DAYFIRST_LANGS = (
    "en-gb",
    "en-au",
    "en-nz",
    "en-ie",
    "en-in",
    "en-za",
    "fr",
    "de",
    "es",
    "it",
    "nl",
    "pt",
    "pl",
    "ru",
    "tr",
    "da",
    "sv",
    "nb",
    "fi",
    "cs",
)


def _dayfirst(language: str | None) -> bool | None:
    if not language:
        return None
    lang = language.lower()
    if lang.startswith("en-us") or lang == "en":
        return False
    return True if lang.startswith(_DAYFIRST_LANGS) else None


def _language(article: Article, sources: dict[str, str]) -> None:
    """The declared language is a hint: the body text decides (pipelines/extraction/
    language.py); the declared value and its source are kept beside it."""
    declared, declared_source = article.language, sources.pop("language", None)
    article.language_declared = declared
    if declared and declared_source:
        sources["language_declared"] = declared_source
    article.language, source = language.decide(declared, declared_source, article.body_text)
    if article.language and source:
        sources["language"] = source


def extract(
    html: bytes,
    url: str,
    headers: dict[str, str] | None = None,
    fetched_at: str | None = None,
) -> Article:
    """The article on one page. Never raises: problems become ``article.warnings``."""
    url = str(url or "")
    try:
        article = _extract(html, url, headers, fetched_at)
    except Exception as exc:  # noqa: BLE001 - the contract: never raise, record instead
        return _failed(url, exc)
    assert article is not None  # only a ``decide`` callback makes it None
    return article


def extract_page(
    html: bytes,
    url: str,
    headers: dict[str, str] | None = None,
    fetched_at: str | None = None,
) -> tuple[Article | None, tuple[str, str] | None]:
    """Article or hub first (:func:`pipelines.extraction.pagekind.classify`, as the spider
    decides it for a crawled page), then the article unless it is a hub, from ONE parse.
    Returns (article or None for a hub, (kind, reason) or None when nothing parsed)."""
    from pipelines.extraction.pagekind import classify

    url = str(url or "")
    decided: list[tuple[str, str]] = []

    def hub(root: Any, objs: list[dict[str, Any]]) -> bool:
        kind = classify(root, url, objs)
        decided.append((kind.kind, kind.reason))
        return kind.kind == "hub"

    try:
        article = _extract(html, url, headers, fetched_at, hub)
    except Exception as exc:  # noqa: BLE001 - the contract: never raise, record instead
        article = _failed(url, exc)
    return article, (decided[0] if decided else None)


def _failed(url: str, exc: Exception) -> Article:
    log.warning("extraction failed for %s: %r", url, exc)
    article = Article(
        url=url, canonical_url=metadata.without_fragment(url), site=metadata.host_of(url)
    )
    article.warnings.append(f"extract: failed ({exc.__class__.__name__}: {exc})")
    return article


def _extract(
    html: bytes,
    url: str,
    headers: dict[str, str] | None,
    fetched_at: str | None,
    skip: Callable[[Any, list[dict[str, Any]]], bool] | None = None,
) -> Article | None:
    """The article; None when ``skip(root, json_ld_objects)`` says the page has none."""
    text, _encoding, warnings = decode_html(html, headers)
    root, parse_notes = parse_html(text)
    warnings.extend(parse_notes)
    if root is None:
        canonical = metadata.without_fragment(url)
        article = Article(url=url, canonical_url=canonical, site=metadata.host_of(canonical))
        article.warnings.extend(warnings or ["parse: nothing to extract"])
        return article

    metas, links = metadata.collect_meta(root)
    objs = jsonld.objects(root)
    if skip is not None and skip(root, objs):
        return None
    art_obj = jsonld.article_object(objs)
    canonical, canonical_source = metadata.canonical(url, links, metas)
    zone = zones.header_zone(root, metadata.title_hint(root, metas))
    md = metadata.extract_metadata(root, url, metas, links, objs, art_obj, zone)
    found = dates.find_dates(
        root,
        metas,
        art_obj,
        url,
        fetched_at,
        _dayfirst(md.values.get("language")),
        zone=zone,
        warnings=warnings,
        language=md.values.get("language"),
    )
    page_scan = pagescan.scan(root)
    related_links = related.find_related(root, url, page_scan)
    nav = related.find_page_nav(root, url, page_scan)

    article = Article(url=url, canonical_url=canonical, site=metadata.host_of(canonical))
    sources: dict[str, str] = {"canonical_url": canonical_source}
    values: dict[str, Any] = md.values
    for key in (
        "title",
        "authors",
        "language",
        "site_name",
        "section",
        "tags",
        "description",
        "image_url",
    ):
        if key in values:
            setattr(article, key, values[key])
            sources[key] = md.sources[key]
    for kind, field in (("published", "published_at"), ("modified", "modified_at")):
        if kind in found:
            hit = found[kind]
            setattr(article, field, hit.date.value)
            setattr(article, f"{kind}_raw", hit.date.raw)
            sources[field] = hit.source
            if kind == "published":
                article.published_date = hit.date.date
                article.published_local = not hit.date.has_tz
            if not hit.date.has_tz:
                warnings.append(f"{field}: no time zone in {hit.date.raw!r}; stored as given")

    blocks, body_notes, body_method = extract_blocks(
        root, article.title, url, page_scan.name_values
    )
    warnings.extend(body_notes)
    article.blocks = blocks
    article.body_text = "\n\n".join(b.text for b in blocks if b.text)
    article.body_html = render_blocks(blocks)
    article.related = related_links
    article.next_page_url, article.prev_page_url = nav.next, nav.prev
    article.page_no, article.page_urls = nav.number, nav.numbered
    if body_method:
        sources["body"] = body_method
    _language(article, sources)
    if related_links:
        sources["related"] = "dom"
    article.field_sources = sources
    article.warnings = warnings
    return article
