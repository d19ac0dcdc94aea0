"""Label vocabulary per head, shared by training, the API and the CLI.

The shipped models use these names; a retrained head may use its own labels
(its manifest records them), but the names of the heads themselves are fixed.
"""

from __future__ import annotations

from typing import Final, Literal

HeadName = Literal["niche", "safety", "sentiment", "alignment"]
HEAD_NAMES: Final[tuple[str, ...]] = ("niche", "safety", "sentiment", "alignment")

#: The 19 TweetTopic topics, spelled exactly as in the data.
NICHE_LABELS: Final[tuple[str, ...]] = (
    "arts_&_culture",
    "business_&_entrepreneurs",
    "celebrity_&_pop_culture",
    "diaries_&_daily_life",
    "family",
    "fashion_&_style",
    "film_tv_&_video",
    "fitness_&_health",
    "food_&_dining",
    "gaming",
    "learning_&_educational",
    "music",
    "news_&_social_concern",
    "other_hobbies",
    "relationships",
    "science_&_technology",
    "sports",
    "travel_&_adventure",
    "youth_&_student_life",
)

#: Closest IAB Content Taxonomy 3.1 tier-1 category for each niche label.
NICHE_TO_IAB: Final[dict[str, str]] = {
    "arts_&_culture": "Fine Art",
    "business_&_entrepreneurs": "Business and Finance",
    "celebrity_&_pop_culture": "Pop Culture",
    "diaries_&_daily_life": "Personal Celebrations & Life Events",
    "family": "Family and Relationships",
    "fashion_&_style": "Style & Fashion",
    "film_tv_&_video": "Movies",
    "fitness_&_health": "Healthy Living",
    "food_&_dining": "Food & Drink",
    "gaming": "Video Gaming",
    "learning_&_educational": "Education",
    "music": "Music and Audio",
    "news_&_social_concern": "News and Politics",
    "other_hobbies": "Hobbies & Interests",
    "relationships": "Family and Relationships",
    "science_&_technology": "Technology & Computing",
    "sports": "Sports",
    "travel_&_adventure": "Travel",
    "youth_&_student_life": "Education",
}

SAFETY_LABELS: Final[tuple[str, ...]] = ("offensive", "hate", "sensitive_social_issue")

#: GARM Brand Safety Floor + Suitability Framework category of each safety flag.
SAFETY_TO_GARM: Final[dict[str, str]] = {
    "offensive": "Obscenity and Profanity",
    "hate": "Hate Speech and Acts of Aggression",
    "sensitive_social_issue": "Debated Sensitive Social Issue",
}

SENTIMENT_LABELS: Final[tuple[str, ...]] = ("negative", "neutral", "positive")

STANCE_LABELS: Final[tuple[str, ...]] = ("supports", "neutral", "opposes")

#: Values the shipped alignment head was trained on (TweetEval stance folders).
ALIGNMENT_TARGETS: Final[tuple[str, ...]] = (
    "abortion",
    "atheism",
    "climate",
    "feminist",
    "hillary",
)

#: Readable aliases accepted wherever a value name is expected.
TARGET_ALIASES: Final[dict[str, str]] = {
    "abortion_rights": "abortion",
    "legalization_of_abortion": "abortion",
    "pro_choice": "abortion",
    "secularism": "atheism",
    "climate_action": "climate",
    "climate_change": "climate",
    "climate_change_is_a_real_concern": "climate",
    "sustainability_climate": "climate",
    "gender_equality": "feminist",
    "feminism": "feminist",
    "feminist_movement": "feminist",
    "hillary_clinton": "hillary",
}

#: Weak-signal flags a prediction may carry.
WEAK_SIGNAL_FLAGS: Final[tuple[str, ...]] = (
    "empty_text",
    "no_signal",
    "non_english",
    "low_coverage",
)


def canonical_target(name: str) -> str:
    """Return the canonical value name for ``name`` (aliases resolved, case folded)."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return TARGET_ALIASES.get(key, key)
