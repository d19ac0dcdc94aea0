"""Prometheus metrics, one registry per app (so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    """The server's counters and histograms."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "brandfit_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "brandfit_http_request_duration_seconds",
            "Request latency by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.inference = Histogram(
            "brandfit_inference_duration_seconds",
            "Model time per request by endpoint.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.items = Counter(
            "brandfit_items_scored",
            "Posts or influencers scored by endpoint.",
            ["endpoint", "kind"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "brandfit_rejected_inputs",
            "Rejected requests by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.reloads = Counter(
            "brandfit_model_reloads",
            "Model reloads by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.inflight = Gauge(
            "brandfit_inflight_requests",
            "Model requests (POST /v1/...) being served or queued for a worker thread.",
            registry=self.registry,
        )
        self.ready = Gauge(
            "brandfit_models_ready",
            "1 when verified models are loaded and warm.",
            registry=self.registry,
        )

    def render(self) -> bytes:
        """Render the text exposition format."""
        return generate_latest(self.registry)
