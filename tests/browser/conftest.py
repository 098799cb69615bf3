"""Browser journeys: Playwright driving Debian's chromium against the live test server."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the tests are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, built with plain HTTP allowed.

    The server builds its middleware once, when it starts: with production settings (DATABASE_URL set, DEBUG
    off, as in CI) SecurityMiddleware would redirect this plain-HTTP server to HTTPS, and function-scoped
    ``settings`` overrides come too late for it.
    """
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium n'est pas installé (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
