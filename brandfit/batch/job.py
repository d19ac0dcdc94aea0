"""The job directory: layout, the manifest that makes resume exact, and the checkpoint.

::

    OUT/job.json            what the job is: inputs (size, mtime), options, model versions
    OUT/checkpoint.jsonl    one line per finished part, appended after the part is in place
    OUT/posts/part-*.parquet    classified posts (or .jsonl / .csv)
    OUT/_quarantine/part-*.jsonl  rejected rows of each part (assembled into quarantine.jsonl)
    OUT/quarantine.jsonl, OUT/summary.json, OUT/authors.parquet, OUT/ranking.parquet

``summary.json`` is written last: its presence means the job is complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from brandfit.batch.writers import TMP_MARK, write_text_atomic
from brandfit.errors import InvalidInputError

JOB_FORMAT = 1


class JobDir:
    """Paths and bookkeeping of one ``brandfit classify`` job directory."""

    def __init__(self, root: str | Path, fmt: str = "parquet") -> None:
        self.root = Path(root)
        self.fmt = fmt
        self.manifest = self.root / "job.json"
        self.checkpoint = self.root / "checkpoint.jsonl"
        self.posts = self.root / "posts"
        self.quarantine_parts = self.root / "_quarantine"
        self.quarantine = self.root / "quarantine.jsonl"
        self.summary = self.root / "summary.json"
        self.authors = self.root / "authors.parquet"
        self.ranking = self.root / "ranking.parquet"

    def part(self, name: str) -> Path:
        """Return the final path of the posts part ``name``."""
        return self.posts / f"{name}.{self.fmt}"

    def quarantine_part(self, name: str) -> Path:
        """Return the final path of the quarantine rows of part ``name``."""
        return self.quarantine_parts / f"{name}.jsonl"

    def previous_manifest(self) -> dict[str, Any] | None:
        """The manifest of the job already in this directory, if there is one."""
        if not self.manifest.is_file():
            return None
        data: dict[str, Any] = json.loads(self.manifest.read_text(encoding="utf-8"))
        return data

    def prepare(self, manifest: dict[str, Any], resume: bool) -> str:
        """Create or reopen the job; ``"new"``, ``"resume"`` or ``"complete"``.

        Refuses to mix jobs: another job's directory, different model versions or
        different options raise :class:`InvalidInputError` saying what differs.
        """
        previous = self.previous_manifest()
        if previous is not None:
            _check_same(previous, manifest, self.root)
            if self.summary.is_file():
                return "complete"
            if not resume:
                raise InvalidInputError(
                    f"{self.root} holds an unfinished job; add --resume to continue it, or choose another --out"
                )
            self._clean_temp()
            return "resume"
        if self.root.exists() and any(self.root.iterdir()):
            raise InvalidInputError(
                f"{self.root} exists and is not a brandfit job directory; choose an empty or new --out"
            )
        self.posts.mkdir(parents=True, exist_ok=True)
        self.quarantine_parts.mkdir(exist_ok=True)
        write_text_atomic(self.manifest, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        return "new"

    def _clean_temp(self) -> None:
        for folder in (self.root, self.posts, self.quarantine_parts):
            for path in folder.glob(f".*{TMP_MARK}*"):
                path.unlink(missing_ok=True)
        self.posts.mkdir(exist_ok=True)
        self.quarantine_parts.mkdir(exist_ok=True)

    def finished(self) -> dict[str, dict[str, Any]]:
        """Checkpointed parts whose files are in place, by part name."""
        done: dict[str, dict[str, Any]] = {}
        if not self.checkpoint.is_file():
            return done
        for line in self.checkpoint.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a kill mid-append: that part is simply redone
            name = entry.get("part")
            if not isinstance(name, str) or not self.part(name).is_file():
                continue
            if entry.get("quarantined") and not self.quarantine_part(name).is_file():
                continue
            done[name] = entry
        return done

    def record(self, entry: dict[str, Any]) -> None:
        """Append one finished part to the checkpoint (flushed to disk)."""
        with self.checkpoint.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def _check_same(previous: dict[str, Any], current: dict[str, Any], root: Path) -> None:
    if previous.get("job_format") != current.get("job_format"):
        raise InvalidInputError(
            f"{root} was written by another brandfit job format; choose a new --out"
        )
    old, new = previous.get("model_versions"), current.get("model_versions")
    if old != new:
        changed = ", ".join(
            f"{head}: {(old or {}).get(head, 'absent')} -> {(new or {}).get(head, 'absent')}"
            for head in sorted(set(old or {}) | set(new or {}))
            if (old or {}).get(head) != (new or {}).get(head)
        )
        raise InvalidInputError(
            f"{root} was started with other model versions ({changed}); resuming would mix versions "
            "in one output. Point --models at the original models, or write to a new --out."
        )
    differing = sorted(k for k in set(previous) | set(current) if previous.get(k) != current.get(k))
    if differing:
        raise InvalidInputError(
            f"{root} was started with different {', '.join(differing)}; rerun with the original "
            "inputs and options, or write to a new --out"
        )
