r"""PhraseMatcher lexicons: brand names, @handles, #hashtags, value terms, disclosure terms.

Lexicons match the RAW post text (only NFKC-normalised), tokenised by the social
tokenizer and compared on lower-cased tokens (``attr="LOWER"``). The model
normaliser would turn ``@nike`` into ``@user nike``; matching before it keeps a
handle a single, exact token, so ``@nike`` never matches ``@nikefan``.

Runs of spaces collapse to one and line breaks to a single ``\n``, so character
offsets (used for the disclosure "fold") count what a reader sees.

A plain one-word alias also matches its ``@handle`` and ``#hashtag`` forms
(``Nike`` matches ``@nike`` and ``#nike``); multi-word aliases match as phrases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from brandfit.text.nlp import NLP_LOCK, make_nlp, memory_zone

#: A hit inside a run of at least this many consecutive hashtags is "buried in hashtags".
HASHTAG_RUN_MIN = 3
_WORD_ALIAS = re.compile(r"[^\W_][\w.]*\Z")
_BREAKS = re.compile(r"\s*\n\s*")
_SPACES = re.compile(r"[^\S\n]+")


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """One lexicon match in one post."""

    key: str
    phrase: str
    start_char: int
    end_char: int
    in_hashtag_run: bool


def prepare_text(text: str | None) -> str:
    """Return the raw text lexicons see: NFKC, spaces collapsed (a line break stays one), handles untouched."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", _BREAKS.sub("\n", text)).strip()


def expand_alias(alias: str) -> list[str]:
    """Return an alias and, for a one-word name, its ``@handle`` and ``#hashtag`` forms."""
    alias = " ".join(alias.split())
    if not alias:
        return []
    if _WORD_ALIAS.match(alias):
        return [alias, f"@{alias}", f"#{alias}"]
    return [alias]


class Lexicon:
    """A set of named phrase lists matched case-insensitively on social tokens.

    Parameters
    ----------
    phrases
        ``{key: [phrase, ...]}``; a post matches ``key`` when any of its phrases occurs.
    """

    def __init__(self, phrases: Mapping[str, Sequence[str]]) -> None:
        nlp = make_nlp()
        self.keys = [key for key, items in phrases.items() if any(p.strip() for p in items)]
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Patterns must outlive every memory zone: build them outside one, under the lock,
        # so no other thread's zone makes their strings transient.
        needles: set[tuple[str, ...]] = set()
        with NLP_LOCK:
            for index, key in enumerate(self.keys):
                texts = [p for p in dict.fromkeys(" ".join(p.split()) for p in phrases[key]) if p]
                patterns = list(nlp.tokenizer.pipe(texts))
                self._matcher.add(str(index), patterns)
                for doc in patterns:
                    tokens = {token.lower_.casefold() for token in doc}
                    needles.add(tuple(sorted(tokens, key=len, reverse=True)))
        #: per pattern, its distinct case-folded tokens, longest first (see :meth:`_may_match`)
        self._needles = sorted(needles, key=lambda t: -len(t[0]) if t else 0)

    def __bool__(self) -> bool:
        return bool(self.keys)

    def match(self, texts: Sequence[str | None]) -> list[list[PhraseHit]]:
        """Hits per text, in text order (overlapping hits of different keys are all kept)."""
        if not self.keys:
            return [[] for _ in texts]
        prepared = [prepare_text(t) for t in texts]
        out: list[list[PhraseHit]] = [[] for _ in prepared]
        todo = [i for i, text in enumerate(prepared) if self._may_match(text)]
        if not todo:
            return out
        with memory_zone() as nlp:
            docs = nlp.tokenizer.pipe([prepared[i] for i in todo], batch_size=256)
            for i, doc in zip(todo, docs, strict=True):
                out[i] = self._hits(doc)
        return out

    def _may_match(self, text: str) -> bool:
        """False only if no pattern can match: some token of every pattern is absent from ``text``.

        A token's text is a substring of the text, and case folding maps character by
        character, so a token whose lower-cased form equals a pattern token's leaves that
        token's case-folded form inside the case-folded text. Most posts mention none of
        a brand's phrases, and this skips their tokenisation (the slow part of matching).
        """
        folded = text.casefold()
        return any(all(token in folded for token in tokens) for tokens in self._needles)

    def _hits(self, doc: Doc) -> list[PhraseHit]:
        if not len(doc):
            return []
        runs = _hashtag_runs(doc)
        hits = []
        for match_id, start, end in self._matcher(doc):
            key = self.keys[int(doc.vocab.strings[match_id])]
            span = doc[start:end]
            in_run = any(runs[i] for i in range(start, end))
            hits.append(PhraseHit(key, span.text.lower(), span.start_char, span.end_char, in_run))
        hits.sort(key=lambda h: (h.start_char, h.key))
        return hits


def _hashtag_runs(doc: Doc) -> list[bool]:
    """For each token, whether it sits in a run of >= ``HASHTAG_RUN_MIN`` consecutive hashtags."""
    flags = [False] * len(doc)
    i = 0
    while i < len(doc):
        if doc[i].text.startswith("#") and len(doc[i].text) > 1:
            j = i
            while j < len(doc) and doc[j].text.startswith("#") and len(doc[j].text) > 1:
                j += 1
            if j - i >= HASHTAG_RUN_MIN:
                for k in range(i, j):
                    flags[k] = True
            i = j
        else:
            i += 1
    return flags


def brand_lexicon(names: Mapping[str, Sequence[str]]) -> Lexicon:
    """Build a lexicon of brands (or competitors): ``{brand: [alias, @handle, #tag, ...]}``, aliases expanded."""
    return Lexicon(
        {
            key: [form for alias in aliases for form in expand_alias(alias)]
            for key, aliases in names.items()
        }
    )
