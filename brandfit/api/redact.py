"""Public error text: absolute filesystem paths are cut down before a client sees them."""

from __future__ import annotations

import re
from pathlib import Path

#: An absolute POSIX path: ``/`` then at least one component (stops at spaces, quotes, ``:``).
_ABSOLUTE = re.compile(r"(?<![\w.~/>])/(?:[^\s'\":,;()\[\]{}]+/)*([^\s'\":,;()\[\]{}/]+)")


def redact_paths(text: str, models_dir: Path | None = None) -> str:
    """``text`` with the models directory shown as ``<models>`` and other absolute paths as ``…/name``.

    Load errors name the file at fault (``/srv/app/models/niche/manifest.json: …``); a
    health probe or client only needs the part under the models directory.
    """
    if models_dir is not None:
        for root in sorted({str(models_dir), str(models_dir.resolve())}, key=len, reverse=True):
            if root not in ("", ".", "/"):
                text = text.replace(root.rstrip("/"), "<models>")
    return _ABSOLUTE.sub(lambda m: f"…/{m.group(1)}", text)
