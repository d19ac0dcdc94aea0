"""Regenerate the batch fixtures: ``python tests/data/batch/make_fixtures.py``.

Small synthetic post archives with every bad-input case the batch reader must
quarantine (never drop). ``expected.json`` lists, per file, the ids that must be
scored and the (line, reason) pairs that must be quarantined.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent
LONG = "gym " * 80  # 320 characters: over the tests' --max-text-chars 200

CSV = (
    b"""id,author,text,likes,comments,shares,followers
c1,ann,leg day done at the gym #fitness,120,4,1,1000
c2,ann,"baking sourdough, so good",80,2,0,1000
c3,bob,ranked matches all night,10,1,0,500
c3b,bob,"a quoted text
that spans two lines, fine",5,0,0,500
c4,bob,too,many,fields,in,this,row
c5,bob,"an unterminated quote swallows the next line,3,0,0,500
c6,cy,this row is merged into c5 by the parser,1,0,0,50
c7,cy,"this quote closes the one in c5 and breaks this row too",5,0,0,50

c8,cy,caf\xe9 latin-1 bytes are not UTF-8,5,0,0,50
,cy,no id here,1,0,0,50
c9,cy,,1,0,0,50
c10,cy,"""
    + LONG.encode()
    + b""",1,0,0,50
c11,cy,invalid likes value,lots,0,0,50
c1,dee,a repeated id is a duplicate,1,0,0,50
c12,dee,fresh pasta for dinner,7,1,0,200
"""
)

JSONL_LINES = [
    b'{"id": "j1", "author": "eve", "text": "morning run done #fitness", "likes": 3, "followers": 100}',
    b'{"id": "j2", "author": "eve", "text": "this line is cut off',
    b"[1, 2, 3]",
    b'{"id": "j3", "author": "eve", "text": "caf\xe9"}',
    b'{"id": "j4", "author": "eve", "text": null}',
    b"",
    b'{"id": 5, "author": "fay", "text": "integer ids are fine", "likes": 1.0}',
    b'{"id": "j6", "author": null, "text": "no author is fine too"}',
    b'{"id": true, "text": "a boolean id is not"}',
    b'{"id": "j7", "author": "fay", "text": "   "}',
]

EXPECTED = {
    "posts.csv": {
        "scored": ["c1", "c2", "c3", "c3b", "c12"],
        "quarantined": [
            [7, "unparseable CSV row"],
            [8, "unparseable CSV row"],
            [12, "invalid UTF-8"],
            [13, "missing id"],
            [14, "empty text"],
            [15, "text too long"],
            [16, "invalid likes"],
            [17, "duplicate id"],
        ],
        "blank_lines": 1,
    },
    "posts.jsonl": {
        "scored": ["j1", "5", "j6"],
        "quarantined": [
            [2, "broken JSON line"],
            [3, "not a JSON object"],
            [4, "invalid UTF-8"],
            [5, "missing text"],
            [9, "invalid id"],
            [10, "empty text"],
        ],
        "blank_lines": 1,
    },
    "posts.parquet": {
        "scored": ["p1", "p2", "p4"],
        "quarantined": [[3, "missing text"], [5, "duplicate id"]],
        "blank_lines": 0,
    },
}


def main() -> None:
    (HERE / "posts.csv").write_bytes(CSV)
    (HERE / "posts.jsonl").write_bytes(b"\n".join(JSONL_LINES) + b"\n")
    table = pa.table(
        {
            "id": ["p1", "p2", "p3", "p4", "p1"],
            "author": ["gus", "gus", "gus", "hal", "hal"],
            "text": [
                "hiit session with the crew",
                "new game release tonight",
                None,
                "sushi night with friends",
                "duplicate of p1",
            ],
            "likes": [10, None, 3, 4, 5],
            "followers": [2000, 2000, 2000, 300, 300],
        }
    )
    pq.write_table(table, HERE / "posts.parquet")
    (HERE / "expected.json").write_text(json.dumps(EXPECTED, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
