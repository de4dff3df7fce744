"""The API reference pages in docs/ list exactly the current public names and docstrings."""
from __future__ import annotations

import pathlib
import subprocess
import sys

from conftest import python_env

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_api_pages_are_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_api_docs.py"), "--check"],
                            capture_output=True, text=True, timeout=120, env=python_env())
    assert result.returncode == 0, result.stdout + result.stderr
