"""``morgue demo`` keeps its site's identity whatever port its server gets, prints a
command that works, and the README shows the ID it prints (#20, item 12)."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import ROOT, crawl_env

from archive import Archive
from archive.cli.crawl import morgue_command
from crawler.demo.server import DEMO_HOST, DEMO_PORT


def demo(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", "demo", "--quiet", "--db", str(db)],
        cwd=ROOT,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextlib.contextmanager
def port_taken(port: int) -> Iterator[None]:
    """Hold ``port`` on 127.0.0.1 (when it is free) so the demo must take another."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with contextlib.suppress(OSError):  # taken already: just as good
            sock.bind(("127.0.0.1", port))
            sock.listen()
        yield
    finally:
        sock.close()


def articles(db: Path) -> list[tuple[str, str]]:
    with Archive(db, readonly=True) as archive:
        return [(r["id"], r["site"]) for r in archive.query("SELECT id, site FROM articles")]


def test_a_demo_rerun_on_another_port_archives_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = demo(db)
    assert first.returncode == 0, first.stderr
    before = articles(db)
    assert len(before) >= 10
    assert {site for _, site in before} == {DEMO_HOST}
    with port_taken(DEMO_PORT):
        second = demo(db)
    assert second.returncode == 0, second.stderr
    assert f"127.0.0.1:{DEMO_PORT}/" not in second.stdout  # it did serve on another port
    assert sorted(articles(db)) == sorted(before)  # the same articles, none twice
    assert "0 new" in second.stdout

    # the ID it suggests is the README's, and the command it suggests runs as printed
    shown = re.search(r"^  (\S.*) show ([0-9a-f]{16}) --db ", first.stdout, re.M)
    assert shown, first.stdout
    command, article_id = shown.groups()
    assert article_id in {i for i, _ in before}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"morgue show {article_id}" in readme
    assert (
        command in ("morgue", f"{Path(sys.executable).name} -m archive.cli")
        or Path(ROOT, command).exists()
    ), command


def test_try_next_uses_the_morgue_that_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv_morgue = tmp_path / ".venv" / "bin" / "morgue"
    venv_morgue.parent.mkdir(parents=True)
    venv_morgue.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(venv_morgue), "demo"])
    monkeypatch.setattr(shutil, "which", lambda name: None)  # not on PATH
    assert morgue_command() == ".venv/bin/morgue"
    monkeypatch.setattr(shutil, "which", lambda name: str(venv_morgue))  # on PATH: this one
    assert morgue_command() == "morgue"
    monkeypatch.setattr(sys, "argv", ["/usr/lib/python3/pytest"])  # not started as morgue
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert morgue_command() == f"{Path(sys.executable).name} -m archive.cli"
