"""Extraction workers that exit when the crawl dies (#20).

The extraction pool's workers are started by multiprocessing's forkserver, so their
parent is the forkserver, whose own parent is the crawl. The forkserver exits when its
"alive" pipe has no writer left; but every worker inherits a copy of that pipe's write
end (so that it could start processes of its own), so after ``kill -9`` of the crawl the
forkserver waited for its workers, the workers (blocked on the pool's call queue, whose
write end they hold too) waited for work, and the resource tracker for them all: forever,
under PID 1. So each worker, at start:

* closes its copy of the forkserver's "alive" pipe (a worker starts no process), so the
  forkserver exits when the crawl dies;
* asks Linux to send it SIGKILL when its parent (the forkserver) dies
  (``prctl(PR_SET_PDEATHSIG)``); and
* runs a daemon thread that exits the process once its parent has changed (it was
  re-parented: elsewhere than Linux, or a parent that died before the prctl took).

The resource tracker then exits by itself: the last holder of its pipe is gone.

The worker's pool initializer is :func:`exit_with_parent`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
#: How often the watcher thread looks at its parent, in seconds.
POLL_SECONDS = 0.5


def exit_with_parent(poll: float = POLL_SECONDS) -> None:
    """Make this process exit when its parent dies (a pool's ``initializer``)."""
    parent = os.getppid()
    _close_forkserver_pipe()
    _set_pdeathsig()
    if os.getppid() != parent or parent == 1:  # the parent died already
        os._exit(1)
    watcher = threading.Thread(
        target=_watch, args=(parent, poll), name="morgue-parent-watch", daemon=True
    )
    watcher.start()


def _close_forkserver_pipe() -> None:
    """Drop this process's copy of the forkserver's "alive" pipe (a private attribute of
    :mod:`multiprocessing.forkserver`; nothing to do when it is absent)."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if server is None or fd is None:
        return
    try:
        os.close(fd)
    except OSError as exc:
        logger.debug("cannot close the forkserver's alive pipe: %s", exc)
    server._forkserver_alive_fd = None


def _set_pdeathsig() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            logger.debug("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
            return False
    except (OSError, AttributeError) as exc:
        logger.debug("prctl is not available: %s", exc)
        return False
    return True


def _watch(parent: int, poll: float) -> None:
    stop = threading.Event()
    while not stop.wait(poll):
        if os.getppid() != parent:
            os._exit(1)  # orphaned: nobody will read what this worker returns
