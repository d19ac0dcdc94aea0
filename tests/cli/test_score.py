from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from brandfit.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def run(*args: str) -> object:
    return runner.invoke(app, list(args), terminal_width=160)


@pytest.mark.parametrize("brand", ["brand.toml", "brand.json"])
def test_score_ranks_example_candidates_as_a_table(models: Path, brand: str) -> None:
    result = run(
        "score",
        str(EXAMPLES / "candidates.jsonl"),
        "--brand",
        str(EXAMPLES / brand),
        "--models",
        str(models),
    )
    assert result.exit_code == 0, result.output
    assert "brand fit for Loop Athletics" in result.stdout
    lines = [line for line in result.stdout.splitlines() if "@" in line]
    assert lines[0].split()[:2] == ["1", "@mia.moves"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_score_writes_the_ranking_and_keeps_top_n(
    models: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"ranking{suffix}"
    result = run(
        "score",
        str(EXAMPLES / "candidates.jsonl"),
        "--brand",
        str(EXAMPLES / "brand.toml"),
        "--models",
        str(models),
        "--out",
        str(out),
        "--top",
        "2",
    )
    assert result.exit_code == 0, result.output
    if suffix == ".jsonl":
        cards = [json.loads(line) for line in out.read_text().splitlines()]
        assert [c["rank"] for c in cards] == [1, 2]
        assert (
            cards[0]["handle"] == "@mia.moves"
            and "components" in cards[0]
            and "disclosure" in cards[0]
        )
    else:
        frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        assert list(frame["rank"]) == [1, 2]
        assert frame.loc[0, "handle"] == "@mia.moves"
        assert {"score", "niche", "safety", "brand_sentiment", "engagement_rate", "tier"} <= set(
            frame.columns
        )


def test_score_posts_table_plus_profiles_table(models: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (EXAMPLES / "candidates.jsonl").read_text().splitlines()]
    posts = pd.DataFrame([{"author": r["handle"], **p} for r in rows for p in r["posts"]])
    posts.to_csv(tmp_path / "posts.csv", index=False)
    profiles = pd.DataFrame(
        [
            {
                "handle": r["handle"],
                "platform": r["platform"],
                "followers": r["followers"],
                "audience": json.dumps(r.get("audience")) if r.get("audience") else None,
            }
            for r in rows
        ]
    )
    profiles.to_parquet(tmp_path / "profiles.parquet", index=False)
    out = tmp_path / "from_tables.jsonl"
    result = run(
        "score",
        str(tmp_path / "posts.csv"),
        "--profiles",
        str(tmp_path / "profiles.parquet"),
        "--author-col",
        "author",
        "--brand",
        str(EXAMPLES / "brand.toml"),
        "--models",
        str(models),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    from_tables = [json.loads(line) for line in out.read_text().splitlines()]
    jsonl_out = tmp_path / "from_jsonl.jsonl"
    run(
        "score",
        str(EXAMPLES / "candidates.jsonl"),
        "--brand",
        str(EXAMPLES / "brand.toml"),
        "--models",
        str(models),
        "--out",
        str(jsonl_out),
    )
    from_jsonl = [json.loads(line) for line in jsonl_out.read_text().splitlines()]
    assert [(c["handle"], c["score"]) for c in from_tables] == [
        (c["handle"], c["score"]) for c in from_jsonl
    ]


@pytest.mark.parametrize(
    ("setup", "needle"),
    [
        ("bad_json_line", "candidates.jsonl: line 2: not valid JSON"),
        ("unknown_niche", "unknown niche 'fashion'"),
        ("table_without_profiles", "needs --profiles"),
        ("bad_out", "--out must end in"),
        ("author_missing", "has no row in"),
    ],
)
def test_score_bad_input_is_one_line_error(
    models: Path, tmp_path: Path, setup: str, needle: str
) -> None:
    candidates = tmp_path / "candidates.jsonl"
    candidates.write_text((EXAMPLES / "candidates.jsonl").read_text())
    brand = tmp_path / "brand.json"
    brand.write_text((EXAMPLES / "brand.json").read_text())
    extra: list[str] = []
    if setup == "bad_json_line":
        candidates.write_text(candidates.read_text().splitlines()[0] + "\n{oops\n")
    elif setup == "unknown_niche":
        brand.write_text(json.dumps({"name": "B", "niches": ["fashion"]}))
    elif setup == "table_without_profiles":
        candidates = tmp_path / "posts.csv"
        candidates.write_text("handle,text\n@a,hi\n")
    elif setup == "bad_out":
        extra = ["--out", str(tmp_path / "r.xlsx")]
    elif setup == "author_missing":
        candidates = tmp_path / "posts.csv"
        candidates.write_text("handle,text\n@ghost,hi\n")
        (tmp_path / "profiles.csv").write_text("handle,followers\n@a,10\n")
        extra = ["--profiles", str(tmp_path / "profiles.csv")]
    result = run("score", str(candidates), "--brand", str(brand), "--models", str(models), *extra)
    assert result.exit_code == 1, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def test_serve_help_lists_its_options() -> None:
    result = run("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--models"):
        assert option in result.output
