"""Classifier heads: build, fit state and decision rules."""
