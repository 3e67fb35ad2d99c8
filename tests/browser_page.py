"""A Chromium tab for the browser tests that records every request, console message, page error and dialog.

`Tab` is a tab whose requests outside what the test allows are aborted; `Opened` is a page opened from a
file with every other request aborted, ready when the page says so; `chromium` launches the browser
the graph, timeline and web app tests drive.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


class Tab:
    """A browser tab: requests `allowed` refuses are aborted; requests, console, errors and dialogs recorded."""

    def __init__(self, browser: Any, allowed: Callable[[str], bool], width: int = 1400, height: int = 900,
                 whole_context: bool = False, **options: Any) -> None:
        # whole_context: the route covers every page of the context (downloads, popups), not only this one.
        self.context = browser.new_context(viewport={"width": width, "height": height}, **options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

        def route(r: Any) -> None:
            self.requests.append(r.request.url)
            if allowed(r.request.url):
                r.continue_()
            else:
                r.abort()

        (self.context if whole_context else self.page).route("**/*", route)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def assert_quiet(self) -> None:
        """No page error, no console error or warning, no dialog."""
        assert self.errors == []
        assert [text for kind, text in self.console if kind in ("error", "warning")] == []
        assert self.dialogs == []

    def close(self) -> None:
        self.context.close()


class Opened(Tab):
    """A page opened from a file with every other request aborted; ready when `ready_function` is true
    or `ready_selector` is on the page."""

    def __init__(self, browser: Any, path: Path, ready_function: str | None = None,
                 ready_selector: str | None = None) -> None:
        url = path.resolve().as_uri()
        super().__init__(browser, lambda requested: requested == url)
        self.url = url
        self.page.goto(self.url)
        if ready_function:
            self.page.wait_for_function(ready_function, timeout=30_000)
        if ready_selector:
            self.page.wait_for_selector(ready_selector, timeout=30_000)

    def assert_clean(self) -> None:
        assert self.requests == [self.url], "the page asked for something besides itself"
        self.assert_quiet()


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for a module's browser fixture; skips (fails on CI) when it is not installed."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: scripts/install-system-deps.sh installs it")
        pytest.skip("chromium is not installed (bash scripts/install-system-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
