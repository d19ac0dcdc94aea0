"""Self-contained HTML evaluation reports of one head (figures inlined, nothing fetched)."""

from __future__ import annotations

from brandfit.report.build import build_report
from brandfit.report.scoring import ScoredData, score_labelled

__all__ = ["ScoredData", "build_report", "score_labelled"]
