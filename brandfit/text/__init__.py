"""Everything spaCy: the social tokenizer, normalisation, token streams and lexicons."""
