from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brandfit.batch.finalize import ExactlyOnceError
from brandfit.batch.writers import read_part, write_part
from brandfit.errors import InvalidInputError

from .conftest import job, posts, quarantine, snapshot


def test_runner_accounts_for_every_row_exactly_once(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, expected: dict[str, Any]
) -> None:
    out = tmp_path / "out"
    summary = job(out, [inputs], tiny_models_dir, chunk_size=4)
    scored = posts(out)
    want_ids = [i for name in sorted(expected) for i in expected[name]["scored"]]
    assert sorted(scored["id"]) == sorted(want_ids)
    assert scored["id"].is_unique
    got_q = sorted((Path(q["source"]).name, q["line"], q["reason"]) for q in quarantine(out))
    want_q = sorted(
        (name, line, reason)
        for name, spec in expected.items()
        for line, reason in spec["quarantined"]
    )
    assert got_q == want_q
    assert (
        summary["rows_in"]
        == summary["scored"] + summary["quarantined"]
        == len(want_ids) + len(want_q)
    )
    assert summary["exactly_once"] is True
    for entry in summary["files"]:
        spec = expected[Path(entry["source"]).name]
        assert (entry["scored"], entry["quarantined"], entry["blank_lines"]) == (
            len(spec["scored"]),
            len(spec["quarantined"]),
            spec["blank_lines"],
        )
    assert summary["model_versions"] == json.loads((out / "job.json").read_text())["model_versions"]
    assert set(scored["model_version__niche"]) == {summary["model_versions"]["niche"]}
    assert json.loads((out / "summary.json").read_text())["scored"] == summary["scored"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_runner_other_formats_hold_the_same_rows(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, fmt: str
) -> None:
    job(tmp_path / "pq", [inputs], tiny_models_dir)
    job(tmp_path / fmt, [inputs], tiny_models_dir, fmt=fmt)
    a, b = posts(tmp_path / "pq"), posts(tmp_path / fmt, fmt)
    assert list(b["id"].astype(str)) == list(a["id"])
    assert [list(x) for x in b["niche__labels"]] == [list(x) for x in a["niche__labels"]]
    assert b["safety__offensive"].astype(float).tolist() == a["safety__offensive"].tolist()


def test_runner_rerunning_a_finished_job_changes_nothing(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    first = job(out, [inputs], tiny_models_dir, chunk_size=3, by_author=True)
    before = snapshot(out)
    assert job(out, [inputs], tiny_models_dir, chunk_size=3, by_author=True) == first
    assert job(out, [inputs], tiny_models_dir, chunk_size=3, by_author=True, resume=True) == first
    assert snapshot(out) == before


def test_runner_resume_recomputes_only_missing_parts(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    job(out, [inputs], tiny_models_dir, chunk_size=2)
    complete = snapshot(out)
    parts = sorted((out / "posts").glob("part-*"))
    for part in parts[1:3]:
        part.unlink()
    (out / "summary.json").unlink()
    (out / "quarantine.jsonl").unlink()
    with (out / "checkpoint.jsonl").open("a") as handle:
        handle.write('{"part": "part-00000-0000')  # torn by a kill mid-append
    (out / "posts" / ".part-00000-000009.parquet.tmp-999").write_bytes(b"half a part")
    with pytest.raises(InvalidInputError, match="--resume"):
        job(out, [inputs], tiny_models_dir, chunk_size=2)
    summary = job(out, [inputs], tiny_models_dir, chunk_size=2, resume=True)
    assert summary["timings"]["parts_computed"] == 2
    assert summary["timings"]["parts_resumed"] == summary["parts"] - 2
    after = snapshot(out)
    assert not [name for name in after if ".tmp-" in name]
    for name, data in complete.items():
        if name.startswith("posts/") or name == "quarantine.jsonl":
            assert after[name] == data, name


def test_runner_resume_without_chunk_size_keeps_the_jobs_own(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    job(out, [inputs], tiny_models_dir, chunk_size=2)
    complete = snapshot(out)
    first = sorted((out / "posts").glob("part-*"))[0]
    first.unlink()
    (out / "summary.json").unlink()
    summary = job(out, [inputs], tiny_models_dir, resume=True)  # no chunk_size: the job's 2
    assert json.loads((out / "job.json").read_text())["chunk_size"] == 2
    assert summary["timings"]["parts_computed"] == 1
    assert snapshot(out)[f"posts/{first.name}"] == complete[f"posts/{first.name}"]


def test_runner_resume_refuses_other_model_versions(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    job(out, [inputs], tiny_models_dir, chunk_size=2)
    (out / "summary.json").unlink()
    retrained = tmp_path / "models"
    shutil.copytree(tiny_models_dir, retrained)
    manifest = retrained / "niche" / "manifest.json"
    data = json.loads(manifest.read_text())
    old = data["model_version"]
    data["model_version"] = "niche-29990101-retrained"
    manifest.write_text(json.dumps(data))
    with pytest.raises(
        InvalidInputError,
        match=rf"other model versions \(niche: {old} -> niche-29990101-retrained\)",
    ):
        job(out, [inputs], retrained, chunk_size=2, resume=True)


def test_runner_refuses_to_mix_jobs(tmp_path: Path, inputs: Path, tiny_models_dir: Path) -> None:
    out = tmp_path / "out"
    job(out, [inputs], tiny_models_dir, chunk_size=2)
    with pytest.raises(InvalidInputError, match="different chunk_size"):
        job(out, [inputs], tiny_models_dir, chunk_size=3)
    (inputs / "posts.jsonl").write_text('{"id": "new", "text": "changed"}\n')
    with pytest.raises(InvalidInputError, match="different inputs"):
        job(out, [inputs], tiny_models_dir, chunk_size=2)
    other = tmp_path / "not-a-job"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInputError, match="not a brandfit job directory"):
        job(other, [inputs], tiny_models_dir)


def test_runner_finalize_catches_a_duplicated_id(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    job(out, [inputs], tiny_models_dir, chunk_size=2)
    (out / "summary.json").unlink()
    first, second = sorted((out / "posts").glob("part-00000-*"))[:2]
    frame = read_part(second, "parquet")
    frame.loc[0, "id"] = read_part(first, "parquet")["id"].iloc[0]
    write_part(frame, second, "parquet")
    with pytest.raises(ExactlyOnceError, match="already written by another part"):
        job(out, [inputs], tiny_models_dir, chunk_size=2, resume=True)
    assert not (out / "summary.json").exists()


def test_runner_by_author_aggregates_per_creator(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    summary = job(
        out, [inputs / "posts.csv", inputs / "posts.parquet"], tiny_models_dir, by_author=True
    )
    authors = pd.read_parquet(out / "authors.parquet").set_index("author")
    scored = posts(out)
    counts = scored.groupby("author").size()
    assert authors["posts"].to_dict() == counts.to_dict()
    assert summary["authors"] == len(authors)
    gus = scored[scored["author"] == "gus"]
    share = sum("offensive" in labels for labels in gus["safety__labels"]) / len(gus)
    assert authors.loc["gus", "safety__offensive"] == pytest.approx(share, abs=1e-4)
    # ann: posts c1 (120+4+1)/1000 and c2 (80+2+0)/1000
    assert authors.loc["ann", "engagement_rate"] == pytest.approx((0.125 + 0.082) / 2)
    assert authors.loc["ann", "likes"] == 200
    assert authors.loc["gus", "followers"] == 2000
    for value in ("climate", "feminist"):
        net = authors[f"alignment__{value}__net"]
        assert ((net >= -1) & (net <= 1)).all()


def test_runner_by_author_needs_the_author_column(tmp_path: Path, tiny_models_dir: Path) -> None:
    (tmp_path / "x.csv").write_text("id,text\n1,hello\n")
    with pytest.raises(InvalidInputError, match="no column 'author'"):
        job(tmp_path / "out", [tmp_path / "x.csv"], tiny_models_dir, by_author=True)


def test_runner_brand_ranks_creators_with_score_cards(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    brand = tmp_path / "brand.json"
    brand.write_text(
        json.dumps(
            {
                "name": "Loop",
                "niches": ["fitness_&_health"],
                "values": ["climate"],
                "avoid": ["hate"],
            }
        )
    )
    summary = job(tmp_path / "out", [inputs], tiny_models_dir, brand=brand)
    ranking = pd.read_parquet(tmp_path / "out" / "ranking.parquet")
    assert ranking["rank"].tolist() == list(range(1, len(ranking) + 1))
    scorable = ranking[ranking["scorable"]]
    assert scorable["score"].is_monotonic_decreasing and scorable["score"].notna().all()
    unscorable = ranking[~ranking["scorable"]]  # every post weak-signal: no score, ranked last
    assert unscorable["score"].isna().all()
    assert unscorable["rank"].min() > scorable["rank"].max()
    for card_json in unscorable["card"]:
        assert json.loads(card_json)["not_scorable"].startswith("not scorable")
    authors = set(posts(tmp_path / "out")["author"].dropna())
    assert set(ranking["handle"]) == authors
    assert summary["ranked_creators"] == len(authors) and summary["ranking_errors"] == []
    card = json.loads(ranking["card"].iloc[0])
    assert set(card["components"]) >= {"niche", "values", "safety", "brand_sentiment", "engagement"}
    assert not (tmp_path / "out" / "_ranking").exists()


def test_runner_brand_profile_errors_come_before_any_work(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    brand = tmp_path / "brand.json"
    brand.write_text(json.dumps({"name": "Loop", "niches": ["knitting"]}))
    with pytest.raises(InvalidInputError, match="knitting"):
        job(tmp_path / "out", [inputs], tiny_models_dir, brand=brand)
    assert not (tmp_path / "out").exists()


def test_runner_local_process_pool_matches_in_process(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    job(tmp_path / "one", [inputs], tiny_models_dir, chunk_size=3)
    job(tmp_path / "two", [inputs], tiny_models_dir, chunk_size=3, workers=2)
    a, b = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    for name in a:
        if name.startswith("posts/") or name == "quarantine.jsonl":
            assert a[name] == b[name], name
