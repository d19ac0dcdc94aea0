"""``GET /``: the analyst page (plain HTML, CSS and JS under ``brandfit/api/static/``).

The page calls the JSON API (``POST /v1/rank``) from the browser, so it needs no key
itself; its files are served with a Content-Security-Policy that allows nothing but
this server, which also guarantees the page loads nothing from outside.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static/ui"
#: Only this server: scripts, styles, fetches and images (the favicon is a data: URL).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    """The analyst page."""
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"},
    )


def install_ui(app: FastAPI) -> None:
    """Serve the page at ``/`` and its files under :data:`STATIC_URL`."""
    app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="ui-static")
