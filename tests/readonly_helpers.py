"""Running a command where an archive is read-only as SQLite sees it (issue 20, item 3).

Tests run as root here, and root bypasses file permissions, so a chmod alone proves
nothing. Two honest ways instead, each skipped where the machine cannot do it:

* :func:`in_readonly_mount`: the command runs in a private mount namespace
  (``unshare -m``) in which a folder is bind-mounted read-only: writes fail with EROFS,
  for root too, exactly as on a read-only NFS export or a mounted snapshot;
* :func:`without_dac_override`: the command runs without the capabilities that let root
  ignore permission bits (``setpriv`` drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and
  CAP_FOWNER), so a ``chmod 555`` folder and a ``chmod 444`` file bind it as they bind
  any user. A non-root user needs neither.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_CAPS = "-dac_override,-dac_read_search,-fowner"


def morgue(*args: str) -> list[str]:
    """The ``morgue`` command line, run by this Python from the source tree."""
    return [sys.executable, "-m", "archive.cli", *args]


@functools.cache
def _can_mount() -> str | None:
    """None when ``unshare -m`` + a read-only bind mount works here, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare"
    with tempfile.TemporaryDirectory(prefix="morgue-ro-probe-") as folder:
        script = 'mount --bind -o ro "$0" "$0" && ! touch "$0/x" 2>/dev/null'
        probe = subprocess.run(
            ["unshare", "-m", "sh", "-c", script, folder],
            capture_output=True,
            text=True,
            check=False,
        )
    return None if probe.returncode == 0 else f"no read-only bind mount: {probe.stderr[-200:]}"


def in_readonly_mount(folder: Path, command: list[str]) -> list[str]:
    """``command`` run where ``folder`` is bind-mounted read-only over itself."""
    reason = _can_mount()
    if reason:
        pytest.skip(reason)
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), *command]


def without_dac_override(command: list[str]) -> list[str]:
    """``command`` run so that permission bits bind it (root drops its bypass)."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits cannot bind")
    return ["setpriv", f"--inh-caps={_CAPS}", f"--bounding-set={_CAPS}", *command]


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False, **kwargs
    )
