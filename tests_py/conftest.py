"""Shared fixtures of the Ember ML Python test suite.

* ``run_python``: runs a snippet in a fresh interpreter (for environment-variable /
  HOME-dependent behaviour).
* ``restore_backend``: autouse; puts the backend back after every test.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import ember_ml as em

HERE = os.path.dirname(os.path.abspath(__file__))


def python_env(**overrides: str | None) -> dict:
    env = dict(os.environ)
    env.pop("EMBER_ML_BACKEND", None)
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python_code(code: str, env: dict | None = None, timeout: float = 120.0, cwd: str | None = None):
    """Runs ``code`` with this interpreter in a subprocess; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout, env=env if env is not None else python_env(), cwd=cwd,
    )


@pytest.fixture
def run_python():
    return run_python_code


# ---------------------------------------------------------------------------------------
# backend hygiene
# ---------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def restore_backend():
    before = em.get_backend()
    yield
    em.set_backend(before)
