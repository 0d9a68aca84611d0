"""Headless Chromium for tests, driven over the DevTools protocol; loopback only.

Chromium is Debian's ``chromium`` package, installed with apt-get when missing.
It runs with exactly morgue's flags (below), a fresh profile directory and a
DevTools port on 127.0.0.1 chosen by Chromium itself. The tab is opened in a browser
context of its own whose every request to anything but loopback goes to a guard proxy
on 127.0.0.1 (:mod:`guard_proxy`) that refuses it. Besides morgue's flags, one more
turns off the autofill service, which otherwise asks content-autofill.googleapis.com
about any page with a form (seen through the guard; with the flag it asks nothing).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import websocket
from guard_proxy import GuardProxy
from processes import stop_process

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # not in morgue's list, but needed for "loopback only": autofill phones home
    "--disable-features=AutofillServerCommunication",
)


def chromium() -> str:
    """The Chromium binary; installs Debian's package when it is missing (as root)."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if Path(found).exists():
        return found
    if os.geteuid() != 0:
        raise RuntimeError("chromium is missing: apt-get install -y chromium (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "chromium"], check=True, env=env, capture_output=True
    )
    return "/usr/bin/chromium"


class Page:
    """One tab, over a DevTools websocket."""

    def __init__(self, ws: websocket.WebSocket) -> None:
        self.ws = ws
        self.next_id = 0
        #: DevTools events (``{"method", "params"}``) that arrived while awaiting a reply,
        #: oldest first: Network.*, Log.*, Runtime.* once those domains are enabled.
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if "method" in message and "id" not in message:
                self.events.append(message)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):  # the page is navigating
                value = self.evaluate(expression)
                if value:
                    return value
            time.sleep(0.1)
        raise TimeoutError(f"never true: {expression}")


@contextlib.contextmanager
def browser(profile: Path, *, timeout: float = 30.0, proxy: str | None = None) -> Iterator[Page]:
    """Start headless Chromium with :data:`FLAGS` and a fresh ``profile``; yield its tab.

    The tab is in a new browser context whose requests to anything but loopback (its
    service workers' and frames' too) go to ``proxy`` (``http://127.0.0.1:PORT``): by
    default a :class:`GuardProxy` of its own; pass one to see what it refused."""
    profile.mkdir(parents=True, exist_ok=True)
    command = [
        chromium(),
        *FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        with contextlib.ExitStack() as stack:
            if proxy is None:
                proxy = stack.enter_context(GuardProxy()).base_url
            tab = stack.enter_context(proxied_tab(port, proxy, timeout))
            ws = websocket.create_connection(tab, timeout=timeout, suppress_origin=True)
            stack.callback(ws.close)
            yield Page(ws)
    finally:
        stop_process(process)


@contextlib.contextmanager
def proxied_tab(port: int, proxy: str, timeout: float) -> Iterator[str]:
    """The DevTools URL of a new tab in a new browser context that sends everything but
    loopback to ``proxy``; the context lives as long as this block (its browser session)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    with opener.open(f"http://127.0.0.1:{port}/json/version", timeout=10) as reply:
        browser_url = json.load(reply)["webSocketDebuggerUrl"]
    ws = websocket.create_connection(browser_url, timeout=timeout, suppress_origin=True)
    try:
        session = Page(ws)
        context = session.send("Target.createBrowserContext", proxyServer=proxy)
        target = session.send(
            "Target.createTarget", url="about:blank", browserContextId=context["browserContextId"]
        )
        yield f"ws://127.0.0.1:{port}/devtools/page/{target['targetId']}"
    finally:
        ws.close()
