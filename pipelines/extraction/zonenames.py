"""Time-zone names and abbreviations a page may write after a time ("1:38 PM IST").

Each abbreviation maps to one UTC offset (seconds) or, for the US names that do not say
whether daylight saving applies ("10 a.m. ET"), to an IANA zone. Several abbreviations
name more than one zone; the choice for each is documented in docs/schema.md
("Time zones") and in ``AMBIGUOUS``: the page's language decides where it can, else the
zone most pages that write the abbreviation mean.
"""

from __future__ import annotations

from typing import Any

from dateutil.tz import gettz, tzoffset

_H = 3600

#: Abbreviation -> offset in seconds east of UTC.
OFFSETS: dict[str, int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "UT": 0,
    "WET": 0,
    "WEST": _H,
    "BST": _H,  # British Summer Time (see AMBIGUOUS)
    "IST": 5 * _H + 1800,  # India (see AMBIGUOUS)
    "CET": _H,
    "CEST": 2 * _H,
    "MET": _H,
    "MEST": 2 * _H,
    "EET": 2 * _H,
    "EEST": 3 * _H,
    "MSK": 3 * _H,
    "TRT": 3 * _H,
    "AST": -4 * _H,  # Atlantic (see AMBIGUOUS)
    "ADT": -3 * _H,
    "NST": -3 * _H - 1800,
    "NDT": -2 * _H - 1800,
    "EST": -5 * _H,
    "EDT": -4 * _H,
    "CST": -6 * _H,  # US Central (see AMBIGUOUS)
    "CDT": -5 * _H,
    "MST": -7 * _H,
    "MDT": -6 * _H,
    "PST": -8 * _H,
    "PDT": -7 * _H,
    "AKST": -9 * _H,
    "AKDT": -8 * _H,
    "HST": -10 * _H,
    "BRT": -3 * _H,
    "ART": -3 * _H,
    "AMT": 4 * _H,  # Armenia (see AMBIGUOUS)
    "GST": 4 * _H,  # Gulf
    "PKT": 5 * _H,
    "NPT": 5 * _H + 2700,
    "ICT": 7 * _H,
    "WIB": 7 * _H,
    "WITA": 8 * _H,
    "WIT": 9 * _H,
    "HKT": 8 * _H,
    "SGT": 8 * _H,
    "MYT": 8 * _H,
    "PHT": 8 * _H,
    "AWST": 8 * _H,
    "JST": 9 * _H,
    "KST": 9 * _H,
    "ACST": 9 * _H + 1800,
    "ACDT": 10 * _H + 1800,
    "AEST": 10 * _H,
    "AEDT": 11 * _H,
    "NZST": 12 * _H,
    "NZDT": 13 * _H,
    "EAT": 3 * _H,
    "CAT": 2 * _H,
    "WAT": _H,
    "SAST": 2 * _H,
}

#: Names without daylight-saving state: the zone's own rules decide the offset.
NAMED: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}

#: Abbreviations naming several zones: (language prefix, offset) pairs tried in order;
#: without a matching language the entry in OFFSETS stands.
AMBIGUOUS: dict[str, tuple[tuple[str, int], ...]] = {
    "IST": (("en-ie", _H), ("ga", _H), ("he", 2 * _H), ("iw", 2 * _H)),  # Irish, Israel
    "AMT": (("pt", -4 * _H),),  # Amazon Time for Portuguese pages
    "CST": (("zh", 8 * _H), ("es-cu", -5 * _H)),  # China, Cuba
    "BST": (("bn", 6 * _H),),  # Bangladesh
    "AST": (("ar", 3 * _H),),  # Arabia
    "GST": (("en-gs", -2 * _H),),  # South Georgia
}

#: Every abbreviation the date patterns look for after a time (longest first).
ABBREVIATIONS = tuple(sorted((*OFFSETS, *NAMED), key=len, reverse=True))


def zone_for(name: str | None, offset: int | None, language: str | None = None) -> Any:
    """dateutil's ``tzinfos`` callback: the zone an abbreviation names on this page."""
    if not name:
        return None if offset is None else tzoffset(None, offset)
    key = name.upper()
    if key in NAMED:
        return gettz(NAMED[key])
    if key in OFFSETS:
        seconds = OFFSETS[key]
        lang = (language or "").lower()
        for prefix, alternative in AMBIGUOUS.get(key, ()):
            if lang.startswith(prefix):
                seconds = alternative
                break
        return tzoffset(key, seconds)
    if offset is not None:
        return tzoffset(key, offset)
    return gettz(name) if "/" in name else None
