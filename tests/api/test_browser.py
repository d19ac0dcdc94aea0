"""The analyst page and /docs in a real headless Chromium against a real uvicorn.

Drives Debian's ``chromium`` (``apt-get install chromium``) through Playwright; never
Playwright's own browser download. Every request the browser makes is recorded, and any
request to a host other than 127.0.0.1 fails the test (and is aborted, so an offline
machine and an online one behave alike).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.test_server import REPO, free_port, wait_ready

pytestmark = [pytest.mark.server, pytest.mark.browser]

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="needs the playwright package (pip install -e '.[dev]')"
)


def chromium_path() -> str | None:
    """Debian's chromium (or ``BRANDFIT_CHROMIUM``), if installed."""
    explicit = os.environ.get("BRANDFIT_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = chromium_path()
if CHROMIUM is None:
    pytest.skip(
        "no chromium installed (apt-get install -y chromium); browser tests skipped",
        allow_module_level=True,
    )

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
API_KEY = "page-test-key-0123456789"


def start_server(models_dir: Path, log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "serve.py", "--port", str(port), "--log-level", "warning"]
    full_env = {**os.environ, "BRANDFIT_MODELS_DIR": str(models_dir), **env}
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc, log)
    except BaseException:
        proc.terminate()
        proc.wait(timeout=20)
        raise
    return proc, base


@pytest.fixture(scope="module")
def server(tiny_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server started as ``python serve.py`` (no API key)."""
    proc, base = start_server(tiny_models_dir, tmp_path_factory.mktemp("srv") / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def keyed_server(tiny_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server that requires an API key."""
    log = tmp_path_factory.mktemp("keyed") / "server.log"
    proc, base = start_server(tiny_models_dir, log, BRANDFIT_API_KEY=API_KEY)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


class Recorder:
    """Every URL the browser asked for; requests leaving 127.0.0.1 are aborted and kept."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.foreign: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        self.urls.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "about", "blob") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(30_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[tuple[Any, Recorder]]:
    recorder = Recorder()
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.route("**/*", recorder.route)
    yield tab, recorder
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not recorder.foreign, f"requests left 127.0.0.1: {recorder.foreign}"


def open_page(tab: Any, base: str) -> None:
    tab.goto(f"{base}/")
    tab.wait_for_selector("body[data-ready=true]")


def test_browser_page_ranks_the_example_candidates(server: str, page: Any) -> None:
    tab, recorder = page
    open_page(tab, server)
    assert tab.locator("textarea#candidates").is_visible()
    assert '"Loop Athletics"' in tab.input_value("#brand")  # the example profile by default
    tab.click("#load-example")
    playwright_api.expect(tab.locator("#candidates")).to_have_value(re.compile(r"@mia\.moves"))
    tab.click("#rank")
    tab.wait_for_selector("#status.ok")
    rows = tab.locator("#ranking tbody tr")
    assert rows.count() == 4
    handles = [rows.nth(i).get_attribute("data-handle") for i in range(4)]
    assert sorted(handles) == ["@chef.sam", "@jo.lifts", "@mia.moves", "@rage.gamer"]
    assert tab.inner_text("#ranking tbody tr:first-child td:first-child") == "1"
    assert "ranked 4 creator(s) for Loop Athletics" in tab.inner_text("#status")
    # the first card opens with evidence posts and their words highlighted
    card = tab.locator("#card")
    assert card.is_visible()
    assert "Evidence posts" in card.inner_text()
    assert tab.locator("#card .evidence-post").count() > 0
    assert tab.locator("#card mark").count() > 0
    # another creator's card, with flags (jo.lifts has an empty post and an ambiguous #gifted)
    tab.click("#ranking tbody tr[data-handle='@jo.lifts']")
    text = card.inner_text()
    assert "@jo.lifts" in text
    assert "empty_text ×1" in text
    assert "ambiguous" in text
    paths = [urlsplit(url).path for url in recorder.urls]
    assert "/v1/rank" in paths
    assert "/static/ui/app.js" in paths


def test_browser_page_ranks_pasted_csv_and_plain_posts(server: str, page: Any) -> None:
    tab, _ = page
    open_page(tab, server)
    csv_text = (
        "handle,id,text,likes,followers\n"
        'ann,a1,"Leg day at the gym, again",120,1000\n'
        "ann,a2,Protein smoothie after my run,80,1000\n"
        "bob,b1,New speedrun record in the game tonight,40,300\n"
    )
    tab.fill("#candidates", csv_text)
    tab.click("#rank")
    tab.wait_for_selector("#status.ok")
    assert tab.locator("#ranking tbody tr").count() == 2
    tab.fill("#candidates", "Leg day at the gym\nMorning run, 10k done")
    tab.fill("#handle", "@pasted")
    tab.click("#rank")
    tab.wait_for_selector("#status.ok")
    assert tab.locator("#ranking tbody tr").count() == 1
    assert tab.get_attribute("#ranking tbody tr", "data-handle") == "@pasted"


def test_browser_page_reports_bad_input_in_one_line(server: str, page: Any) -> None:
    tab, _ = page
    open_page(tab, server)
    tab.fill("#candidates", "Leg day at the gym")
    tab.fill("#brand", "{ not json")
    tab.click("#rank")
    tab.wait_for_selector("#status.error")
    assert tab.inner_text("#status").startswith("brand profile: not valid JSON")
    # a profile the server refuses: the 422's field path is shown
    tab.fill("#brand", '{"name": "X", "niches": ["knitting"]}')
    tab.click("#rank")
    playwright_api.expect(tab.locator("#status")).to_contain_text("422")
    assert "knitting" in tab.inner_text("#status")


def test_browser_page_asks_for_the_api_key_and_uses_it(keyed_server: str, page: Any) -> None:
    tab, _ = page
    open_page(tab, keyed_server)  # the page itself needs no key
    tab.fill("#candidates", "Leg day at the gym")
    tab.click("#rank")
    tab.wait_for_selector("#status.error")
    assert "needs an API key" in tab.inner_text("#status")
    tab.fill("#api-key", API_KEY)
    tab.click("#rank")
    tab.wait_for_selector("#status.ok")
    assert tab.locator("#ranking tbody tr").count() == 1


def test_browser_docs_render_swagger_without_external_requests(server: str, page: Any) -> None:
    tab, recorder = page
    tab.goto(f"{server}/docs")
    tab.wait_for_selector(".swagger-ui .info .title")
    assert "brandfit" in tab.inner_text(".swagger-ui .info .title")
    tab.wait_for_selector(".opblock-summary-path[data-path='/v1/rank']")
    hosts = {urlsplit(url).hostname for url in recorder.urls} - {None}
    assert hosts == {"127.0.0.1"}


def test_browser_redoc_renders_without_external_requests(server: str, page: Any) -> None:
    tab, _ = page
    tab.goto(f"{server}/redoc")
    tab.wait_for_selector("redoc h1")
    assert "brandfit" in tab.inner_text("redoc h1")
