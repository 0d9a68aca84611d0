"""Published and modified dates: find them on the page and normalise them to ISO-8601 UTC.

A date with a time zone becomes ``YYYY-MM-DDTHH:MM:SSZ``. A date without one is
stored as given (``YYYY-MM-DDTHH:MM:SS`` or ``YYYY-MM-DD``) and flagged
(``ParsedDate.has_tz`` is False). Relative forms ("2 hours ago", "yesterday")
are resolved against ``fetched_at``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from dateutil import parser as du_parser
from dateutil.relativedelta import relativedelta
from lxml import etree

from pipelines.extraction import jsonld, zonenames

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = (
    r"(?:,?\s*(?:at\s+|@\s*|-\s*|\|\s*)?\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?\s*(?:[ap]\.?m\b\.?)?"
    r"|,?\s*(?:at\s+)?\d{1,2}\s*[ap]\.?m\b\.?)"
)
_ZONE = (
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|"
    + "|".join(zonenames.ABBREVIATIONS)
    + r")\b)?"
)
_DATE_IN_TEXT = re.compile(
    r"(?P<d>"
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?:{_TIME})?{_ZONE}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}(?:{_TIME})?{_ZONE}"
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}(?:{_TIME})?{_ZONE}"
    rf"|\d{{4}}[/.]\d{{1,2}}[/.]\d{{1,2}}(?:{_TIME})?{_ZONE}"
    r")",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s*"
    r"(?P<unit>s(?:ec(?:ond)?s?)?|m(?:in(?:ute)?s?)?|h(?:(?:ou)?rs?)?|d(?:ays?)?|w(?:ee)?ks?|"
    r"mo(?:nth)?s?|y(?:ea)?rs?)\s+ago\b",
    re.IGNORECASE,
)
_WORD_DAYS = re.compile(r"\b(just now|today|yesterday)\b", re.IGNORECASE)
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_CLOCK = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*(?:"
    + "|".join(zonenames.ABBREVIATIONS)
    + r")\b)?",
    re.IGNORECASE,
)
_TIMESTAMP = re.compile(r"^\d{10}(?:\d{3})?$")
_UPDATED = re.compile(
    r"\b(?:updated|modified|last (?:updated|modified)|edited|revised)\b", re.IGNORECASE
)
_PUBLISHED = re.compile(r"\b(?:published|posted|first published|created|released)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedDate:
    """A normalised date, the string it came from, whether it carried a zone, and the
    calendar day as the page wrote it (``YYYY-MM-DD``, in the page's own zone)."""

    value: str
    raw: str
    has_tz: bool
    day: str = ""

    @property
    def date(self) -> str:
        """``YYYY-MM-DD``: the day the page gave (its own zone's, not UTC's)."""
        return self.day or self.value[:10]


def parse_fetched_at(fetched_at: str | None) -> datetime | None:
    """``fetched_at`` as an aware UTC datetime (naive values are taken as UTC)."""
    if not fetched_at:
        return None
    try:
        dt = du_parser.isoparse(fetched_at)
    except (ValueError, OverflowError):
        try:
            dt = du_parser.parse(fetched_at)
        except (ValueError, OverflowError):
            return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _relative(text: str, fetched_at: str | None) -> datetime | None:
    now = parse_fetched_at(fetched_at)
    if now is None:
        return None
    match = _RELATIVE.search(text)
    if match:
        raw_n = match.group("n").lower()
        n = int(raw_n) if raw_n.isdigit() else _NUMBERS.get(raw_n, 1)
        unit = match.group("unit").lower()
        if unit.startswith("mo"):
            return now - relativedelta(months=n)
        if unit.startswith("s"):
            return now - timedelta(seconds=n)
        if unit.startswith("m"):
            return now - timedelta(minutes=n)
        if unit.startswith("h"):
            return now - timedelta(hours=n)
        if unit.startswith("d"):
            return now - timedelta(days=n)
        if unit.startswith("w"):
            return now - timedelta(weeks=n)
        return now - relativedelta(years=n)
    word = _WORD_DAYS.search(text)
    if word:
        day = now - timedelta(days=1) if word.group(1).lower() == "yesterday" else now
        if word.group(1).lower() == "just now":
            return now
        found = re.search(r"(\d{1,2}):(\d{2})\s*([ap])?\.?m?", text[word.end() :], re.IGNORECASE)
        if found:
            hour, minute = int(found.group(1)), int(found.group(2))
            if found.group(3) and found.group(3).lower() == "p" and hour < 12:
                hour += 12
            if found.group(3) and found.group(3).lower() == "a" and hour == 12:
                hour = 0
            if hour < 24 and minute < 60:
                return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return day
    return None


_ISO = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s?(Z|[+-]\d{2}:?\d{2})?)?$"
)


def _iso(text: str, raw: str) -> ParsedDate | Literal[False] | None:
    """The fast path for the ISO-8601 values of meta tags and JSON-LD: the date, False
    when it is ISO but implausible, None when it is not ISO (dateutil reads it)."""
    match = _ISO.match(text)
    if not match:
        return None
    day, clock, zone = match.groups()
    if clock and "." in clock:
        whole, frac = clock.split(".")
        clock = f"{whole}.{frac[:6]:0<6}"
    zone = "+00:00" if zone == "Z" else zone
    try:
        dt = datetime.fromisoformat(f"{day}T{clock}{zone or ''}" if clock else day)
    except ValueError:
        return None
    if not 1990 <= dt.year <= 2100:
        return False
    if dt.tzinfo is not None:
        return ParsedDate(_fmt(dt), raw, True, dt.strftime("%Y-%m-%d"))
    if clock:
        return ParsedDate(dt.strftime("%Y-%m-%dT%H:%M:%S"), raw, False)
    return ParsedDate(day, raw, False)


def parse_date(
    raw: str | None,
    fetched_at: str | None = None,
    dayfirst: bool | None = None,
    language: str | None = None,
) -> ParsedDate | None:
    """Normalise one date string; None when it holds no plausible date. Never raises."""
    if not raw or not isinstance(raw, str):
        return None
    text = " ".join(raw.split())
    if not text or len(text) > 300:
        return None
    if _TIMESTAMP.match(text):
        seconds = int(text[:10])
        try:
            dt = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return ParsedDate(_fmt(dt), raw, True) if 1990 <= dt.year <= 2100 else None
    iso = _iso(text, raw)
    if iso is not None:
        return iso or None
    relative = _relative(text, fetched_at)
    if relative is not None and not _DATE_IN_TEXT.search(text):
        return ParsedDate(_fmt(relative), raw, True)
    match = _DATE_IN_TEXT.search(text)
    candidate = match.group("d") if match else text
    if match and ":" not in candidate:
        # "5:27 am CST, Wednesday, November 20, 2019": the time comes before the date
        rest = text[: match.start()] + " " + text[match.end() :]
        clock = _CLOCK.search(rest)
        if clock:
            candidate = f"{candidate} {clock.group(0)}"
    candidate = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", candidate)
    candidate = re.sub(r"\s(?:at|@)\s", " ", candidate)
    candidate = re.sub(r"(?<=\d{4})\s*[|-]\s*(?=\d{1,2}[:\s])", " ", candidate)
    candidate = re.sub(r"([ap])\.m\.?", r"\1m", candidate, flags=re.IGNORECASE)
    is_iso = bool(re.match(r"^\d{4}-\d{2}-\d{2}", candidate))
    if dayfirst is None:
        dayfirst = bool(re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}", candidate))
    read = _dateutil(candidate, dayfirst and not is_iso, is_iso, language, datetime(1, 1, 1))
    if read is None or read.year == 1 or not 1990 <= read.year <= 2100:
        return None
    dt = read
    if match is None and not _TIMESTAMP.match(text):
        # free text: a year or a month alone ("2019", "January 2024") is not a day
        other = _dateutil(candidate, dayfirst and not is_iso, is_iso, language, datetime(1, 2, 2))
        if other is None or (other.month, other.day) != (dt.month, dt.day):
            return None
    if not re.search(r"\d{4}|'\d{2}\b|\d{1,2}[/.]\d{1,2}[/.]\d{2}\b", candidate):
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}|\d\s*[ap]m\b|T\d{2}", candidate, re.IGNORECASE))
    if dt.tzinfo is not None and dt.utcoffset() is not None:
        return ParsedDate(_fmt(dt), raw, True, dt.strftime("%Y-%m-%d"))
    if has_time:
        return ParsedDate(dt.strftime("%Y-%m-%dT%H:%M:%S"), raw, False)
    return ParsedDate(dt.strftime("%Y-%m-%d"), raw, False)


def _dateutil(
    text: str, dayfirst: bool, yearfirst: bool, language: str | None, default: datetime
) -> datetime | None:
    """dateutil's reading of ``text``, the missing parts taken from ``default``."""
    try:
        return du_parser.parse(
            text,
            dayfirst=dayfirst,
            yearfirst=yearfirst,
            tzinfos=lambda name, offset: zonenames.zone_for(name, offset, language),
            default=default,
        )
    except (ValueError, OverflowError, TypeError, du_parser.ParserError):
        return None


def split_dateline(text: str) -> tuple[str | None, str | None]:
    """Split a visible dateline into its (published, updated) parts.

    "Published June 3, 2025 | Updated June 4, 2025" gives both; a lone
    "Updated ..." gives only the second.
    """
    text = " ".join(text.split())
    updated = _UPDATED.search(text)
    if not updated:
        return text, None
    before, after = text[: updated.start()], text[updated.end() :]
    published = before if _DATE_IN_TEXT.search(before) or _RELATIVE.search(before) else None
    if published is None:
        # "Updated X, published Y" order
        pub = _PUBLISHED.search(after)
        if pub:
            published, after = after[pub.end() :], after[: pub.start()]
    return published, after


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "parsely-pub-date",
    "og:published_time",
    "citation_publication_date",
    "timestamp",
    "article.published",
    "originalpublicationdate",
    "displaydate",
    "published",
    "published-date",
    "published_date",
    "publisheddate",
    "publication_date",
    "og:publish_date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "article.updated",
    "lastmod",
    "dc.date.modified",
    "og:modified_time",
    "modified-date",
)


_ITEMPROPS = etree.XPath("//@itemprop")


@dataclass(frozen=True)
class FoundDate:
    """A normalised date and the source that gave it: ``jsonld``, ``meta`` (meta tags and
    ``itemprop``), ``time``, ``text`` (a dateline near the headline), ``url`` or ``htmldate``."""

    date: ParsedDate
    source: str


#: The earliest publication date believed: the web's articles start here.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
_LABEL_UPDATED = re.compile(
    r"(?:updated|modified|edited|revised|refreshed|aktualisiert|mis à jour|actualizado)"
    r"(?:\s+(?:on|at|in))?\W*$",
    re.IGNORECASE,
)
_LABEL_PUBLISHED = re.compile(
    r"(?:published|posted|released|written|created|date|veröffentlicht|publié|publicado)"
    r"(?:\s+(?:on|at|in))?\W*$",
    re.IGNORECASE,
)
_LABEL_REVIEWED = re.compile(
    r"(?:reviewed|fact[- ]?checked|verified|approved|tested)(?:\s+(?:on|at|by\s+[^•]{0,60}))?"
    r"\W*(?:on\W*)?$",
    re.IGNORECASE,
)


def _instant(parsed: ParsedDate) -> datetime | None:
    """The parsed date as an aware datetime (a zoneless one taken as UTC, for sanity checks)."""
    try:
        dt = datetime.fromisoformat(parsed.value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def plausible(parsed: ParsedDate, fetched_at: str | None) -> str | None:
    """None when the date can be a publication date; else why not (a warning's text)."""
    dt = _instant(parsed)
    if dt is None:
        return f"unreadable date {parsed.raw!r}"
    if dt < EARLIEST:
        return f"{parsed.raw!r} is before 1995"
    now = parse_fetched_at(fetched_at) or datetime.now(UTC)
    # a zoneless date may be up to a day ahead of UTC on the far side of the date line
    if dt > now + timedelta(days=0 if parsed.has_tz else 1):
        return f"{parsed.raw!r} is later than the fetch time"
    return None


def header_dates(
    text: str,
    fetched_at: str | None = None,
    dayfirst: bool | None = None,
    language: str | None = None,
) -> list[tuple[str, ParsedDate]]:
    """The dates written in a stretch of header text, in order, each with its label:
    ``published``, ``updated``, ``reviewed`` or ``plain`` (no label)."""
    out: list[tuple[str, ParsedDate]] = []
    for match in _DATE_IN_TEXT.finditer(text):
        if len(out) >= 4:
            break
        parsed = parse_date(match.group("d"), fetched_at, dayfirst, language)
        if parsed is None or plausible(parsed, fetched_at):
            continue
        lead = text[max(0, match.start() - 90) : match.start()]
        lead = lead.replace("\u2022", " ").rstrip(" :|-–—,")
        # the nearest label wins: "Reviewed by X • Updated on DATE" is an updated date
        if _LABEL_UPDATED.search(lead[-30:]):
            label = "updated"
        elif _LABEL_PUBLISHED.search(lead[-30:]):
            label = "published"
        elif _LABEL_REVIEWED.search(lead):
            label = "reviewed"
        else:
            label = "plain"
        out.append((label, parsed))
    return out


def header_date(
    zone: Any,
    fetched_at: str | None = None,
    dayfirst: bool | None = None,
    language: str | None = None,
) -> tuple[ParsedDate, str] | None:
    """The date shown beside the headline, and its label: a published one first, then an
    unlabelled one, then an updated one (a page that shows only that is dated by it);
    a reviewed-on date never. Below the headline first, else the nearest above it."""
    if zone is None:
        return None
    after = header_dates(zone.after, fetched_at, dayfirst, language)
    for wanted in ("published", "plain", "updated"):
        for label, parsed in after:
            if label == wanted:
                return parsed, label
    before = [
        d for d in header_dates(zone.before, fetched_at, dayfirst, language) if d[0] != "reviewed"
    ]
    if before:
        label, parsed = before[-1]
        return parsed, label
    return None


def same_day(a: ParsedDate, b: ParsedDate) -> bool:
    """The same calendar day, in UTC or in the zone the page wrote it in."""
    return bool({a.value[:10], a.date} & {b.value[:10], b.date})


_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})[/.-](\d{1,2})[/.-](?:\d{4}|\d{2})(?![\d.])")


def swapped(parsed: ParsedDate) -> ParsedDate:
    """The other reading of an all-numeric date whose day and month could trade places
    ("09.10.2024": 9 October or September 10); the date itself when it has only one."""
    match = _NUMERIC_DATE.search(parsed.raw)
    if parsed.has_tz or not match or not re.match(r"\d{4}-\d{2}-\d{2}", parsed.value):
        return parsed
    first, second = int(match.group(1)), int(match.group(2))
    if first == second or first > 12 or second > 12:
        return parsed
    value = parsed.value
    return ParsedDate(f"{value[:5]}{value[8:10]}-{value[5:7]}{value[10:]}", parsed.raw, False)


def find_dates(  # noqa: PLR0917 - the page parts are parsed once, upstream
    root: Any,
    meta: dict[str, list[str]],
    article: dict[str, Any] | None,
    url: str,
    fetched_at: str | None = None,
    dayfirst: bool | None = None,
    zone: Any = None,
    warnings: list[str] | None = None,
    language: str | None = None,
) -> dict[str, FoundDate]:
    """The page's ``published`` and ``modified`` dates, each from its best source.

    Structured sources first (JSON-LD, meta tags, ``itemprop``, a ``<time>``); then the
    dateline beside the headline (``zone``), which also wins over a structured date it
    contradicts; then datelines by class name and the URL; htmldate last, only for pages
    none of these date. A date before 1995 or after the fetch is refused, with a warning
    in ``warnings``. docs/benchmarks.md (metadata) holds the measurements behind the order.
    """
    from pipelines.extraction import selectors as sel

    found: dict[str, FoundDate] = {}
    notes = warnings if warnings is not None else []

    def offer(kind: str, raw: Any, source: str) -> None:
        if kind in found or not isinstance(raw, str):
            return
        parsed = parse_date(raw, fetched_at, dayfirst, language)
        if parsed is None:
            return
        why = plausible(parsed, fetched_at)
        if why:
            notes.append(f"{kind}_at: refused {source} date: {why}")
            return
        found[kind] = FoundDate(parsed, source)

    for obj in _with_main_entity(article):
        published = obj.get("datePublished") or obj.get("dateCreated")
        offer("published", jsonld.text_value(published), "jsonld")
        offer("modified", jsonld.text_value(obj.get("dateModified")), "jsonld")
    for key in _PUBLISHED_META:
        for value in meta.get(key, ()):
            offer("published", value, "meta")
    for key in _MODIFIED_META:
        for value in meta.get(key, ()):
            offer("modified", value, "meta")
    if root is None:
        return found
    if "published" not in found or "modified" not in found:
        for prop in _ITEMPROPS(root):  # the attributes: cheaper than every element
            kind = {"datePublished": "published", "dateModified": "modified"}.get(str(prop))
            if kind:
                el = prop.getparent()
                offer(kind, el.get("content") or el.get("datetime") or el.text_content(), "meta")
    if "published" not in found:
        _offer_time_elements(root, offer)
    shown = header_date(zone, fetched_at, dayfirst, language)
    if shown is not None:
        parsed, label = shown
        have = found.get("published")
        if have is None:
            found["published"] = FoundDate(parsed, "text")
        elif not same_day(have.date, parsed) and not same_day(have.date, swapped(parsed)):
            # the page's head and its visible dateline disagree: htmldate referees. A
            # published or unlabelled dateline wins unless htmldate sides with the
            # structured date; an "Updated" one only where htmldate sides with it
            referee = parse_date(_htmldate(root, url, fetched_at) or "")
            if label == "updated":
                wins = referee is not None and same_day(referee, parsed)
            else:
                wins = referee is None or not same_day(referee, have.date)
            if wins:
                found["published"] = FoundDate(parsed, "text")
    if "published" not in found:
        for el in sel.DATELINE_XPATH(root)[:8]:
            published, updated = split_dateline(el.text_content())
            if published:
                offer("published", published, "text")
            if updated:
                offer("modified", updated, "text")
    if "published" not in found:
        match = sel.URL_DATE.search(url)
        if match:
            year, month, day = match.groups()
            offer("published", f"{year}-{int(month):02d}-{int(day):02d}", "url")
    if "published" not in found:
        guess = _htmldate(root, url, fetched_at)
        modified = found.get("modified")
        if (
            guess
            and modified
            and modified.source in ("jsonld", "meta")
            and guess[:10] in (modified.date.date, modified.date.value[:10])
        ):
            # htmldate falls back to the head's modified date where the page gives no
            # published one (a page that shows only its "Updated" date is dated by that)
            notes.append(f"published_at: htmldate's {guess} is the page's modified date; not taken")
        elif guess and not shown_on_page(root, guess, dayfirst, language):
            # read from a script's data, an image's file name or an attribute: not a
            # date the page shows its reader
            notes.append(f"published_at: htmldate's {guess} is not shown on the page; not taken")
        else:
            offer("published", guess, "htmldate")
    return found


_SHOWN_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)
#: How many dates of the page's text :func:`shown_on_page` reads before it gives up.
SHOWN_LIMIT = 200


def shown_on_page(root: Any, day: str, dayfirst: bool | None, language: str | None) -> bool:
    """Whether the page's visible text writes the calendar day ``day`` (``YYYY-MM-DD``)
    in any form the dateline reader knows."""
    text = " ".join(str(t) for t in _SHOWN_TEXT(root))
    for n, match in enumerate(_DATE_IN_TEXT.finditer(text)):
        if n >= SHOWN_LIMIT:
            break
        parsed = parse_date(match.group("d"), None, dayfirst, language)
        if parsed is not None and day[:10] in (parsed.value[:10], parsed.date):
            return True
    return False


def _with_main_entity(article: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The JSON-LD article object, then the object it names as its ``mainEntity`` (a
    WebPage whose Article is nested in it). Their dates may be lists or objects too."""
    if not article:
        return []
    main = article.get("mainEntity")
    if isinstance(main, list):
        main = main[0] if main else None
    return [article, main] if isinstance(main, dict) else [article]


def _offer_time_elements(root: Any, offer: Any) -> None:
    times = list(root.iter("time"))
    times.sort(
        key=lambda t: (
            0
            if t.get("pubdate") is not None
            or "publish" in (t.get("class") or "")
            or "entry-date" in (t.get("class") or "")
            else 1
        )
    )
    for el in times[:6]:
        cls = el.get("class") or ""
        kind = "modified" if "updated" in cls or "modified" in cls else "published"
        offer(kind, el.get("datetime") or el.text_content(), "time")


def _htmldate(root: Any, url: str, fetched_at: str | None) -> str | None:
    """htmldate's original-date guess in its fast mode, on the already-parsed tree."""
    from htmldate import find_date

    now = parse_fetched_at(fetched_at) or datetime.now(UTC)
    try:
        return find_date(
            root,
            url=url or None,
            original_date=True,
            extensive_search=False,
            min_date=EARLIEST.strftime("%Y-%m-%d"),
            max_date=now.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError) as exc:  # htmldate's own failures: no date from it
        log.debug("htmldate failed on %s: %r", url, exc)
        return None
