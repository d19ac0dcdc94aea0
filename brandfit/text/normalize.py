"""Pure ``str -> str`` normalisation that makes the data sets' conventions agree.

TweetTopic writes ``{{URL}}``, ``{{USERNAME}}`` and ``{@Display Name@}``; TweetEval
writes ``@user``; real posts carry real URLs and handles, HTML entities and
escaped characters. After :func:`normalize_text` all of them look the same:

* URLs (real or ``{{URL}}``) become the placeholder ``httpurl``;
* a handle becomes ``@user`` followed by its name (``@nike`` -> ``@user nike``),
  so the vocabulary of TweetEval (names already hidden) and of real posts agree
  while a verified display name still carries its words;
* literal ``\\uXXXX`` escapes and HTML entities are decoded, text is NFKC-normalised, whitespace collapsed.

Every step is idempotent, so ``normalize_text(normalize_text(s)) == normalize_text(s)``.
Case is kept: lower-casing is a feature decision, not a normalisation one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Final

URL_PLACEHOLDER: Final = "httpurl"
USER_PLACEHOLDER: Final = "@user"

_URL = re.compile(r"(?:\{\{URL\}\}|\bhttps?://\S+|\bwww\.[^\s/]+\.\S+)", re.IGNORECASE)
_USERNAME_TAG = re.compile(r"\{\{USERNAME\}\}", re.IGNORECASE)
_VERIFIED = re.compile(r"\{@([^{}@]*)@\}")
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,50})")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_INVISIBLE = re.compile("[\u00ad\u200b\u200e\u200f\u2060\ufeff]")
_LITERAL_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _decode_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    # never decode to a character that could start or extend another escape
    if (char.isascii() and (char.isalnum() or char == "\\")) or 0xD800 <= ord(char) <= 0xDFFF:
        return match.group(0)
    return char


def _decode(text: str) -> str:
    """Decode HTML entities and literal ``\\uXXXX`` escapes to a fixed point.

    Each change shortens the text, so the loop ends; looping makes the step idempotent
    for double-escaped input such as ``&amp;amp;``.
    """
    while True:
        decoded = html.unescape(_LITERAL_ESCAPE.sub(_decode_escape, text))
        if decoded == text:
            return text
        text = decoded


def _handle(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.lower() == "user":
        return USER_PLACEHOLDER
    return f"{USER_PLACEHOLDER} {name}"


def _verified(match: re.Match[str]) -> str:
    name = match.group(1).strip()
    return f"{USER_PLACEHOLDER} {name}" if name else USER_PLACEHOLDER


def normalize_text(text: str) -> str:
    """Return ``text`` with URLs, handles, entities, unicode forms and spaces canonicalised."""
    text = unicodedata.normalize("NFKC", _decode(text))  # TweetEval sentiment has "\\u2019"
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(URL_PLACEHOLDER, text)
    text = _USERNAME_TAG.sub(USER_PLACEHOLDER, text)
    text = _VERIFIED.sub(_verified, text)
    text = _HANDLE.sub(_handle, text)
    text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", text)
    # a second NFKC is a no-op unless an earlier step exposed a new composable pair
    return unicodedata.normalize("NFKC", text).strip()
