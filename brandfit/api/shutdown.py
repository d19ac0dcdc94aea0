"""Readiness drain on SIGTERM: ``/readyz`` turns 503 while the listener is still open.

uvicorn closes its listening socket as soon as it starts shutting down and runs the
lifespan shutdown only after that, so a flag set there is never seen by a client.
This module wraps uvicorn's SIGTERM/SIGINT handler (installed before the lifespan
starts): the first SIGTERM marks the app as shutting down at once and hands the signal
to uvicorn only ``grace_s`` seconds later. Meanwhile the server keeps answering (a load
balancer polling ``/readyz`` sees 503 and stops sending traffic), then shuts down as
usual, finishing in-flight requests. SIGINT and a second SIGTERM flip readiness and
pass straight through. uvicorn restores its own handlers on exit.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from fastapi import FastAPI

logger = logging.getLogger("brandfit.api")

Handler = Callable[[int, FrameType | None], Any]


def mark_shutting_down(app: FastAPI) -> None:
    """Make ``/readyz`` answer 503 ``shutting_down`` from now on."""
    app.state.shutting_down = True
    app.state.metrics.ready.set(0)


def install_drain(app: FastAPI, grace_s: float) -> bool:
    """Wrap the process's SIGTERM/SIGINT handlers (uvicorn's); True if installed.

    Only possible in the main thread with a Python-level handler already set (as under
    uvicorn); elsewhere (TestClient, embedding) readiness flips in the lifespan shutdown.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    loop = asyncio.get_running_loop()
    drained = False

    def wrap(sig: signal.Signals) -> bool:
        previous = signal.getsignal(sig)
        if not callable(previous):
            return False
        forward: Handler = previous

        def handler(signum: int, frame: FrameType | None) -> None:
            nonlocal drained
            mark_shutting_down(app)
            if signum == signal.SIGTERM and grace_s > 0 and not drained:
                drained = True
                logger.info(
                    "SIGTERM: /readyz now 503; shutting down in %.1f s (send again to skip)",
                    grace_s,
                )
                loop.call_soon_threadsafe(loop.call_later, grace_s, forward, signum, frame)
                return
            forward(signum, frame)

        signal.signal(sig, handler)
        return True

    return all([wrap(signal.SIGTERM), wrap(signal.SIGINT)])
