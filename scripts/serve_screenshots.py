"""Screenshots of each page of `kg serve` for the README (docs/serve-*.png), taken with Debian's headless Chromium.

    python scripts/serve_screenshots.py      # needs a built graph (kg build)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from web_server import App  # noqa: E402

PAGES = [
    ("home", "/", None),
    ("search", "/search?q=lupus", None),
    ("entity", "/entity/id:rese-cel", None),
    ("question", "/queries/trials?run=1&phase=1%2F2", None),
    ("landscape", "/landscape", None),
    ("graph", "/graph", "() => window.kg && window.kg.drawn"),
    ("editor", "/editor", None),
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs"
    with App(ROOT) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for name, path, ready in PAGES:
            page.goto(app.url + path)
            if ready:
                page.wait_for_function(ready, timeout=60_000)
                page.wait_for_timeout(1500)
            if name == "search":
                page.fill("#q", "CABA")
                page.wait_for_selector("#suggestions:not([hidden]) li")
            if name == "editor":
                page.select_option("#example", "therapies-by-target")
                page.click("#run-sparql")
                page.wait_for_selector("#sparql-results tbody tr")
            page.screenshot(path=str(out / f"serve-{name}.png"))
            print(f"docs/serve-{name}.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
