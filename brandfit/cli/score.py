"""``brandfit score``: rank creators against a brand profile, as a table and optionally a file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from brandfit.cli._common import ModelsOption, friendly_errors, model_layers
from brandfit.cli._progress import progress_bar
from brandfit.cli._tables import wrap_not_cut
from brandfit.data import read_jsonl_records, read_table
from brandfit.errors import InvalidInputError

OUT_SUFFIXES = (".csv", ".jsonl", ".parquet")
POST_FIELDS = ("id", "text", "created_at", "likes", "comments", "shares", "views")
stdout = Console()


def _is_influencer_jsonl(path: Path) -> bool:
    if path.suffix.lower() not in (".jsonl", ".json", ".ndjson"):
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                try:
                    first = json.loads(line)
                except json.JSONDecodeError:
                    return True  # let the JSONL reader report the line
                return isinstance(first, dict) and "posts" in first
    return True


def _clean(value: Any) -> Any:
    """Table cells -> JSON values (NaN/None -> None, numpy scalars -> Python)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _from_tables(posts_path: Path, profiles_path: Path, author_col: str) -> list[dict[str, Any]]:
    posts = read_table(posts_path)
    profiles = read_table(profiles_path)
    for frame, path, column in (
        (posts, posts_path, author_col),
        (posts, posts_path, "text"),
        (profiles, profiles_path, "handle"),
        (profiles, profiles_path, "followers"),
    ):
        if column not in frame.columns:
            raise InvalidInputError(
                f"{path}: no column {column!r}; columns are {list(frame.columns)}"
            )
    influencers: dict[str, dict[str, Any]] = {}
    for row in profiles.to_dict("records"):
        handle = str(row["handle"])
        if handle in influencers:
            raise InvalidInputError(f"{profiles_path}: handle {handle!r} appears twice")
        audience = _clean(row.get("audience"))
        if isinstance(audience, str):
            try:
                audience = json.loads(audience)
            except json.JSONDecodeError:
                raise InvalidInputError(
                    f"{profiles_path}: audience of {handle!r} is not JSON"
                ) from None
        item = {"handle": handle, "followers": _clean(row["followers"]), "posts": []}
        if _clean(row.get("platform")) is not None:
            item["platform"] = str(row["platform"])
        if audience is not None:
            item["audience"] = audience
        influencers[handle] = item
    for number, row in enumerate(posts.to_dict("records")):
        author = str(row[author_col])
        if author not in influencers:
            raise InvalidInputError(
                f"{posts_path}: row {number}: author {author!r} has no row in {profiles_path}"
            )
        post = {
            key: _clean(row[key])
            for key in POST_FIELDS
            if key in row and _clean(row[key]) is not None
        }
        post.setdefault("id", f"{author}:{number}")
        post.setdefault("text", "")
        if "created_at" in post:
            post["created_at"] = str(post["created_at"])
        influencers[author]["posts"].append(post)
    return list(influencers.values())


def _write(ranking: Any, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".jsonl":
        out.write_text(
            "".join(
                json.dumps(card, ensure_ascii=False, default=str) + "\n"
                for card in ranking.to_dicts()
            ),
            encoding="utf-8",
        )
    elif suffix == ".csv":
        ranking.to_frame().to_csv(out, index=False)
    else:
        ranking.to_frame().to_parquet(out, index=False)


def _fmt(value: Any, digits: int = 2) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.{digits}f}"
    )


_ISSUES = {"likely_undisclosed": "undiscl.", "buried": "buried", "ambiguous": "ambig."}


def _table(ranking: Any, brand: str) -> Table:
    table = Table(
        title=f"brand fit for {brand}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for name in (
        "#",
        "handle",
        "score",
        "niche",
        "values",
        "safety",
        "brand",
        "eng.",
        "posts",
        "disclosure",
    ):
        table.add_column(
            name,
            justify="left" if name in ("handle", "eng.", "disclosure") else "right",
            no_wrap=name != "disclosure",
        )
    for card in ranking:
        c = card.components
        counts = card.disclosure["counts"]
        issues = [f"{counts[k]} {label}" for k, label in _ISSUES.items() if counts.get(k)]
        rate = c["engagement"].detail.get("rate")
        table.add_row(
            str(card.rank),
            card.handle,
            "n/s" if card.score is None else _fmt(card.score, 1),
            _fmt(c["niche"].value),
            _fmt(c["values"].value),
            _fmt(c["safety"].value),
            _fmt(c["brand_sentiment"].value),
            ("–" if rate is None else f"{100 * rate:.1f}% ")
            + str(c["engagement"].detail.get("tier")),
            f"{card.coverage.posts}/{card.coverage.weak_signal_posts}w",
            ", ".join(issues) or "ok",
        )
    table.caption = (
        "components in [0, 1] (– = no evidence); eng. = engagement rate and tier; "
        "posts: scored / w = weak-signal"
    )
    if any(card.score is None for card in ranking):
        table.caption += "; n/s = not scorable (listed below)"
    return table


@friendly_errors
def score(
    candidates: Annotated[
        Path,
        typer.Argument(
            help="JSONL of influencers (handle, platform, followers, audience, posts), or a posts table with --profiles."
        ),
    ],
    brand: Annotated[Path, typer.Option("--brand", help="Brand profile (.json or .toml).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the ranking: .csv / .parquet (one flat row each) or .jsonl (full score cards).",
        ),
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Keep only the best N creators.")
    ] = None,
    profiles: Annotated[
        Path | None,
        typer.Option(
            "--profiles",
            help="Profiles table (handle, followers, optional platform, audience JSON) when CANDIDATES is a posts table.",
        ),
    ] = None,
    author_col: Annotated[
        str,
        typer.Option("--author-col", help="Column of the posts table naming the creator's handle."),
    ] = "handle",
    models: ModelsOption = None,
) -> None:
    """Rank creators for a brand: niche, values, safety, brand sentiment, engagement, audience, disclosure."""
    from brandfit.scoring import load_brand, rank_influencers

    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise InvalidInputError(f"--out must end in {', '.join(OUT_SUFFIXES)}; got {out.name!r}")
    profile = load_brand(brand)
    if not candidates.is_file():
        raise InvalidInputError(f"{candidates}: file not found")
    if profiles is not None:
        influencers = _from_tables(candidates, profiles, author_col)
    elif _is_influencer_jsonl(candidates):
        influencers = read_jsonl_records(candidates)
    else:
        raise InvalidInputError(
            f"{candidates}: a posts table needs --profiles PROFILES (or give a JSONL of influencers with 'posts')"
        )
    from brandfit.predict import Predictor

    predictor = Predictor.from_dir(model_layers(models))
    total = sum(
        len(item["posts"])
        for item in influencers
        if isinstance(item, dict) and isinstance(item.get("posts"), list)
    )
    with progress_bar("scoring posts", total or None) as advance:
        ranking = rank_influencers(
            influencers, profile, models=predictor, top=top, on_progress=advance
        )
    stdout.print(wrap_not_cut(_table(ranking, profile.name), stdout))
    for card in ranking:
        if card.score is None:
            stdout.print(f"{card.handle}: {card.not_scorable}", highlight=False)
    if out is not None:
        _write(ranking, out)
        stdout.print(f"wrote {len(ranking)} score cards to {out}")
