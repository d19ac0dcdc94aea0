"""The ``brandfit`` command line: a thin Typer layer over the library."""

from __future__ import annotations

import typer

from brandfit.cli.classify import classify
from brandfit.cli.evaluate import evaluate
from brandfit.cli.models import models_command
from brandfit.cli.predict import predict
from brandfit.cli.report import report
from brandfit.cli.score import score
from brandfit.cli.serve import serve
from brandfit.cli.train import train
from brandfit.cli.uncertain import uncertain

app = typer.Typer(
    name="brandfit",
    help="Brand-fit classification for influencer marketing: niche, values, safety, sentiment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("train")(train)
app.command("evaluate")(evaluate)
app.command("predict")(predict)
app.command("report")(report)
app.command("uncertain")(uncertain)
app.command("models")(models_command)
app.command("classify")(classify)
app.command("score")(score)
app.command("serve")(serve)

__all__ = ["app"]
