"""The server process keeps pyarrow out (brandfit.serving); checked in fresh interpreters."""

from __future__ import annotations

import os
import subprocess
import sys

CHECK = (
    "import sys, brandfit.serving as s; done = s.skip_pyarrow(); import pandas, sklearn\n"
    "try:\n    import pyarrow\n    importable = True\n"
    "except ImportError as exc:\n    importable = False; assert 'BRANDFIT_SERVER_PYARROW' in str(exc)\n"
    "print(done, importable, 'pyarrow' in sys.modules)"
)


def _run(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "BRANDFIT_SERVER_PYARROW"}
    if env_value is not None:
        env["BRANDFIT_SERVER_PYARROW"] = env_value
    result = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_serving_refuses_pyarrow_and_pandas_still_imports() -> None:
    assert _run(None) == "True False False"


def test_serving_loads_pyarrow_when_asked() -> None:
    assert _run("1") == "False True True"
