"""``morgue report``: one self-contained HTML page of charts about an archive (issue 19).

The charts are inline SVG written here (no charting library, no script, nothing
fetched when the page opens): docs/benchmarks.md (report) has the measurements
behind that choice. Every number comes from a ``report_*`` method of
:class:`archive.Archive`; this package only draws.
"""

from __future__ import annotations

from archive.report.page import build_report, write_report

__all__ = ["build_report", "write_report"]
