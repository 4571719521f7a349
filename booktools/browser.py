"""Headless Chromium on a locally served folder: what the website tests and ``make pdf`` share.

Chromium and its driver come from Debian's ``chromium`` and
``chromium-driver`` packages (``make browser``); selenium drives them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path


class NoChromiumError(RuntimeError):
    """Chromium or its driver is not installed."""


def find_chromium() -> tuple[str, str]:
    """Paths of Chromium and its driver, or an error saying how to install them."""
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver = next(filter(None, map(shutil.which, ("chromedriver", "chromium.chromedriver"))), None)
    if not (browser and driver):
        raise NoChromiumError("no headless Chromium here: install Debian's chromium and chromium-driver "
                              "(`make browser`, needs root and the Debian archive)")
    return browser, driver


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser dropped a connection it no longer needed (a cancelled download)
        super().handle_error(request, client_address)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 while the block runs; yields its base URL, ending in ``/``."""
    httpd = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def headless_chromium(extra_arguments: Iterable[str] = (), *, console_log: bool = False,
                      phone_width: int | None = None):
    """A selenium driver for headless Chromium (raises :class:`NoChromiumError` without one).

    ``phone_width`` emulates a phone of that width in CSS pixels (a touch
    screen at three device pixels per CSS pixel), which ``--window-size``
    cannot: desktop Chromium keeps its window wider than about 500 px.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = find_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     *extra_arguments):
        options.add_argument(argument)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if phone_width:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": phone_width, "height": 844, "pixelRatio": 3.0, "touch": True}})
    return webdriver.Chrome(service=Service(driver), options=options)
