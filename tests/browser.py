"""Headless Chromium for tests of the web pages (the worker's dashboard).

Why Debian's ``chromium`` rather than ``playwright install``: nothing is downloaded at test
time, and the browser is a package the machine (and CI, see dev/test.sh) installs like
PostgreSQL. Playwright's Python package only drives it, through ``executable_path``.

Use::

    async with chromium_page() as page:
        await page.goto(url)
        await save_screenshot(page, "dashboard")   # var/test-artifacts/dashboard.png

Without a browser the tests skip with the reason, except in CI (``CI`` set), where a
missing browser is a failure: a skipped page test there would hide a broken dashboard.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "var" / "test-artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str:
    """The Chromium binary (``NEWSFLOW_CHROMIUM`` overrides Debian's path); skips or fails
    when there is none, and likewise when the ``playwright`` package is missing."""
    wanted = os.environ.get("NEWSFLOW_CHROMIUM", DEFAULT_CHROMIUM)
    found = wanted if os.access(wanted, os.X_OK) else shutil.which("chromium")
    problem = None
    if found is None:
        problem = f"no Chromium at {wanted} (apt-get install chromium; dev/test.sh does as root)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    assert found is not None
    return found


@asynccontextmanager
async def chromium_page(**context_options: Any) -> AsyncIterator[Page]:
    """A fresh page in a fresh headless Chromium; ``context_options`` go to
    ``Browser.new_context`` (``viewport``, ``color_scheme``...). Everything is closed after."""
    executable = chromium_path()
    from playwright.async_api import async_playwright

    options: dict[str, Any] = {"viewport": {"width": 1440, "height": 900}}
    options.update(context_options)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=executable,
            headless=True,
            # Containers often run as root with a small /dev/shm: Chromium needs both flags.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            context = await browser.new_context(**options)
            page = await context.new_page()
            yield page
            await context.close()
        finally:
            await browser.close()


def artifact_path(name: str) -> Path:
    """``var/test-artifacts/<name>`` (the folder is created): CI keeps that folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


async def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as ``var/test-artifacts/<name>.png`` and return its path."""
    path = artifact_path(f"{name}.png")
    await page.screenshot(path=str(path), full_page=full_page)
    return path
