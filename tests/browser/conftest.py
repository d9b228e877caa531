"""Browser tests: pytest starts Voila on 127.0.0.1 and Playwright drives Debian's chromium.

No browser is downloaded: Playwright launches the system chromium (``/usr/bin/chromium``, or
``$CHROMIUM``) through ``executable_path``. A missing chromium fails these tests with a message
saying how to install it; they are never skipped (``.ci/run`` installs it with apt).

Screenshots go to ``tests/artifacts/`` (git-ignored), and each dashboard's time to first full
render is appended to ``tests/artifacts/render_times.json`` for docs/performance.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: Generous limit for a dashboard's first render on a busy 2-core CI machine (the target
#: recorded in docs/performance.md is 8 s; this only stops a hung test).
RENDER_TIMEOUT_MS = 90_000


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium not found: install Debian's package with "
                    "`apt-get install chromium` (CI's .ci/run does this).", pytrace=False)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_voila(target: str = "notebooks/", *extra_args: str, log_name: str = "voila.log"):
    """Run Voila on a free 127.0.0.1 port from the repository root; yield its base URL.

    The repository's voila.json applies. The server's output goes to tests/artifacts/.
    """
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / log_name, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", target, f"--port={port}", "--no-browser",
             "--Voila.ip=127.0.0.1", *extra_args],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            # voila.json selects the repository's offline template (share/jupyter/voila).
            env={**os.environ, "JUPYTER_PATH": os.pathsep.join(
                p for p in (str(ROOT / "share" / "jupyter"), os.environ.get("JUPYTER_PATH"))
                if p)},
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    with urllib.request.urlopen(base + "/voila/static/", timeout=2):
                        break
                except urllib.error.HTTPError:
                    break  # the server answers
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"Voila did not start: see tests/artifacts/{log_name}",
                                    pytrace=False)
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def start_voila():
    """``start_voila(target, *args, log_name=...)``: the :func:`running_voila` context manager."""
    return running_voila


@pytest.fixture(scope="session")
def voila_url():
    """Base URL of a Voila server serving notebooks/ with the repository's voila.json."""
    with running_voila() as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True,
                                  viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(RENDER_TIMEOUT_MS)
    outside: list[str] = []
    # The dashboards must work without internet (plotly through its bundled mimetype renderer,
    # no CDN): every request of every browser test has to stay on this machine.
    context.on("request", lambda request: outside.append(request.url)
               if urlparse(request.url).hostname not in LOCAL_HOSTS
               and urlparse(request.url).scheme in ("http", "https", "ws", "wss") else None)
    pg = context.new_page()
    yield pg
    context.close()
    assert outside == [], f"requests left the machine (CDN?): {outside[:5]}"


def open_dashboard(page, voila_url: str, notebook: str, ready_selector: str) -> float:
    """Open a dashboard and wait until ``ready_selector`` is visible; return seconds taken.

    The time (navigation to the selector appearing) is recorded in
    tests/artifacts/render_times.json under the notebook's name.
    """
    start = time.perf_counter()
    page.goto(f"{voila_url}/voila/render/{notebook}")
    page.locator(ready_selector).first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    seconds = time.perf_counter() - start
    record = ARTIFACTS / "render_times.json"
    times = json.loads(record.read_text()) if record.exists() else {}
    times.setdefault(notebook, []).append(round(seconds, 2))
    record.write_text(json.dumps(times, ensure_ascii=False, indent=1))
    return seconds


def screenshot(page, name: str) -> Path:
    """Save a screenshot of the whole dashboard under tests/artifacts/.

    Voila scrolls inside ``#rendered_cells``, not the page, so the viewport is stretched to the
    content's height for the shot, then restored.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate(
        "(document.querySelector('#rendered_cells') || document.body).scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 40, 12000)})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path


def choose_files(page, files, *, button_text: str | None = None, index: int = 0) -> None:
    """Pick ``files`` with an upload button (by its label, else the ``index``-th one).

    The ipywidgets 8 FileUpload keeps its ``<input type=file>`` out of the document, so
    ``set_input_files`` cannot reach it; the file chooser its button opens is answered instead.
    """
    buttons = page.locator("button.widget-upload", has_text=button_text) if button_text \
        else page.locator("button.widget-upload").nth(index)
    with page.expect_file_chooser() as chooser:
        buttons.first.click() if button_text else buttons.click()
    chooser.value.set_files(files)


@pytest.fixture
def open_voila(page, voila_url):
    """``open_voila(notebook, ready_selector) -> seconds``: open a dashboard, time its render."""
    return lambda notebook, ready_selector: open_dashboard(page, voila_url, notebook,
                                                          ready_selector)


@pytest.fixture
def save_screenshot(page):
    """``save_screenshot(name) -> Path``: full-page screenshot under tests/artifacts/."""
    return lambda name: screenshot(page, name)


@pytest.fixture
def upload_files(page):
    """``upload_files(files, button_text=None, index=0)``: choose files with an upload button."""
    return lambda files, **kwargs: choose_files(page, files, **kwargs)
