"""The one module-level app: ``uvicorn serve:app`` (settings from ``BRANDFIT_*`` variables).

``python serve.py [--host H] [--port P]`` runs the same app under uvicorn.
"""

from brandfit.serving import create_server_app, run_server

app = create_server_app()

if __name__ == "__main__":
    run_server(app)
