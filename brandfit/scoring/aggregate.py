"""Combine component values into the overall 0–100 score.

Only components with a value take part; their weights (``BrandProfile.weights``)
are renormalised to sum to 1 over them, and the normalised weights are reported.

* ``geometric`` (default): score = 100 * prod_c max(v_c, FLOOR) ** w_c — one very
  poor component (off-niche, unsafe, brand-hostile) pulls the whole score down;
* ``arithmetic``: score = 100 * sum_c w_c * v_c.

With no component available the score is 0 and every weight is 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from brandfit.scoring.profile import COMPONENTS, Weights
from brandfit.scoring.results import Component

#: Smallest value a component contributes to the geometric mean (log(0) is -inf).
FLOOR: Final = 0.01


def combine(
    components: Mapping[str, Component], weights: Weights
) -> tuple[float, dict[str, float]]:
    """Return the overall score (0–100, 2 decimals) and the normalised weight used per component."""
    raw = {
        c: weights.of(c)
        for c in COMPONENTS
        if c in components and components[c].value is not None and weights.of(c) > 0
    }
    total = sum(raw.values())
    used = {c: round(raw.get(c, 0.0) / total, 4) if total else 0.0 for c in COMPONENTS}
    if not total:
        return 0.0, used
    values = {c: float(components[c].value or 0.0) for c in raw}
    if weights.combine == "geometric":
        fit = math.exp(sum(raw[c] * math.log(max(values[c], FLOOR)) for c in raw) / total)
    else:
        fit = sum(raw[c] * values[c] for c in raw) / total
    return round(100.0 * min(max(fit, 0.0), 1.0), 2), used
