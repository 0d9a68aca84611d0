"""Reading back the WARC files morgue writes: records as dicts, digests checked, warcio's
own checker, and a pywb of its own (issue 18)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYWB_VENV = ROOT / ".venv-pywb"


@dataclass
class Rec:
    type: str
    uri: str
    headers: dict[str, str]  # WARC headers
    http: list[tuple[str, str]] = field(default_factory=list)  # HTTP headers, in order
    status_line: str = ""
    payload: bytes = b""  # as stored (content_stream would undo a Content-Encoding)
    offset: int = 0

    def http_header(self, name: str) -> str | None:
        for key, value in self.http:
            if key.lower() == name.lower():
                return value
        return None


def read_warc(path: Path) -> list[Rec]:
    """Every record of ``path``, each block and payload digest checked (raises if wrong)."""
    records = []
    with path.open("rb") as handle:
        iterator = ArchiveIterator(handle, check_digests="raise")
        for record in iterator:
            http = record.http_headers
            payload = record.raw_stream.read()
            records.append(
                Rec(
                    type=record.rec_type,
                    uri=record.rec_headers.get_header("WARC-Target-URI") or "",
                    headers=dict(record.rec_headers.headers),
                    http=list(http.headers) if http else [],
                    status_line=http.protocol + " " + http.statusline if http else "",
                    payload=payload,
                    offset=iterator.get_record_offset(),
                )
            )
    return records


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    """``warcio check -v`` (its own checker: every digest, every record)."""
    return subprocess.run(
        [str(BIN / "warcio"), "check", "-v", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def ensure_pywb() -> Path | str:
    """pywb's ``bin`` folder, in a venv of its own (its pins clash with ours), installed from
    PyPI on first use; or why it could not be installed."""
    stamp = PYWB_VENV / ".installed"
    if stamp.exists():
        return PYWB_VENV / "bin"
    steps = [
        [sys.executable, "-m", "venv", str(PYWB_VENV)],
        [str(PYWB_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "pywb"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(step[-2:])} failed: {done.stderr.strip()[-400:]}"
    stamp.touch()
    return PYWB_VENV / "bin"
