"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Chromium is never downloaded: we use /usr/bin/chromium, which `make test` installs when it can
(scripts/devenv.py). When it is missing the browser tests fail with the command to install it:
they are never skipped, so a missing browser cannot pass silently."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install -y chromium")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The test database's reference rows (AHSNs, priorities, rate cards, schedules) were saved
    # when it was created, so each transactional test can put them back after the previous
    # test's flush. Playwright's sync API runs an event loop in this thread, and while it runs
    # Django hands out a separate set of connection objects: give them the saved rows too.
    saved = {c.alias: c._test_serialized_contents for c in connections.all() if hasattr(c, "_test_serialized_contents")}
    with sync_playwright() as playwright:
        for alias, contents in saved.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator[object]:
    """A small phone-sized window (iPhone SE), with touch."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page: object) -> None:
    """Run axe-core in the page and fail with a readable list of any violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    if violations:
        lines = [f"{page.url}: {len(violations)} accessibility violation(s)"]  # type: ignore[attr-defined]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {targets}")
        pytest.fail("\n".join(lines))


def sign_in(page: object, email: str, password: str = "correct-horse-battery", totp_secret: str | None = None) -> None:
    """Sign in through the real sign-in page (and the authenticator code page when asked)."""
    page.goto("/accounts/login/")  # type: ignore[attr-defined]
    page.get_by_label("Email address").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password", exact=True).fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    if totp_secret:
        from tests.accounts.test_sign_in_and_mfa import current_code

        page.get_by_label("Code").fill(current_code(totp_secret))  # type: ignore[attr-defined]
        page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]
