"""CLI commands about versions of articles: ``history``, ``diff`` and ``reprocess`` (issue 4/5).

Kept apart from :mod:`archive.cli` so the versions work can grow on its own;
:func:`register` adds the commands to the ``morgue`` group.
"""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to ``group`` (none yet: issue 4 brings them)."""
