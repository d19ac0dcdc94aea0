"""The one module-level app: ``uvicorn serve:app`` (settings from ``BRANDFIT_*`` variables)."""

from brandfit.api.app import create_app

app = create_app()
