"""Task functions for the Dask tests; importable by worker processes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd

from brandfit.batch.worker import TaskSpec, classify_partition


def die_once_then_classify(frame: pd.DataFrame, spec: TaskSpec, marker: str) -> pd.DataFrame:
    """SIGKILL this worker process the first time any task runs; classify on the retry."""
    path = Path(marker)
    if len(frame) and not path.exists():
        path.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return classify_partition(frame, spec)
