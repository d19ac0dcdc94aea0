"""The one module-level app: ``uvicorn serve:app`` (settings from ``BRANDFIT_*`` variables)."""

from brandfit.serving import create_server_app

app = create_server_app()
