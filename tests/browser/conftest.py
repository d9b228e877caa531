"""Browser tests: pytest starts Voila on 127.0.0.1 and Playwright drives Debian's chromium.

No browser is downloaded: Playwright launches the system chromium (``/usr/bin/chromium``, or
``$CHROMIUM``) through ``executable_path``. A missing chromium fails these tests with a message
saying how to install it; they are never skipped (``.ci/run`` installs it with apt).

A CJK font is required too: without one chromium draws every Chinese character as a box and
the screenshots are useless, so the ``browser`` fixture fails when ``fc-list :lang=zh`` finds
no font (Debian's ``fonts-wqy-microhei``; ``.ci/run`` installs it).

Screenshots go to ``tests/artifacts/`` (git-ignored), and each dashboard's time to first full
render is appended to ``tests/artifacts/render_times.json`` for docs/performance.md.

Every assertion about something the page updates after an action waits for that state
(Playwright's ``expect(...)``, or ``wait_for_function``); there are no fixed sleeps.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
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
from playwright.sync_api import expect

from postloan_audit.dashboard.visitor import READY_DIR_ENV

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: Generous limit for a dashboard's first render on a busy 2-core CI machine (the target
#: recorded in docs/performance.md is 5 s on a quiet machine; this only stops a hung test).
RENDER_TIMEOUT_MS = 90_000
#: How long ``expect(...)`` waits for a state after an action (an upload of the network
#: snapshot takes a few seconds on a busy machine); only a hung page reaches it.
EXPECT_TIMEOUT_MS = 60_000


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium not found: install Debian's package with "
                    "`apt-get install chromium` (CI's .ci/run does this).", pytrace=False)
    return path


def cjk_fonts() -> list[str]:
    """Font families fontconfig offers for Chinese (``fc-list :lang=zh family``)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                             text=True, timeout=30, check=False).stdout
    except FileNotFoundError:
        return []
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


def require_cjk_font() -> list[str]:
    """Fail (never skip) when no Chinese font is installed; return the families found."""
    families = cjk_fonts()
    if not families:
        pytest.fail("No Chinese (CJK) font: chromium would draw every Chinese character as a "
                    "box. Install Debian's `fonts-wqy-microhei` (`apt-get install "
                    "fonts-wqy-microhei`; CI's .ci/run does this).", pytrace=False)
    return families


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerURL(str):
    """A running Voila's base URL that also knows the server process (to count kernels) and
    the folder where its pre-heated kernels report that they wait for a visitor."""

    process: subprocess.Popen
    ready_dir: Path


def page_dashboard(notebook: str) -> str:
    """The dashboard class a page's notebook builds (read off its import line): a pre-heated
    kernel of that page leaves ``<class>-<pid>.ready`` in the server's ``ready_dir``
    (postloan_audit/dashboard/visitor.py)."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return re.search(r"from postloan_audit\.dashboard import (\w+)", source).group(1)


#: How long a page's pre-heated kernel may take to be ready on a busy CI machine (seconds);
#: only a server that cannot heat reaches it.
WARM_TIMEOUT_S = 180.0


def wait_until_warm(base: ServerURL, notebook: str) -> None:
    """Wait until ``notebook``'s pre-heated kernel has run the page and waits for a visitor,
    as it does on a server that has been up for a while (voila.json: ``preheat_kernel``)."""
    pattern = f"{page_dashboard(notebook)}-*.ready"
    deadline = time.monotonic() + WARM_TIMEOUT_S
    while not any(base.ready_dir.glob(pattern)):
        if base.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"no pre-heated kernel of {notebook} became ready within "
                        f"{WARM_TIMEOUT_S:.0f} s: see the server's log in tests/artifacts/",
                        pytrace=False)
        time.sleep(0.2)  # polling interval, not a wait for a state


def kernel_processes(process: subprocess.Popen) -> list:
    """The kernels (``ipykernel_launcher`` child processes) a Voila server is running now."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        with contextlib.suppress(psutil.Error):
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
    return found


@contextlib.contextmanager
def running_voila(target: str = "notebooks/", *extra_args: str, log_name: str = "voila.log",
                  env: dict[str, str] | None = None):
    """Run Voila on a free 127.0.0.1 port from the repository root; yield its base URL.

    The repository's voila.json applies. The server's output goes to tests/artifacts/.
    The URL yielded is a :class:`ServerURL` (``.process`` is the server). ``env`` adds
    environment variables for the server and its kernels.
    """
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ready_dir = ARTIFACTS / f"preheated-{port}"
    shutil.rmtree(ready_dir, ignore_errors=True)
    ready_dir.mkdir()
    with open(ARTIFACTS / log_name, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", target, f"--port={port}", "--no-browser",
             "--Voila.ip=127.0.0.1", *extra_args],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            # voila.json selects the repository's offline template (share/jupyter/voila).
            env={**os.environ, **(env or {}), READY_DIR_ENV: str(ready_dir),
                 "JUPYTER_PATH": os.pathsep.join(
                p for p in (str(ROOT / "share" / "jupyter"), os.environ.get("JUPYTER_PATH"))
                if p)},
        )
        base = ServerURL(f"http://127.0.0.1:{port}")
        base.process = proc
        base.ready_dir = ready_dir
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
    require_cjk_font()
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
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
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


#: What each dashboard shows once its first screen is complete (the browser tests' ready
#: state); the time to reach it is a page's first render (docs/performance.md).
READY_SELECTORS: dict[str, str] = {
    "00_extract_overview.ipynb": "#pa-overview-facts",
    "01_branch_sampling.ipynb": "#pa-sampling-strata",
    "02_compliance_checks.ipynb": "body:has(#pa-findings):has(.js-plotly-plot)",
    "03_management_dashboard.ipynb": "body:has(#pa-mgmt-kpis):has(.js-plotly-plot)",
    "04_statistical_sampling.ipynb": ".pa-stat-plan",
    "05_watch_list.ipynb": "body:has(.pa-watch-kpis):has(#pa-watchlist)",
}


def open_dashboard(page, voila_url: str, notebook: str, ready_selector: str) -> float:
    """Open a dashboard and wait until ``ready_selector`` is visible; return seconds taken.

    The page's pre-heated kernel is waited for first (a server that has been up for a while);
    the time (navigation to the selector appearing) is recorded in
    tests/artifacts/render_times.json under the notebook's name.
    """
    wait_until_warm(voila_url, notebook)
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


@pytest.fixture(scope="session")
def ready_selectors() -> dict[str, str]:
    """:data:`READY_SELECTORS`: notebook → the selector of its complete first screen."""
    return dict(READY_SELECTORS)


@pytest.fixture(scope="session")
def heated():
    """``heated(server_url, notebook)``: :func:`wait_until_warm`, for tests that open a page
    without timing it but must get its pre-heated kernel."""
    return wait_until_warm


@pytest.fixture(scope="session")
def count_kernels():
    """``count_kernels(server_url) -> int``: kernel processes of a :func:`running_voila`."""
    return lambda base: len(kernel_processes(base.process))


@pytest.fixture(scope="session")
def cjk_font_check():
    """:func:`require_cjk_font`, for the test that it fails without a font."""
    return require_cjk_font
