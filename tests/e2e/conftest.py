"""The real app served by uvicorn on a free local port, and Debian's Chromium to drive it.

What the browser tests call with their own arguments (contexts, screenshots, signing in and
signing up through the forms) is in tests/support/browser.py.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from tests.support.browser import CHROMIUM
from web.app import create_app
from web.core.components import Components


@pytest.fixture(scope="session")
def base_url(components: Components) -> Iterator[str]:
    """The real app over the session's index, served by uvicorn on a free local port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(components=components), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert thread.is_alive(), "uvicorn stopped before the app was ready"
        assert time.monotonic() < deadline, "the app did not become ready in time"
        time.sleep(0.2)
    yield url
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()
