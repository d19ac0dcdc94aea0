"""CSV records: strict RFC 4180 parsing that knows each record's line and raw text.

CSV is parsed with Python's ``csv`` module in strict mode, fed line by line so that
every record knows its physical line and raw text. An unterminated quote is the
dangerous case: pandas 3.x (python engine) merges the rows up to the next quote and
drops them without calling ``on_bad_lines``; pyarrow's ``invalid_row_handler`` sees
such a merge only when the field count comes out wrong, and silently keeps a merged
record whose count happens to match. Strict quoting rejects the merge itself (a quote
followed by anything but a delimiter), so the rows involved are quarantined together,
raw text included. A runaway quote stops at the csv field size limit (131,072
characters) and parsing resumes on the next line. Bytes are decoded with
``surrogateescape``, so one invalid UTF-8 cell rejects one row, not a block.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from brandfit.batch.readers import BLANK, Position, Record, clip_raw, open_binary
from brandfit.errors import InvalidInputError


def csv_header(path: Path, compression: str | None) -> list[str]:
    """Column names from the first record of a CSV file."""
    with path.open("rb") as raw, open_binary(path, compression, raw) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
        try:
            return next(csv.reader(text), [])
        except csv.Error as exc:
            raise InvalidInputError(f"{path}: cannot read the CSV header: {exc}") from exc


class _Lines:
    """The lines of a text stream, remembering which ones the csv reader consumed."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._taken: list[str] = []
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self._taken.append(line)
        self.count += 1
        return line

    def take(self) -> str:
        """Return the raw text consumed since the last call."""
        text = "".join(self._taken)
        self._taken.clear()
        return text


def _readable(text: str) -> str:
    r"""Make text decoded with ``surrogateescape`` printable (invalid bytes as ``\xNN``)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_csv(
    path: Path, compression: str | None, columns: list[str], position: Position
) -> Iterator[Record]:
    """Yield the records of a CSV file (RFC 4180, strict quoting) restricted to ``columns``."""
    with path.open("rb") as raw, open_binary(path, compression, raw) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        lines = _Lines(text)
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInputError(f"{path}: cannot read the CSV header: {exc}") from exc
        index = {name: i for i, name in enumerate(header)}
        wanted = [(name, index.get(name)) for name in columns]
        lines.take()
        start = lines.count + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                text_raw = lines.take().removesuffix("\n").removesuffix("\r")
                yield Record(
                    start, None, "unparseable CSV row", clip_raw(_readable(text_raw)), str(exc)
                )
                start = lines.count + 1
                continue
            line, start = start, lines.count + 1
            if lines.count % 1024 == 0:
                position.done = raw.tell()
            consumed = lines.take().removesuffix("\n").removesuffix("\r")
            if not row:
                yield Record(line, None, BLANK)
            elif len(row) != len(header):
                detail = f"expected {len(header)} fields, got {len(row)}"
                yield Record(
                    line, None, "unparseable CSV row", clip_raw(_readable(consumed)), detail
                )
            elif not _is_utf8(row):
                yield Record(line, None, "invalid UTF-8", clip_raw(_readable(consumed)))
            else:
                yield Record(
                    line,
                    {name: (row[i] if i is not None else None) for name, i in wanted},
                    raw=clip_raw(consumed),
                )


def _is_utf8(row: list[str]) -> bool:
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
