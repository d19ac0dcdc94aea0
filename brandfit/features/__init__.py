"""scikit-learn transformers that turn posts into features, one per module."""

from brandfit.features.frequent_columns import FrequentColumns
from brandfit.features.social_hashing import SocialFeatureHasher
from brandfit.features.tfidf_columns import TfidfColumns

__all__ = ["FrequentColumns", "SocialFeatureHasher", "TfidfColumns"]
