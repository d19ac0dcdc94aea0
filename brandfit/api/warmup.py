"""Warm a freshly loaded model set so the first real request is not the slow one."""

from __future__ import annotations

from brandfit.heap import settle_heap
from brandfit.persistence.registry import LoadedModels
from brandfit.predict import Predictor
from brandfit.text import language

WARMUP_TEXTS = ["Leg day at the gym again #fitness @user", ""]


def warm_up(models: LoadedModels) -> None:
    """Run every head once (tokenizer, hashing, estimators, alignment targets), then settle the heap."""
    Predictor(models).predict(WARMUP_TEXTS)
    language.warm_up()  # the non_english identifier loads its models on first use
    settle_heap()
