"""Request examples shown on ``/docs`` (each is a valid request for the shipped models)."""

from __future__ import annotations

from typing import Any

BRAND: dict[str, Any] = {
    "name": "Loop Athletics",
    "aliases": ["LoopAthletics", "@loopathletics", "#loopfit"],
    "competitors": {"Strive": ["@strivewear"]},
    "niches": ["fitness_&_health"],
    "values": [
        "climate",
        {"name": "sustainability", "terms": ["recycled", "zero waste", "thrifted"]},
    ],
    "avoid": ["hate", {"flag": "offensive", "sensitivity": "high"}],
    "target_audience": {"country": {"US": 0.6, "CA": 0.2, "GB": 0.2}},
}

INFLUENCER: dict[str, Any] = {
    "handle": "@mia.moves",
    "platform": "instagram",
    "followers": 42000,
    "audience": {"country": {"US": 0.55, "CA": 0.25, "GB": 0.1}},
    "posts": [
        {
            "id": "mia-1",
            "text": "Leg day at the gym again 💪 #fitness",
            "likes": 1900,
            "comments": 85,
            "shares": 12,
        },
        {
            "id": "mia-3",
            "text": "Climate action cannot wait. My whole kit is recycled ♻️",
            "likes": 2300,
            "comments": 140,
            "shares": 75,
        },
        {
            "id": "mia-4",
            "text": "Love this so much! New @loopathletics leggings #ad #fitness",
            "likes": 2600,
            "comments": 190,
            "shares": 30,
        },
    ],
}

OTHER: dict[str, Any] = {
    "handle": "@chef.sam",
    "platform": "tiktok",
    "followers": 180000,
    "posts": [
        {
            "id": "sam-1",
            "text": "Homemade pasta with fresh basil 😋",
            "likes": 5200,
            "comments": 210,
            "shares": 300,
        }
    ],
}

PREDICT = {
    "one": {
        "summary": "One post",
        "value": {"posts": [{"id": "p1", "text": "Leg day at the gym again 💪 #fitness"}]},
    },
    "brand": {
        "summary": "Posts for a brand (its known values become alignment targets)",
        "value": {
            "posts": [{"id": "p1", "text": "Climate action cannot wait"}, {"id": "p2", "text": ""}],
            "brand": {"name": "Loop Athletics", "values": ["climate"]},
        },
    },
    "targets": {
        "summary": "Explicit alignment values",
        "value": {
            "posts": [{"id": "p1", "text": "We need equal pay for equal work"}],
            "targets": ["feminist"],
        },
    },
}
SCORE = {
    "fit": {
        "summary": "A fitness creator for an activewear brand",
        "value": {"brand": BRAND, "influencer": INFLUENCER},
    }
}
RANK = {
    "two": {
        "summary": "Rank two creators",
        "value": {"brand": BRAND, "influencers": [INFLUENCER, OTHER]},
    }
}
