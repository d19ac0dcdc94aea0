"""``GET /v1/models``: what is loaded, exactly as the manifests say."""

from __future__ import annotations

from fastapi import APIRouter, Request

from brandfit.api.deps import ModelsDep
from brandfit.api.schemas import ModelsResponse

router = APIRouter(tags=["models"])


@router.get(
    "/v1/models",
    response_model=ModelsResponse,
    summary="Loaded heads: versions, labels, metrics",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "model_versions": {"niche": "niche-20250101-abc123"},
                        "heads": {
                            "niche": {
                                "model_version": "niche-20250101-abc123",
                                "kind": "multilabel",
                                "labels": ["fitness_&_health"],
                                "metrics": {"test": {"macro_f1": 0.61}},
                            }
                        },
                    }
                }
            }
        }
    },
)
def list_models(models: ModelsDep, request: Request) -> ModelsResponse:
    """Every loaded head's manifest (versions, labels, thresholds, metrics, training config, checksums)."""
    request.state.model_versions = models.versions
    return ModelsResponse(
        model_versions=models.versions,
        heads={name: dict(manifest) for name, manifest in models.manifests.items()},
    )
