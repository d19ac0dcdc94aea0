"""Content components of a score card, each a value in [0, 1] with the posts behind it.

Every function takes the same per-post inputs, aligned by position: the posts, the
:class:`~brandfit.predict.Predictor` output for them, their lexicon hits, and a
weight per post (1, or ``WEAK_SIGNAL_WEIGHT`` for posts with a weak-signal flag).
A component with nothing to go on returns ``value=None`` and says why in ``status``;
the aggregate then leaves it out rather than guessing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from brandfit.explain import top_terms
from brandfit.features.value_pairs import value_name
from brandfit.labels import SAFETY_TO_GARM
from brandfit.persistence.registry import LoadedModels
from brandfit.scoring.profile import PostIn
from brandfit.scoring.resolve import ResolvedBrand
from brandfit.scoring.results import EVIDENCE_K, Component, Evidence, snippet
from brandfit.text.lexicons import PhraseHit

#: Weight of a post carrying a weak-signal flag (empty, no signal, non-English, low coverage).
WEAK_SIGNAL_WEIGHT: Final = 0.25
#: Risk level of a flagged post from the flag's probability (lowest bound first).
RISK_BANDS: Final[tuple[tuple[str, float], ...]] = (
    ("floor", 0.95),
    ("high", 0.8),
    ("medium", 0.6),
    ("low", 0.0),
)
RISK_ORDER: Final[dict[str, int]] = {"low": 0, "medium": 1, "high": 2, "floor": 3}
SEVERITY: Final[dict[str, float]] = {"low": 0.25, "medium": 0.5, "high": 0.75, "floor": 1.0}
#: safety = exp(-SAFETY_STEEPNESS * severity-weighted share of avoided posts), capped by FLOOR_CAP.
SAFETY_STEEPNESS: Final = 10.0
FLOOR_CAP: Final = 0.1
#: A post counts as evidence of a niche from this probability on.
EVIDENCE_PROBABILITY: Final = 0.5

Preds = Sequence[dict[str, Any]]
Hits = Sequence[Sequence[PhraseHit]]


def _terms(
    models: LoadedModels, head: str, label: str, texts: list[str], target: str | None = None
) -> list[list[str]]:
    if not texts:
        return []
    targets = [target] * len(texts) if target is not None else None
    rows = top_terms(models.heads[head], texts, label, targets=targets, k=5)
    return [[term for term, _ in row if any(c.isalnum() for c in term)] for row in rows]


def _evidence(
    models: LoadedModels,
    head: str,
    posts: Sequence[PostIn],
    picks: list[tuple[int, str, float]],
    target: str | None = None,
) -> list[Evidence]:
    """Evidence for ``picks`` = (post index, label, weight); one ``top_terms`` call per label."""
    by_label: dict[str, list[int]] = {}
    for k, (_, label, _) in enumerate(picks):
        by_label.setdefault(label, []).append(k)
    terms: dict[int, list[str]] = {}
    for label, ks in by_label.items():
        rows = _terms(
            models, head, label.split(":")[0], [posts[picks[k][0]].text for k in ks], target
        )
        terms.update(zip(ks, rows, strict=True))
    return [
        Evidence(posts[i].id, snippet(posts[i].text), terms[k], label, round(weight, 4))
        for k, (i, label, weight) in enumerate(picks)
    ]


def _top(items: list[tuple[int, str, float]]) -> list[tuple[int, str, float]]:
    return sorted(items, key=lambda item: -item[2])[:EVIDENCE_K]


def niche_component(
    brand: ResolvedBrand,
    posts: Sequence[PostIn],
    preds: Preds,
    w: Sequence[float],
    models: LoadedModels,
) -> Component:
    """Weighted mean over posts of the highest probability among the brand's niches."""
    if not brand.niches:
        return Component(None, "not_requested")
    if not posts:
        return Component(None, "no_posts")
    relevance, picks, on_niche = [], [], 0
    for i, pred in enumerate(preds):
        scores = pred["niche"]["scores"]
        best = max(brand.niches, key=lambda n: scores.get(n, 0.0))
        relevance.append(scores.get(best, 0.0))
        picks.append((i, best, relevance[-1]))
        on_niche += any(label in brand.niches for label in pred["niche"]["labels"])
    value = sum(r * wi for r, wi in zip(relevance, w, strict=True)) / sum(w)
    per_niche = {
        n: round(
            sum(p["niche"]["scores"].get(n, 0.0) * wi for p, wi in zip(preds, w, strict=True))
            / sum(w),
            4,
        )
        for n in brand.niches
    }
    evidence = _evidence(
        models, "niche", posts, _top([p for p in picks if p[2] >= EVIDENCE_PROBABILITY])
    )
    return Component(
        round(value, 4),
        "ok",
        evidence,
        {"niches": brand.niches, "per_niche": per_niche, "on_niche_posts": on_niche},
    )


def _stance_share(support: float, oppose: float) -> float:
    """Smoothed share of supporting stance: 0.5 with no stance posts, towards 1 or 0 with evidence."""
    return (support + 0.5) / (support + oppose + 1.0)


def values_component(
    brand: ResolvedBrand,
    posts: Sequence[PostIn],
    preds: Preds,
    hits: Hits,
    w: Sequence[float],
    models: LoadedModels,
) -> Component:
    """Mean over the brand's values of the smoothed share of posts supporting (vs opposing) each."""
    if not brand.known_values and not brand.custom_values:
        return Component(None, "not_requested")
    if not posts:
        return Component(None, "no_posts")
    per_value: dict[str, dict[str, Any]] = {}
    evidence: list[Evidence] = []
    for value in brand.known_values:
        key = value_name(value)
        support = oppose = 0.0
        picks: list[tuple[int, str, float]] = []
        for i, pred in enumerate(preds):
            stance = pred["alignment"][key]
            label = stance["labels"][0] if stance["labels"] else "neutral"
            if label in ("supports", "opposes"):
                p = stance["scores"][label] * w[i]
                support, oppose = (
                    (support + p, oppose) if label == "supports" else (support, oppose + p)
                )
                picks.append((i, f"{label}:{key}", p))
        per_value[key] = {
            "value": round(_stance_share(support, oppose), 4),
            "supports": round(support, 4),
            "opposes": round(oppose, 4),
            "source": "alignment",
        }
        evidence.extend(_evidence(models, "alignment", posts, _top(picks), target=value))
    for value, _terms_list in brand.custom_values.items():
        key = f"value:{value}"
        picks = []
        for i, post_hits in enumerate(hits):
            phrases = [h.phrase for h in post_hits if h.key == key]
            if phrases:  # a term match is itself the evidence: not down-weighted by model flags
                picks.append((i, f"supports:{value}", 1.0))
                if len(evidence) < 3 * EVIDENCE_K:
                    evidence.append(
                        Evidence(
                            posts[i].id,
                            snippet(posts[i].text),
                            list(dict.fromkeys(phrases)),
                            f"supports:{value}",
                            1.0,
                        )
                    )
        if value in per_value:  # judged by the alignment head: terms add evidence only
            continue
        support = float(sum(p[2] for p in picks))
        per_value[value] = {
            "value": round(_stance_share(support, 0.0), 4),
            "supports": round(support, 4),
            "opposes": 0.0,
            "source": "terms",
        }
    value = sum(v["value"] for v in per_value.values()) / len(per_value)
    evidence.sort(key=lambda e: (e.label.startswith("supports"), e.weight), reverse=True)
    return Component(round(value, 4), "ok", evidence[: 2 * EVIDENCE_K], {"per_value": per_value})


def risk_level(probability: float) -> str:
    """GARM-style risk level of a flagged post from the flag's probability."""
    return next(level for level, bound in RISK_BANDS if probability >= bound)


def safety_component(
    brand: ResolvedBrand,
    posts: Sequence[PostIn],
    preds: Preds,
    w: Sequence[float],
    models: LoadedModels,
) -> Component:
    """exp(-k * severity-weighted share of posts the brand avoids); a floor-level post caps it."""
    if "safety" not in models.heads:
        return Component(None, "no_model")
    flagged: list[dict[str, Any]] = []
    penalty = 0.0
    floor_hit = False
    picks: list[tuple[int, str, float]] = []
    for i, pred in enumerate(preds):
        worst = 0.0
        for flag, p in pred["safety"]["scores"].items():
            if flag not in pred["safety"]["labels"]:  # the head's own tuned thresholds decide
                continue
            level = risk_level(p)
            sensitivity = brand.avoid.get(flag)
            avoided = sensitivity is not None and RISK_ORDER[level] >= RISK_ORDER[sensitivity]
            flagged.append(
                {
                    "post_id": posts[i].id,
                    "flag": flag,
                    "garm_category": SAFETY_TO_GARM.get(flag, "Unmapped"),
                    "risk": level,
                    "probability": p,
                    "avoided": avoided,
                    "snippet": snippet(posts[i].text),
                }
            )
            if avoided:
                worst = max(worst, SEVERITY[level])
                floor_hit |= level == "floor"
                picks.append((i, flag, p * w[i]))
        penalty += worst * w[i]
    detail = {"avoid": brand.avoid, "flagged": flagged}
    if not brand.avoid:
        return Component(None, "not_requested", [], detail)
    if not posts:
        return Component(None, "no_posts", [], detail)
    rate = penalty / sum(w)
    value = math.exp(-SAFETY_STEEPNESS * rate)
    if floor_hit:
        value = min(value, FLOOR_CAP)
    detail["avoided_share"] = round(rate, 4)
    return Component(round(value, 4), "ok", _evidence(models, "safety", posts, _top(picks)), detail)


def _mentions(hits: Hits, prefix: str) -> list[tuple[int, list[str]]]:
    out = []
    for i, post_hits in enumerate(hits):
        names = [h.key for h in post_hits if h.key == prefix or h.key.startswith(prefix + ":")]
        if names:
            out.append((i, list(dict.fromkeys(names))))
    return out


def _advocacy(pred: dict[str, Any]) -> float:
    scores = pred["sentiment"]["scores"]
    return float(scores.get("positive", 0.0) - scores.get("negative", 0.0))


def sentiment_component(
    kind: str,
    posts: Sequence[PostIn],
    preds: Preds,
    hits: Hits,
    w: Sequence[float],
    models: LoadedModels,
) -> Component:
    """Sentiment in posts that mention the brand (``kind="brand"``) or a competitor (``"competitor"``).

    Brand: value = (1 + weighted mean(p_positive - p_negative)) / 2, so a creator who
    trashes the brand lands near 0. Competitor: value = 1 - max(0, that mean), so only
    praise of competitors costs.
    """
    if "sentiment" not in models.heads:
        return Component(None, "no_model")
    mentions = _mentions(hits, kind)
    if not mentions:
        return Component(None, "no_mentions", [], {"mentions": 0})
    total = sum(w[i] for i, _ in mentions)
    mean = sum(_advocacy(preds[i]) * w[i] for i, _ in mentions) / total
    value = (1.0 + mean) / 2.0 if kind == "brand" else 1.0 - max(0.0, mean)
    stance = "advocate" if mean >= 0.2 else "detractor" if mean <= -0.2 else "neutral"
    picks = [
        (
            i,
            preds[i]["sentiment"]["labels"][0] if preds[i]["sentiment"]["labels"] else "neutral",
            abs(_advocacy(preds[i])) * w[i],
        )
        for i, _ in mentions
    ]
    evidence = _evidence(models, "sentiment", posts, _top(picks))
    detail: dict[str, Any] = {
        "mentions": len(mentions),
        "mean_advocacy": round(mean, 4),
        "stance": stance,
    }
    if kind == "competitor":
        per: dict[str, int] = {}
        for _, names in mentions:
            for name in names:
                per[name.split(":", 1)[1]] = per.get(name.split(":", 1)[1], 0) + 1
        detail["per_competitor"] = per
    return Component(round(value, 4), "ok", evidence, detail)
