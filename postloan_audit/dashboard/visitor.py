"""A page served from a pre-heated kernel (预热内核), and what changes when its visitor arrives.

Voila can keep one kernel per page started and run ahead (``preheat_kernel`` in
``voila.json``; docs/deploy.md §1): the page's notebook runs up to :func:`visitor_page` before
anyone asks for it, so a visitor gets a page whose data are already loaded and whose checks
already ran. What belongs to the visitor, not to the data, is settled only when the request
arrives:

* who is signed in (the sign-in proxy's header reaches the kernel with the request), which
  the management page shows and writes into its workbook (``visitor_arrived``);
* the day: a kernel that waited past midnight recomputes its page (``start``), because
  follow-up deadlines and a default check date are counted from today.

A pre-heated kernel runs at a lower priority (:data:`PREHEAT_NICENESS`), so heating the next
kernel after a visit does not slow the page the visitor is looking at.

Outside a pre-heated kernel (tests, ``voila`` without pre-heating, Jupyter) :func:`visitor_page`
only returns the dashboard's widget.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

#: Environment variable Voila sets to "True" in the kernels it pre-heats.
PREHEAT_ENV: str = "VOILA_PREHEAT"
#: Optional directory where a pre-heated kernel leaves a file ``<dashboard class>-<pid>.ready``
#: while it waits for its visitor (removed when the visitor arrives). The browser tests use it
#: to know that a page is heated before they time it; a monitoring check can count the files.
READY_DIR_ENV: str = "POSTLOAN_AUDIT_PREHEAT_READY_DIR"
#: How many times to ask the server for the visitor's request before the page goes on
#: without it (each try waits up to 5 s for the connection, then for the request).
WAIT_ATTEMPTS: int = 3
#: ``nice`` increment of a pre-heated kernel (0 = as the server): heating the next visitor's
#: kernel yields the CPU to the pages being looked at.
PREHEAT_NICENESS: int = 10


def preheated(environ: dict[str, str] | None = None) -> bool:
    """Whether this kernel was started by Voila's pre-heating (``VOILA_PREHEAT=True``)."""
    env = os.environ if environ is None else environ
    return env.get(PREHEAT_ENV, "False") == "True"


def lower_priority() -> None:
    """In a pre-heated kernel, lower this process's priority by :data:`PREHEAT_NICENESS`
    (once; called when :mod:`postloan_audit.dashboard` is imported)."""
    if preheated() and PREHEAT_NICENESS and not getattr(lower_priority, "done", False):
        lower_priority.done = True  # type: ignore[attr-defined]
        try:
            os.nice(PREHEAT_NICENESS)
        except OSError:  # not allowed here: heating at normal priority is still correct
            pass


def _ready_file(dashboard: Any) -> Path | None:
    folder = os.environ.get(READY_DIR_ENV)
    if not folder:
        return None
    return Path(folder) / f"{type(dashboard).__name__}-{os.getpid()}.ready"


def _today() -> dt.date:
    return dt.date.today()


def visitor_page(dashboard: Any) -> Any:
    """The dashboard's widget, for the last cell of a page's notebook.

    In a pre-heated kernel this waits for the visitor's request (``voila.utils.wait_for_request``),
    then recomputes the page if the day changed while it waited, and calls the dashboard's
    ``visitor_arrived()`` when it has one (the signed-in user is known only now).
    """
    if not preheated():
        return dashboard.widget
    from voila.utils import wait_for_request

    heated_on = _today()
    ready = _ready_file(dashboard)
    if ready is not None:
        ready.touch()
    try:
        # Voila's helper gives up quietly when the server is slow to take the connection
        # (5 s); a page heated without its visitor would then show no signed-in user.
        for _attempt in range(WAIT_ATTEMPTS):
            wait_for_request()
            if os.environ.get("SERVER_SOFTWARE", "").startswith("voila/"):
                break  # the request's information has arrived
    finally:
        if ready is not None:
            ready.unlink(missing_ok=True)
    if _today() != heated_on and hasattr(dashboard, "start"):
        dashboard.start()
    arrived = getattr(dashboard, "visitor_arrived", None)
    if callable(arrived):
        arrived()
    return dashboard.widget
