"""Check a brand profile against the loaded models and build its lexicon.

Niche labels, alignment values and safety flags are only known once models are
loaded; an unknown name raises :class:`UnknownNameError`, which carries the field
path (``loc``) so the API can answer 422 pointing at it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from brandfit.errors import UnknownLabelError
from brandfit.features.value_pairs import ValueSpec, value_name
from brandfit.heads.value_head import ValueStanceHead
from brandfit.labels import canonical_target
from brandfit.persistence.registry import LoadedModels
from brandfit.scoring.disclosure import disclosure_phrases
from brandfit.scoring.profile import AvoidFlag, BrandProfile, CustomValue
from brandfit.text.lexicons import Lexicon, expand_alias

DEFAULT_SENSITIVITY = "medium"
_CACHE_SIZE = 64


class UnknownNameError(UnknownLabelError):
    """A niche, value or flag name the loaded models do not know; ``loc`` is its field path."""

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


@dataclass(frozen=True)
class ResolvedBrand:
    """A brand profile checked against the models, with its lexicon built."""

    profile: BrandProfile
    niches: list[str]
    known_values: list[Any]  # what the alignment head judges: names, or ValueSpecs
    custom_values: dict[str, list[str]]
    avoid: dict[str, str]
    lexicon: Lexicon
    competitors: list[str]


def _known(names: list[str], known: list[str], what: str, field: str) -> None:
    for i, name in enumerate(names):
        if name not in known:
            raise UnknownNameError(
                f"unknown {what} {name!r} in brand.{field}; known: {', '.join(known) or 'none loaded'}",
                ("brand", field, i),
            )


def _lexicon(profile: BrandProfile, custom: dict[str, list[str]]) -> Lexicon:
    phrases: dict[str, list[str]] = {
        "brand": [f for a in profile.brand_aliases() for f in expand_alias(a)]
    }
    for name, aliases in profile.competitor_aliases().items():
        phrases[f"competitor:{name}"] = [f for a in aliases for f in expand_alias(a)]
    for name, terms in custom.items():
        phrases[f"value:{name}"] = terms
    handles = [f for f in phrases["brand"] if f.startswith("@")]
    phrases.update(disclosure_phrases(handles))
    return Lexicon(phrases)


class _LexiconCache:
    """Small LRU of built lexicons keyed by the profile's JSON (building one tokenises every pattern)."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, Lexicon] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, profile: BrandProfile, custom: dict[str, list[str]]) -> Lexicon:
        key = profile.model_dump_json(include={"name", "aliases", "competitors", "values"})
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        lexicon = _lexicon(profile, custom)
        with self._lock:
            self._items[key] = lexicon
            while len(self._items) > _CACHE_SIZE:
                self._items.popitem(last=False)
        return lexicon


_LEXICONS = _LexiconCache()


def resolve_brand(profile: BrandProfile, models: LoadedModels) -> ResolvedBrand:
    """Validate ``profile``'s names against ``models`` and build its lexicon."""
    niche_head = models.heads.get("niche")
    if profile.niches:
        _known(profile.niches, list(niche_head.labels) if niche_head else [], "niche", "niches")
    alignment = models.heads.get("alignment")
    known_targets = list(alignment.targets or []) if alignment is not None else []
    known_values: list[Any] = []
    custom: dict[str, list[str]] = {}
    open_values = isinstance(alignment, ValueStanceHead)  # any value text is judged
    seen: set[str] = set()
    for i, value in enumerate(profile.values):
        if isinstance(value, CustomValue):
            if value.name in seen:
                raise UnknownNameError(
                    f"value {value.name!r} is defined twice", ("brand", "values", i)
                )
            seen.add(value.name)
            if value.terms:
                custom[value.name] = list(value.terms)
            if open_values:
                known_values.append(
                    ValueSpec(
                        value.name, value.description, tuple(value.examples), tuple(value.terms)
                    )
                )
            elif not value.terms:
                raise UnknownNameError(
                    f"value {value.name!r} needs 'terms': the loaded alignment head judges only "
                    f"{', '.join(known_targets) or 'no values'}",
                    ("brand", "values", i),
                )
            continue
        if open_values:
            if value not in seen:
                seen.add(value)
                known_values.append(value)
            continue
        name = canonical_target(value)
        if name not in known_targets:
            raise UnknownNameError(
                f"unknown value {value!r} in brand.values; the alignment head knows: {', '.join(known_targets) or 'none'}"
                ' (or define a custom value: {"name": ..., "terms": [...]})',
                ("brand", "values", i),
            )
        if name not in known_values:
            known_values.append(name)
    safety = models.heads.get("safety")
    flags = list(safety.labels) if safety is not None else []
    avoid: dict[str, str] = {}
    if profile.avoid is None:
        avoid = dict.fromkeys(flags, DEFAULT_SENSITIVITY)
    else:
        for i, item in enumerate(profile.avoid):
            flag, sensitivity = (
                (item.flag, item.sensitivity)
                if isinstance(item, AvoidFlag)
                else (item, DEFAULT_SENSITIVITY)
            )
            if flag not in flags:
                raise UnknownNameError(
                    f"unknown safety flag {flag!r} in brand.avoid; known: {', '.join(flags) or 'none loaded'}",
                    ("brand", "avoid", i),
                )
            avoid[flag] = sensitivity
    lexicon = _LEXICONS.get(profile, custom)
    return ResolvedBrand(
        profile,
        list(profile.niches),
        known_values,
        custom,
        avoid,
        lexicon,
        list(profile.competitor_aliases()),
    )


def describe(resolved: ResolvedBrand) -> dict[str, Any]:
    """Describe what the scorer understood of the brand (echoed in docs and debugging)."""
    return {
        "niches": resolved.niches,
        "known_values": [value_name(v) for v in resolved.known_values],
        "custom_values": list(resolved.custom_values),
        "avoid": resolved.avoid,
        "competitors": resolved.competitors,
    }
