"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Chromium is never downloaded: we use /usr/bin/chromium, which `make test` installs when it can
(scripts/devenv.py). When it is missing the browser tests fail with the command to install it:
they are never skipped, so a missing browser cannot pass silently."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.signals import request_finished, request_started
from django.db import connections
from playwright.sync_api import sync_playwright

from tests.accounts.factories import TEST_TOTP_SECRET
from tests.accounts.test_sign_in_and_mfa import current_code

TOTP_STEP = 30  # seconds: one authenticator code per step

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

    # The test database's reference rows (AHSNs, priorities, rate cards, schedules) were saved
    # when it was created, so each transactional test can put them back after the previous
    # test's flush. Playwright's sync API runs an event loop in this thread, and while it runs
    # Django hands out a separate set of connection objects: give them the saved rows too.
    saved = {c.alias: c._test_serialized_contents for c in connections.all() if hasattr(c, "_test_serialized_contents")}  # noqa: SLF001 -- Django's test runner keeps the rows here; it has no public way to share them
    with sync_playwright() as playwright:
        for alias, contents in saved.items():
            connections[alias]._test_serialized_contents = contents  # noqa: SLF001 -- Django's test runner keeps the rows here; it has no public way to share them
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class _RequestsInFlight:
    """Counts the live server's requests that have started and not yet finished.

    A page that is closed can still send a request as it goes (the notes page saves its draft when
    it is hidden). If that request is still running when the test's database is flushed, its
    locks and the flush's TRUNCATE can deadlock, and the flush fails, leaving rows behind for the
    next test. So a browser test ends only when the server has nothing in flight."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def started(self, **_: object) -> None:
        with self._lock:
            self._count += 1

    def finished(self, **_: object) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)

    def wait_until_idle(self, timeout: float = 10.0, settle: float = 0.1) -> None:
        """Wait until nothing has been in flight for `settle` seconds (a request the closing page
        sent may reach the server a moment later), or `timeout` passes."""

        deadline = time.monotonic() + timeout
        idle_since: float | None = None
        while time.monotonic() < deadline:
            with self._lock:
                busy = self._count > 0
            now = time.monotonic()
            if busy:
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif now - idle_since >= settle:
                return
            time.sleep(0.02)


_IN_FLIGHT = _RequestsInFlight()
request_started.connect(_IN_FLIGHT.started, dispatch_uid="browser-tests-in-flight")
request_finished.connect(_IN_FLIGHT.finished, dispatch_uid="browser-tests-in-flight")


@pytest.fixture(autouse=True)
def _server_idle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Set up after the test database (so torn down before its flush), this waits at the end of
    each live-server test until the server has finished every request the browser sent."""

    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    _IN_FLIGHT.wait_until_idle()


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
    """Run axe-core in the page and fail with a readable list of any violations; then check the
    layout as a person sees it (`assert_reflows`)."""

    page.wait_for_load_state()  # type: ignore[attr-defined] # a click may have just started a navigation
    results = Axe().run(page)
    violations = results.response["violations"]
    if violations:
        lines = [f"{page.url}: {len(violations)} accessibility violation(s)"]  # type: ignore[attr-defined]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {targets}")
        pytest.fail("\n".join(lines))
    assert_reflows(page)


# Run in the page: words in table cells drawn over more than one line (a word broken in the
# middle: "Consultat/ion", "£104.4/3", "CLM-/000001"), and, when asked, what makes the page wider
# than the window. Hidden text (visually hidden headings, closed details) is left out. A break
# after the hyphen of a word made of letters ("co-/production", "O'Brien-/Cooper") is an
# ordinary line break.
_LAYOUT_SCRIPT = """
(checkWidth) => {
  const hidden = (el) => {
    for (; el && el !== document.documentElement; el = el.parentElement) {
      const s = getComputedStyle(el);
      if (s.display === 'none' || s.visibility === 'hidden') return true;
      if (s.position === 'absolute' && (s.clip !== 'auto' || s.clipPath !== 'none')) return true;
    }
    return false;
  };
  const describe = (el) => {
    const cls = [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls;
  };
  const broken = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (hidden(cell)) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (hidden(node.parentElement)) continue;
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        const lines = new Set(rects.map((r) => Math.round(r.bottom)));
        if (lines.size < 2) continue;
        const firstLine = Math.min(...lines);
        let head = '';
        for (let i = 1; i <= match[0].length; i++) {
          range.setEnd(node, match.index + i);
          const ends = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom));
          if (ends.some((b) => b !== firstLine)) break;
          head = match[0].slice(0, i);
        }
        const word = match[0];
        const rest = word.slice(head.length);
        const bare = word.replace(/^[("'\u2018\u201c]+|[)"'\u2019\u201d.,;:!?]+$/g, '');
        if (head.endsWith('-') && /^[\\p{L}'\u2019]+(-[\\p{L}'\u2019]+)+$/u.test(bare)) continue;
        broken.push(`"${head}/${rest}" in ${describe(cell)}`);
      }
    }
  }
  const sideways = [];
  const root = document.documentElement;
  if (checkWidth && root.scrollWidth > root.clientWidth) {
    const scrolls = (el) => {
      for (el = el.parentElement; el && el !== root; el = el.parentElement) {
        const overflow = getComputedStyle(el).overflowX;
        if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') return true;
      }
      return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter(
      (el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !hidden(el) && !scrolls(el)
    );
    // The innermost elements that stick out name the cause.
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    sideways.push(`page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    for (const el of innermost.slice(0, 6)) {
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      sideways.push(`${describe(el)} reaches ${Math.round(el.getBoundingClientRect().right)}px: "${text}"`);
    }
  }
  return {broken: broken.slice(0, 12), sideways};
}
"""

# After a resize the header moves menu items in or out of "More" a frame or two later: wait
# until the layout has stood still for three frames, so the test's next click lands where it
# was aimed.
_SETTLED = """
() => new Promise((done) => {
  const shape = () => {
    const main = document.querySelector('main');
    const box = main ? main.getBoundingClientRect() : {top: 0, height: 0};
    return [box.top, box.height, document.documentElement.scrollHeight, window.innerWidth].join();
  };
  let last = shape(), still = 0, frames = 0;
  const tick = () => {
    const now = shape();
    still = now === last ? still + 1 : 0;
    last = now;
    if (still >= 3 || ++frames > 60) done(); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""
NARROWEST = 320  # CSS pixels: a 1280px screen zoomed to 400% (WCAG 1.4.10 Reflow)


def assert_reflows(page: object) -> None:
    """Fail when a table cell breaks a word in the middle (at the page's own width and at 320px),
    or when the page scrolls sideways at 320px wide. The window is put back as it was."""
    size = page.viewport_size  # type: ignore[attr-defined]
    problems: list[str] = []
    found = page.evaluate(_LAYOUT_SCRIPT, False)  # type: ignore[attr-defined]
    problems += [f"at {size['width']}px, a word breaks: {b}" for b in found["broken"]]
    if size["width"] != NARROWEST:
        page.set_viewport_size({"width": NARROWEST, "height": size["height"]})  # type: ignore[attr-defined]
    try:
        page.evaluate(_SETTLED)  # type: ignore[attr-defined]
        found = page.evaluate(_LAYOUT_SCRIPT, True)  # type: ignore[attr-defined]
    finally:
        if size["width"] != NARROWEST:
            page.set_viewport_size(size)  # type: ignore[attr-defined]
            page.evaluate(_SETTLED)  # type: ignore[attr-defined]
    problems += [f"at {NARROWEST}px, a word breaks: {b}" for b in found["broken"]]
    problems += [f"at {NARROWEST}px, sideways scrolling: {s}" for s in found["sideways"]]
    if problems:
        pytest.fail("\n".join([f"{page.url}: the layout does not reflow", *problems]))  # type: ignore[attr-defined]


def sign_in(page: object, email: str, password: str = "correct-horse-battery", totp_secret: str | None = None) -> None:
    """Sign in through the real sign-in page (and the authenticator code page when asked)."""
    page.goto("/accounts/login/")  # type: ignore[attr-defined]
    page.get_by_label("Email address").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password", exact=True).fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    # Every member of staff signs in with a second step; test staff share one authenticator secret.
    if totp_secret or "/2fa/" in page.url:  # type: ignore[attr-defined]
        page.get_by_label("Code").fill(current_code(totp_secret or TEST_TOTP_SECRET))  # type: ignore[attr-defined]
        page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
        if "/2fa/authenticate" in page.url:  # type: ignore[attr-defined]
            # The portal refuses a code used once already (replay guard): the same person signing in
            # twice within one 30-second step waits for the next code, as a real person would.
            time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 1)
            page.get_by_label("Code").fill(current_code(totp_secret or TEST_TOTP_SECRET))  # type: ignore[attr-defined]
            page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]


def fill_date(page: object, question: str, day: object) -> None:
    """Type a date into the NHS.UK date input (day, month and year boxes) for ``question``."""
    group = page.get_by_role("group", name=question, exact=True)  # type: ignore[attr-defined]
    group.get_by_label("Day").fill(str(day.day))  # type: ignore[attr-defined]
    group.get_by_label("Month").fill(str(day.month))  # type: ignore[attr-defined]
    group.get_by_label("Year").fill(str(day.year))  # type: ignore[attr-defined]
