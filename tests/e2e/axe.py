"""axe-core over a page state a browser test reached: serious and critical violations fail.

Call ``assert_accessible(page, "what the page shows")`` at every state a browser test
reaches (after a click that changes the page, an error shown, a box opened), so that the
whole client journey is checked, not only its first page.
"""

import re
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()

# The paths checked during the current test (reset by tests/e2e/conftest.py, which fails a
# test that reached a client page and never checked it).
CHECKED_PATHS: set[str] = set()


def violations(page) -> list[dict]:
    """axe's violations of the page as it stands, worst first."""
    results = _axe.run(page)
    return sorted(
        results.response["violations"],
        key=lambda violation: (
            FAILING_IMPACTS.index(violation["impact"])
            if violation["impact"] in FAILING_IMPACTS
            else -1
        ),
        reverse=True,
    )


def assert_accessible(page, state: str) -> None:
    """Fail with each serious or critical violation, its rule and the elements it found."""
    CHECKED_PATHS.add(urlsplit(page.url).path)
    failing = [v for v in violations(page) if v["impact"] in FAILING_IMPACTS]
    lines = [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in failing
    ]
    assert not failing, f"axe on {state} ({page.url}):\n" + "\n".join(lines)


def assert_accessible_without_script(page, state: str) -> None:
    """``assert_accessible`` for a page opened with JavaScript off, where axe cannot run:
    the page as served, without its scripts and with its ``<noscript>`` shown, is opened
    at the same address in a scripted page of its own, and checked there."""
    html = page.content()
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
    html = re.sub(r"</?noscript>", "", html, flags=re.IGNORECASE)
    twin = page.context.browser.new_page(viewport=page.viewport_size)
    try:
        twin.route(page.url, lambda route: route.fulfill(body=html, content_type="text/html"))
        twin.goto(page.url)
        assert_accessible(twin, f"{state} (without JavaScript)")
    finally:
        twin.close()
