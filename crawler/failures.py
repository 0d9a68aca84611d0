"""Naming a failed request: the one word a captures row's failure is counted under. Pure."""

from __future__ import annotations

from crawler.middlewares.netguard import REFUSED

#: (exception class name, marker in the message or "") -> kind; first match wins.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("IgnoreRequest", "robots.txt", "robots"),
    ("IgnoreRequest", REFUSED, "netguard"),
    ("IgnoreRequest", "max redirections", "redirect_loop"),
    ("IgnoreRequest", "redirect loop", "redirect_loop"),
    ("IgnoreRequest", "DOWNLOAD_MAXSIZE", "max_size"),
    ("IgnoreRequest", "offsite", "offsite"),
    ("DownloadCancelledError", "", "max_size"),
    ("DownloadTimeoutError", "", "timeout"),
    ("TimeoutError", "", "timeout"),
    ("TCPTimedOutError", "", "timeout"),
    ("CannotResolveHostError", "", "dns"),
    ("DNSLookupError", "", "dns"),
    ("DownloadConnectionRefusedError", "", "connection"),
    ("ConnectionRefusedError", "", "connection"),
    ("ConnectionLost", "", "connection"),
    ("ConnectionDone", "", "connection"),
    ("ConnectError", "", "connection"),
    ("ResponseDataLossError", "", "data_loss"),
    ("ResponseFailed", "", "data_loss"),
)


#: What an exception without a message means, for the captures row's ``error``.
_SILENT = {
    "DownloadCancelledError": "cancelled: the body passed DOWNLOAD_MAXSIZE while arriving "
    "(or the crawl was stopping)",
}


def failure_message(exception_name: str, message: str) -> str:
    """The ``error`` of a failed request's captures row: ``"Name: message"``."""
    return f"{exception_name}: {message or _SILENT.get(exception_name, 'no message')}"


def failure_kind(exception_name: str, message: str) -> str:
    """``"timeout"``, ``"robots"``, ``"max_size"``, ... for an exception; ``"other"`` if unknown."""
    for name, marker, kind in _RULES:
        if exception_name == name and marker.lower() in message.lower():
            return kind
    return "other"
