"""Keeping secrets out of the ``runs`` table: credentials in recorded settings are masked. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

#: Setting (or key) names whose whole value is a secret.
_SECRET_NAME = re.compile(r"pass(word)?|secret|token|api_?key|credential|auth", re.IGNORECASE)
#: ``scheme://user:password@host`` anywhere in a string.
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@", re.IGNORECASE)
#: Secret-looking query parameters in a URL.
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&;](?:access_token|token|api_?key|key|password|passwd|secret|sig|signature|auth)=)"
    r"[^&;#\s]*",
    re.IGNORECASE,
)


def redact_text(value: str) -> str:
    """``value`` with URL credentials and secret query parameters masked."""
    masked = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", value)
    return _SECRET_PARAM.sub(lambda m: f"{m['key']}{MASK}", masked)


def redact_url(url: str) -> str:
    """A URL without its password (user names go too: they are half a credential)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if parts.username is None and parts.password is None:
        return redact_text(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return redact_text(urlunsplit(parts._replace(netloc=f"{MASK}@{host}")))


def redact_value(name: str, value: Any) -> Any:
    """A setting's value fit to record: secrets masked, containers walked."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if _SECRET_NAME.search(name) and value != "":
        return MASK
    if isinstance(value, str):
        return redact_url(value) if "://" in value else redact_text(value)
    if isinstance(value, Mapping):
        return {str(k): redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(name, v) for v in value]
    return redact_value(name, str(value))


def redact_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Recorded settings (or spider arguments) with every secret masked."""
    return {name: redact_value(name, value) for name, value in settings.items()}
