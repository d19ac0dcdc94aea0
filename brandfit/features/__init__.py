"""scikit-learn transformers that turn posts into features, one per module."""

from brandfit.features.frequent_columns import FrequentColumns
from brandfit.features.social_hashing import SocialFeatureHasher

__all__ = ["FrequentColumns", "SocialFeatureHasher"]
