"""Features of a (post, value) pair for the value-stance (alignment) model.

A *value* is free text ("animal welfare", "The COVID-19 vaccines are safe"), optionally
with a one-line description, a few example posts and extra terms (:class:`ValueSpec`).
Its vector is the sentence embedding of ``"name: description"`` (or of the name), averaged
with the mean embedding of its example posts when given. The five TweetEval targets are
embedded by their full wording (``climate`` -> "Climate change is a real concern").

Per pair the model reads blocks of columns (:data:`BLOCKS`):

* ``prod`` p*v, ``absdiff`` |p-v|, ``cos`` cos(p, v) (topic match and its direction)
* ``post`` p itself (what kind of post it is, e.g. an argument or a joke)
* ``lex`` lexical cross features: share of the value's words found in the post (prefix
  match), its hashtag form, any of its terms
* ``polar`` the post's VADER polarity and its product with cos(p, v) (for or against)
* ``dir`` the value's direction d = e("I support V. V is good.") - e("I am against V. V is
  bad."): p*d and p.d (which side of the value the post leans to)
* ``lean`` only p.d and its product with cos(p, v) (a few columns that cannot learn targets)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from brandfit.errors import InvalidInputError
from brandfit.labels import canonical_target
from brandfit.text.sentiment_lexicon import vader_ratings

#: The TweetEval stance targets as the annotators were asked about them (SemEval-2016 Task 6).
TWEETEVAL_VALUE_TEXTS: Mapping[str, str] = {
    "abortion": "Legalization of abortion",
    "atheism": "Atheism",
    "climate": "Climate change is a real concern",
    "feminist": "Feminist movement",
    "hillary": "Hillary Clinton",
}
BLOCKS = ("prod", "absdiff", "cos", "post", "lex", "polar", "dir", "lean")
#: weight of the value wording against the mean of its example posts
WORDING_WEIGHT = 0.5
PREFIX = 5
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "not",
        "no",
        "should",
        "must",
        "we",
        "our",
        "you",
        "your",
        "they",
        "their",
    ]
)


@dataclass(frozen=True)
class ValueSpec:
    """A brand value as given: a name, optionally a description, example posts, terms."""

    name: str
    description: str | None = None
    examples: tuple[str, ...] = ()
    terms: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, raw: Any) -> ValueSpec:
        """A spec from a plain string or a ``{name, description?, examples?, terms?}`` mapping."""
        if isinstance(raw, ValueSpec):
            return raw
        if isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, Mapping):
            raise InvalidInputError(
                f"a value must be a string or an object with a 'name', not {type(raw).__name__}"
            )
        unknown = set(raw) - {"name", "description", "examples", "terms"}
        if unknown:
            raise InvalidInputError(f"unknown value field(s): {', '.join(sorted(unknown))}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError("a value needs a non-empty 'name'")
        description = raw.get("description")
        if description is not None and not isinstance(description, str):
            raise InvalidInputError(f"value {name!r}: 'description' must be a string")
        return cls(
            name=name,
            description=description.strip() or None if description else None,
            examples=_strings(raw.get("examples"), name, "examples"),
            terms=_strings(raw.get("terms"), name, "terms"),
        )

    @property
    def known_target(self) -> str | None:
        """The TweetEval target this value names (aliases resolved), else None."""
        key = canonical_target(self.name)
        return key if key in TWEETEVAL_VALUE_TEXTS else None

    def wording(self) -> str:
        """The text embedded for this value."""
        name = TWEETEVAL_VALUE_TEXTS.get(self.known_target or "", self.name.strip())
        return f"{name}: {self.description}" if self.description else name

    def sides(self) -> tuple[str, str]:
        """Texts for and against the value (their embeddings' difference is its direction)."""
        name = TWEETEVAL_VALUE_TEXTS.get(self.known_target or "", self.name.strip()).rstrip(".")
        return f"I support {name}. {name} is good.", f"I am against {name}. {name} is bad."


def value_name(value: Any) -> str:
    """The key a value is reported under: the exact text given (a spec's name)."""
    if isinstance(value, ValueSpec):
        return value.name
    if isinstance(value, Mapping):
        return str(value.get("name", ""))
    return str(value)


def _strings(raw: Any, name: str, what: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise InvalidInputError(f"value {name!r}: {what!r} must be a list of strings")
    if not all(isinstance(item, str) for item in raw):
        raise InvalidInputError(f"value {name!r}: every entry of {what!r} must be a string")
    return tuple(item.strip() for item in raw if item.strip())


def value_vector(wording_vec: np.ndarray, example_vecs: np.ndarray | None = None) -> np.ndarray:
    """The value's unit vector: its wording, averaged with its examples' mean when given."""
    vec = np.asarray(wording_vec, dtype=np.float64)
    if example_vecs is not None and len(example_vecs):
        mean = np.asarray(example_vecs, dtype=np.float64).mean(axis=0)
        vec = WORDING_WEIGHT * vec + (1 - WORDING_WEIGHT) * mean
    norm = np.linalg.norm(vec)
    return (vec / norm if norm > 0 else vec).astype(np.float32)


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without stop words."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def value_matches(post: str, spec: ValueSpec) -> list[str]:
    """The value's words and terms that occur in ``post`` (prefix match, hashtag form)."""
    lowered = post.lower()
    post_prefixes = {w[:PREFIX] for w in _WORD.findall(lowered)}
    words = content_words(spec.name)
    found = [w for w in words if w[:PREFIX] in post_prefixes]
    tag = "#" + "".join(words)
    if len(words) > 1 and tag in lowered.replace(" ", ""):
        found.append(tag)
    found += [t for t in spec.terms if t.lower() in lowered]
    return list(dict.fromkeys(found))


def lexical_cross(posts: Sequence[str], specs: Sequence[ValueSpec]) -> np.ndarray:
    """``(n, 3)``: share of the value's words in the post, its hashtag form, any term."""
    out = np.zeros((len(posts), 3), dtype=np.float32)
    for i, (post, spec) in enumerate(zip(posts, specs, strict=True)):
        lowered = post.lower()
        prefixes = {w[:PREFIX] for w in _WORD.findall(lowered)}
        words = content_words(spec.name)
        if words:
            out[i, 0] = sum(w[:PREFIX] in prefixes for w in words) / len(words)
            out[i, 1] = float(("#" + "".join(words)) in lowered)
        out[i, 2] = float(any(t.lower() in lowered for t in spec.terms))
    return out


def polarity(posts: Sequence[str]) -> np.ndarray:
    """``(n, 3)``: mean positive and negative VADER rating per word (/4) and their balance."""
    ratings = vader_ratings()
    out = np.zeros((len(posts), 3), dtype=np.float32)
    for i, post in enumerate(posts):
        words = post.lower().split()
        if not words:
            continue
        scores = [ratings.get(w.strip(".,!?;:\"'()"), 0.0) for w in words]
        pos = sum(s for s in scores if s > 0) / (4 * len(words))
        neg = -sum(s for s in scores if s < 0) / (4 * len(words))
        out[i] = (pos, neg, pos - neg)
    return out


def pair_columns(
    post_vecs: np.ndarray,
    value_vecs: np.ndarray,
    lexical: np.ndarray,
    polar: np.ndarray,
    blocks: Sequence[str],
    dir_vecs: np.ndarray | None = None,
) -> np.ndarray:
    """The dense feature matrix of the chosen ``blocks`` (in :data:`BLOCKS` order)."""
    unknown = set(blocks) - set(BLOCKS)
    if unknown:
        raise ValueError(f"unknown pair block(s): {', '.join(sorted(unknown))}")
    P = np.asarray(post_vecs, dtype=np.float32)
    V = np.asarray(value_vecs, dtype=np.float32)
    cos = np.sum(P * V, axis=1, keepdims=True)
    parts = {
        "prod": P * V,
        "absdiff": np.abs(P - V),
        "cos": np.hstack([cos, cos**2]),
        "post": P,
        "lex": lexical,
        "polar": np.hstack([polar, polar * cos]),
    }
    if "dir" in blocks or "lean" in blocks:
        if dir_vecs is None:
            raise ValueError("the 'dir' and 'lean' blocks need the values' direction vectors")
        D = np.asarray(dir_vecs, dtype=np.float32)
        lean = np.sum(P * D, axis=1, keepdims=True)
        parts["dir"] = np.hstack([P * D, lean])
        parts["lean"] = np.hstack([lean, lean * cos])
    return np.hstack([parts[b] for b in BLOCKS if b in blocks]).astype(np.float32)
