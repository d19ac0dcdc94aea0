"""What the sentence encoder reads of a post: its normalised text.

URLs, handles and the data sets' placeholders are made to agree by
:func:`brandfit.text.normalize.normalize_text` (the same step the lexical features
start from), so a TweetTopic ``{{URL}}`` and a real link embed alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from brandfit.text.normalize import normalize_text


def encoder_texts(texts: Sequence[str | None]) -> list[str]:
    """The encoder's input for each post (``None`` reads as an empty post)."""
    return [normalize_text(text or "") for text in texts]
