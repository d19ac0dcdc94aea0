"""Sponsored-post and disclosure check, one verdict per post.

Statuses, in the order they are decided:

* ``clear`` — a clear disclosure (``#ad``, ``#sponsored``, "paid partnership", ...)
  within the first ``FOLD_CHARS`` characters and not lost in a run of hashtags;
* ``buried`` — a clear disclosure, but only after the fold or inside a run of
  three or more hashtags (FTC: "don't bury it");
* ``ambiguous`` — only unclear wording (``#sp``, ``#spon``, ``#collab``, ``#gifted``,
  "thanks @brand", ...);
* ``likely_undisclosed`` — commercial signals (the brand's @handle, a discount
  code, an affiliate link) with no disclosure at all (a brand handle alone in a
  post the sentiment head reads as negative is a complaint, not an ad);
* ``none`` — no disclosure and no commercial signal (an organic post).

The check never changes the score; it is a compliance report for the brand.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Final

from brandfit.scoring.results import PostDisclosure, snippet
from brandfit.text.lexicons import PhraseHit

#: Instagram and TikTok cut captions at about this many characters ("... more").
FOLD_CHARS: Final = 125

CLEAR_TERMS: Final[tuple[str, ...]] = (
    "#ad",
    "#ads",
    "#advert",
    "#advertisement",
    "#advertising",
    "#sponsored",
    "#paidpartnership",
    "#paidpartner",
    "#paidad",
    "#brandpartner",
    "paid partnership",
    "paid partnership with",
    "sponsored by",
    "sponsored post",
    "in paid partnership with",
    "ad:",
    "advertisement",
)
AMBIGUOUS_TERMS: Final[tuple[str, ...]] = (
    "#sp",
    "#spon",
    "#collab",
    "#partner",
    "#partnership",
    "#ambassador",
    "#brandambassador",
    "#gifted",
    "gifted",
    "#affiliate",
    "affiliate link",
    "#commissionearned",
    "#thanks",
    "in collaboration with",
)
THANKS_FORMS: Final[tuple[str, ...]] = (
    "thanks",
    "thank you",
    "thx",
    "thanks to",
    "ty",
    "shoutout to",
    "shout out to",
)
STATUSES: Final[tuple[str, ...]] = ("clear", "buried", "ambiguous", "likely_undisclosed", "none")

_CODE = re.compile(
    r"\b(?:use|promo|discount|coupon)?\s*code\s*[:\-]?\s*['\"]?([A-Z0-9][A-Z0-9_]{2,19})\b",
    re.IGNORECASE,
)
_PERCENT_OFF = re.compile(r"\b\d{1,2}\s*%\s*off\b", re.IGNORECASE)
_AFFILIATE = re.compile(
    r"(?:https?://|www\.)?(?:amzn\.to|amazon\.[a-z.]+/\S*[?&]tag=|rstyle\.me|liketk\.it|liketoknow\.it|shopmy\.us|"
    r"go\.magik\.ly|howl\.link|geni\.us|\S+[?&](?:ref|aff|affiliate|aff_id|affid)=)\S*",
    re.IGNORECASE,
)

#: Every match of ``_AFFILIATE`` contains one of these (case-folded) or an ``=``.
_AFFILIATE_DOMAINS: Final = (
    "amzn.to",
    "amazon.",
    "rstyle.me",
    "liketk.it",
    "liketoknow.it",
    "shopmy.us",
    "go.magik.ly",
    "howl.link",
    "geni.us",
)


def disclosure_phrases(brand_handles: Sequence[str]) -> dict[str, list[str]]:
    """Lexicon entries for the disclosure check (keys prefixed ``disclosure:``)."""
    handles = [h.lower() for h in brand_handles if h.startswith("@") and len(h) > 1]
    return {
        "disclosure:clear": list(CLEAR_TERMS),
        "disclosure:ambiguous": [
            *AMBIGUOUS_TERMS,
            *(f"{t} {h}" for h in handles for t in THANKS_FORMS),
        ],
        "disclosure:handle": handles,
    }


def check_post(
    post_id: str | int, text: str, hits: Sequence[PhraseHit], negative: bool = False
) -> PostDisclosure:
    """Disclosure verdict for one post from its lexicon hits and its raw text.

    ``negative`` (the sentiment head's verdict) marks a complaint: a brand handle in a
    negative post is not read as a sign of an undisclosed ad.
    """
    clear = [h for h in hits if h.key == "disclosure:clear"]
    visible = [h for h in clear if h.start_char < FOLD_CHARS and not h.in_hashtag_run]
    ambiguous = [h.phrase for h in hits if h.key == "disclosure:ambiguous"]
    signals = [f"brand handle {h.phrase}" for h in hits if h.key == "disclosure:handle"]
    folded = text.casefold()  # each pattern needs one of these literals: skip it cheaply if absent
    if "code" in folded:
        signals += [
            f"discount code {m.group(1)}"
            for m in _CODE.finditer(text)
            if any(c.isdigit() or c.isupper() for c in m.group(1))
        ]
    if "%" in text:
        signals += [f"discount {m.group(0)}" for m in _PERCENT_OFF.finditer(text)]
    if "=" in text or any(domain in folded for domain in _AFFILIATE_DOMAINS):
        signals += [f"affiliate link {m.group(0)[:60]}" for m in _AFFILIATE.finditer(text)]
    if visible:
        status = "clear"
    elif clear:
        status = "buried"
    elif ambiguous:
        status = "ambiguous"
    elif signals and not (negative and all(s.startswith("brand handle") for s in signals)):
        status = "likely_undisclosed"
    else:
        status = "none"
    disclosures = list(dict.fromkeys([h.phrase for h in clear] + ambiguous))
    return PostDisclosure(post_id, status, disclosures, list(dict.fromkeys(signals)), snippet(text))


def summarize(checks: Sequence[PostDisclosure]) -> dict[str, Any]:
    """Count posts per status and list those that need attention (all but ``none``)."""
    counts = Counter(c.status for c in checks)
    return {
        "fold_chars": FOLD_CHARS,
        "sponsored_posts": sum(c.status != "none" for c in checks),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "posts": [c for c in checks if c.status != "none"],
    }
