"""Make docs/review-page.png: the samples' review page with one removal marked to keep.

    .venv/bin/python docs/screenshot.py
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from dedupe import clean  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        # Run as the README does (dedupe clean samples/ out/) so the page's header reads the same.
        shutil.copytree(ROOT / "samples", tmp / "samples")
        os.chdir(tmp)
        out = tmp / "out"
        clean("samples", "out")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1700}, device_scale_factor=1)
            page.goto((out / "_report" / "index.html").as_uri())
            page.select_option("#cat", "")
            page.locator(".rm[data-cat='chrome:caption'] button.keep").click()
            page.locator("#files .file").nth(2).scroll_into_view_if_needed()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(ROOT / "docs" / "review-page.png"), full_page=False)
            browser.close()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
