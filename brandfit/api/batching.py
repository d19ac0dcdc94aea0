"""Dynamic micro-batching for ``/v1/predict``: concurrent requests share one model pass.

Scoring one post costs mostly fixed per-call work (tokenizer, lookups, one product per
head); sixteen posts in one call cost about four times one post, not sixteen. Request
threads hand their posts to one scoring thread, which takes everything queued at that
moment (up to ``max_posts``), scores it in one call per model set and target list, and
hands each request its own rows back. Nothing waits on purpose: an idle server scores a
request at once; under load, requests that arrive while a batch runs form the next one.

If a shared call fails, each request in it is retried alone, so one request's error
never reaches another.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from brandfit.predict import Predictor

DEFAULT_MAX_POSTS = 256


@dataclass
class _Job:
    predictor: Predictor
    texts: list[str | None]
    ids: list[Any]
    targets: tuple[str, ...] | None
    future: Future[list[dict[str, Any]]] = field(default_factory=Future)

    @property
    def group(self) -> tuple[int, tuple[str, ...] | None]:
        return id(self.predictor.models), self.targets


class PredictBatcher:
    """Scores predict requests from many threads in shared batches on one thread."""

    def __init__(self, max_posts: int = DEFAULT_MAX_POSTS) -> None:
        self.max_posts = max_posts
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # model calls made (for tests and metrics)

    def predict(
        self,
        predictor: Predictor,
        texts: Sequence[str | None],
        ids: Sequence[Any],
        targets: Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        """Predictions for ``texts``, exactly as ``predictor.predict`` would return them."""
        if len(texts) >= self.max_posts:  # a big request is its own batch
            return predictor.predict(list(texts), ids=list(ids), targets=targets)
        job = _Job(
            predictor, list(texts), list(ids), tuple(targets) if targets is not None else None
        )
        self._ensure_thread()
        self._queue.put(job)
        return job.future.result()

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="brandfit-predict-batcher", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            jobs = [self._queue.get()]
            size = len(jobs[0].texts)
            while size < self.max_posts:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                jobs.append(job)
                size += len(job.texts)
            groups: dict[tuple[int, tuple[str, ...] | None], list[_Job]] = {}
            for job in jobs:
                groups.setdefault(job.group, []).append(job)
            for group in groups.values():
                self._score(group)

    def _score(self, jobs: list[_Job]) -> None:
        texts = [text for job in jobs for text in job.texts]
        ids = [i for job in jobs for i in job.ids]
        try:
            self.batches += 1
            out = jobs[0].predictor.predict(texts, ids=ids, targets=jobs[0].targets)
        except BaseException:
            if len(jobs) == 1:
                self._run_alone(jobs[0])
                return
            for job in jobs:
                self._run_alone(job)
            return
        start = 0
        for job in jobs:
            job.future.set_result(out[start : start + len(job.texts)])
            start += len(job.texts)

    @staticmethod
    def _run_alone(job: _Job) -> None:
        try:
            job.future.set_result(
                job.predictor.predict(job.texts, ids=job.ids, targets=job.targets)
            )
        except BaseException as exc:
            job.future.set_exception(exc)
