"""booktools.browser: the local server the website tests and `make pdf` open in Chromium."""

from __future__ import annotations

from urllib.request import urlopen

import pytest

from booktools import browser


def test_serve_a_folder_then_stop(tmp_path):
    (tmp_path / "page.html").write_text("<p>hello</p>", encoding="utf-8")
    with browser.serve(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urlopen(url + "page.html") as response:  # noqa: S310 - our own local server
            assert response.read() == b"<p>hello</p>"
    with pytest.raises(OSError):
        urlopen(url + "page.html", timeout=2)  # noqa: S310


def test_no_chromium_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    with pytest.raises(browser.NoChromiumError, match="make browser"):
        browser.find_chromium()
