"""Property-based run over the OpenAPI schema: no 5xx, every response matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from brandfit.api.app import create_app
from brandfit.api.warmup import warm_up
from brandfit.persistence.registry import LoadedModels, ModelRegistry
from tests.api.conftest import make_settings

# The schema is read at import; the tiny models are put in place per test (below).
app = create_app(make_settings(), ModelRegistry())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(autouse=True)
def _tiny_models(tiny_loaded: LoadedModels) -> None:
    warm_up(tiny_loaded)
    app.state.registry = ModelRegistry(models=tiny_loaded)
    app.state.warm = True
    app.state.shutting_down = False


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_schemathesis_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
    )
