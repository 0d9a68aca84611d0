"""glibc's mmap threshold, fixed for a long crawl or import (issue 18)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from archive.cli import cli
from archive.errors import UsageError
from crawler.extensions import malloc
from crawler.extensions.malloc import (
    M_ARENA_MAX,
    M_MMAP_THRESHOLD,
    MAX_THRESHOLD,
    MallocExtension,
    cap_arenas,
    check_malloc,
    fix_mmap_threshold,
)

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")

# Frees an 8 MiB mapped buffer (glibc's default then serves anything under 8 MiB from the
# heap), then counts how many of four 300 KB buffers got a mapping of their own.
PROBE = """
import ctypes, json, sys
from crawler.extensions.malloc import fix_mmap_threshold

libc = ctypes.CDLL(None)
# mallinfo2 from glibc 2.33 on; mallinfo's int fields before (hblks fits either way)
mallinfo = getattr(libc, "mallinfo2", None) or libc.mallinfo
field = ctypes.c_size_t if hasattr(libc, "mallinfo2") else ctypes.c_int

class Info(ctypes.Structure):
    _fields_ = [(n, field) for n in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split())]

mallinfo.restype = Info
applied = fix_mmap_threshold(int(sys.argv[1]))
big = bytearray(8 << 20)
del big
before = mallinfo().hblks
buffers = [bytearray(300_000) for _ in range(4)]
print(json.dumps({"applied": applied, "mapped": mallinfo().hblks - before}))
"""


# Caps the arenas (or not), then has two threads each hold a 4 KB buffer at once; glibc's
# malloc_stats() prints one "Arena N:" block an arena to stderr.
ARENAS = """
import ctypes, sys, threading
from crawler.extensions.malloc import cap_arenas

applied = cap_arenas(int(sys.argv[1]))
held = threading.Barrier(3)

def hold():
    buffer = bytearray(4096)  # over pymalloc's 512 bytes: malloc's own
    held.wait()
    held.wait()
    del buffer

threads = [threading.Thread(target=hold) for _ in range(2)]
for thread in threads:
    thread.start()
held.wait()
ctypes.CDLL(None).malloc_stats()
held.wait()
for thread in threads:
    thread.join()
print(applied)
"""


def run_fresh(code: str, value: int) -> subprocess.CompletedProcess[str]:
    """``code`` in a new interpreter (malloc's settings are for the whole process)."""
    return subprocess.run(
        [sys.executable, "-c", code, str(value)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )


def arenas(count: int) -> tuple[str, int]:
    done = run_fresh(ARENAS, count)
    return done.stdout.strip(), done.stderr.count("Arena ")


@glibc
def test_capped_at_one_arena_the_threads_share_the_main_one() -> None:
    assert arenas(1) == ("True", 1)


@glibc
def test_left_alone_glibc_gives_each_thread_an_arena_of_its_own() -> None:
    applied, count = arenas(0)
    assert applied == "False"
    assert count == 3


def test_a_negative_arena_cap_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="MALLOC_ARENA_MAX must be a number of arenas"):
        cap_arenas(-1)


def probe(threshold: int) -> dict[str, int]:
    return dict(json.loads(run_fresh(PROBE, threshold).stdout))


@glibc
def test_a_fixed_threshold_maps_page_sized_buffers_after_a_big_one_was_freed() -> None:
    assert probe(128 * 1024) == {"applied": True, "mapped": 4}


@glibc
def test_left_alone_glibc_raises_its_threshold_and_serves_them_from_the_heap() -> None:
    assert probe(0) == {"applied": False, "mapped": 0}


@pytest.mark.parametrize("nbytes", [-1, MAX_THRESHOLD + 1])
def test_a_threshold_glibc_would_refuse_is_a_usage_error(nbytes: int) -> None:
    with pytest.raises(UsageError, match="MALLOC_MMAP_THRESHOLD must be a size from 1 to"):
        fix_mmap_threshold(nbytes)


@pytest.fixture
def mallopt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The ``mallopt`` calls made, recorded instead of made: malloc's settings are for the
    whole process, and this one is pytest's (the tests above run a fresh interpreter)."""
    calls: list[tuple[int, int]] = []

    def record(param: int, value: int, what: str) -> bool:
        calls.append((param, value))
        return True

    monkeypatch.setattr(malloc, "_mallopt", record)
    return calls


def test_zero_leaves_malloc_alone_and_the_extension_off(
    mallopt_calls: list[tuple[int, int]],
) -> None:
    assert fix_mmap_threshold(0) is False
    assert cap_arenas(0) is False
    off = {"MALLOC_MMAP_THRESHOLD": 0, "MALLOC_ARENA_MAX": 0}
    with pytest.raises(NotConfigured):
        MallocExtension.from_crawler(get_crawler(settings_dict=off))
    assert mallopt_calls == []
    # either one alone keeps it on
    alone = MallocExtension.from_crawler(get_crawler(settings_dict={**off, "MALLOC_ARENA_MAX": 1}))
    assert alone.applied is False
    assert alone.arenas_capped is True
    assert mallopt_calls == [(M_ARENA_MAX, 1)]


def test_the_crawl_settings_enable_the_extension(mallopt_calls: list[tuple[int, int]]) -> None:
    from crawler import settings

    assert "crawler.extensions.malloc.MallocExtension" in settings.EXTENSIONS
    assert settings.MALLOC_MMAP_THRESHOLD == 128 * 1024
    assert settings.MALLOC_ARENA_MAX == 1
    crawler = get_crawler(
        settings_dict={
            "MALLOC_MMAP_THRESHOLD": settings.MALLOC_MMAP_THRESHOLD,
            "MALLOC_ARENA_MAX": settings.MALLOC_ARENA_MAX,
        }
    )
    extension = MallocExtension.from_crawler(crawler)
    assert (extension.applied, extension.arenas_capped) == (True, True)
    assert mallopt_calls == [(M_MMAP_THRESHOLD, 128 * 1024), (M_ARENA_MAX, 1)]


@pytest.mark.parametrize(
    ("threshold", "cap", "refused"),
    [
        (0, 0, None),
        (128 * 1024, 1, None),
        (MAX_THRESHOLD, 8, None),
        (-1, 1, "MALLOC_MMAP_THRESHOLD must be a size from 1 to"),
        (MAX_THRESHOLD + 1, 1, "MALLOC_MMAP_THRESHOLD must be a size from 1 to"),
        (128 * 1024, -1, "MALLOC_ARENA_MAX must be a number of arenas"),
    ],
)
def test_check_malloc_refuses_what_glibc_would_and_changes_nothing(
    mallopt_calls: list[tuple[int, int]], threshold: int, cap: int, refused: str | None
) -> None:
    settings = get_crawler(
        settings_dict={"MALLOC_MMAP_THRESHOLD": threshold, "MALLOC_ARENA_MAX": cap}
    ).settings
    if refused is None:
        check_malloc(settings)
    else:
        with pytest.raises(UsageError, match=refused):
            check_malloc(settings)
    assert mallopt_calls == []


def test_morgue_import_applies_the_setting(tmp_path: Path) -> None:
    (tmp_path / "empty.warc").write_bytes(b"")
    args = [str(tmp_path / "empty.warc"), "--db", str(tmp_path / "a.db")]
    result = CliRunner().invoke(cli, ["import", *args, "-s", "MALLOC_MMAP_THRESHOLD=-5"])
    assert result.exit_code != 0
    assert "MALLOC_MMAP_THRESHOLD must be a size from 1 to" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["import", *args, "-s", "MALLOC_ARENA_MAX=-1"])
    assert result.exit_code != 0
    assert "MALLOC_ARENA_MAX must be a number of arenas" in result.output
    assert "Traceback" not in result.output
