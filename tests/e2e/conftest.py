import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Pages a client never sees: the Django admin (the practitioner's), files and the API.
NOT_CLIENT_PAGES = ("/admin/", "/static/", "/api/")


@pytest.fixture(autouse=True)
def every_client_page_is_checked(request, monkeypatch):
    """Fail a browser test that reached a client page (by its path on the live server)
    without calling ``assert_accessible`` on it, so a new page state cannot slip past axe.

    Every page the test's browser opens is watched for main-frame navigations; paths of the
    live server outside NOT_CLIENT_PAGES must each have been checked at least once."""
    if not {"browser", "live_server"} <= set(request.fixturenames):
        yield
        return
    from tests.e2e import axe

    browser = request.getfixturevalue("browser")
    origin = request.getfixturevalue("live_server").url
    visited: set[str] = set()

    def watch(page):
        def record(frame):
            if frame == page.main_frame and frame.url.startswith(origin + "/"):
                path = urlsplit(frame.url).path
                if not path.startswith(NOT_CLIENT_PAGES):
                    visited.add(path)

        page.on("framenavigated", record)
        return page

    new_context, new_page = browser.new_context, browser.new_page

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", watch)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    monkeypatch.setattr(browser, "new_page", lambda *a, **k: watch(new_page(*a, **k)))
    axe.CHECKED_PATHS.clear()
    yield
    unchecked = sorted(visited - axe.CHECKED_PATHS)
    if unchecked:
        pytest.fail(
            "These client pages were reached but never checked with assert_accessible: "
            + ", ".join(unchecked)
        )


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def console_browser(browser, live_server, client, practitioner_user):
    """``open(path, viewport=DESKTOP)``: a Chromium page in the practitioner's console
    session (signed in with her second factor), at ``path`` on the live server."""
    from tests.console.support import session_cookie, sign_in_with_factor

    sign_in_with_factor(client, practitioner_user)
    contexts = []

    def open_page(path: str, viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([session_cookie(client, live_server.url)])
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()
