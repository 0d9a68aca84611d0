"""morgue's archive: the SQLite schema, every read and write, and the ``morgue`` CLI.

``from archive import Archive`` is the entry point; importing the package
does no work (the class is imported on first use).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from archive.archive import Archive

__all__ = ["Archive"]


def __getattr__(name: str) -> Any:
    if name == "Archive":
        from archive.archive import Archive

        return Archive
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
