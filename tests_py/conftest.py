"""Shared fixtures of the Ember ML Python test suite.

* ``run_python``: runs a snippet in a fresh interpreter (for environment-variable /
  HOME-dependent behaviour and for inputs that crash the interpreter).
* ``crashed_samples``: the op_db samples that kill the interpreter. A segfault inside
  the pytest process would abort the whole run, so before the parity tests use a sample
  in-process, a background probe (``_crash_probe.py``) runs the Ember side of every
  sample in child processes, restarting after each crash. The parity tests report a
  crashing sample as a failure (with the child's fault traceback) instead of running it.
* ``restore_backend``: autouse; puts the backend back after every test.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import pytest

import ember_ml as em

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "_crash_probe.py")
HANG_SECONDS = 60.0


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
# crash probe
# ---------------------------------------------------------------------------------------
class CrashProbe:
    """Finds the op_db samples that crash or hang the interpreter, in a background thread."""

    def __init__(self) -> None:
        self.crashed: dict[str, str] = {}
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="ember-crash-probe", daemon=True)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def result(self) -> dict[str, str]:
        self.start()
        self._thread.join()
        return self.crashed

    def _run(self) -> None:
        try:
            self._probe()
        except Exception as err:  # noqa: BLE001 - reported through self.error
            self.error = f"{type(err).__name__}: {err}"

    def _probe(self) -> None:
        with tempfile.TemporaryDirectory(prefix="ember-probe-") as tmp:
            progress = os.path.join(tmp, "progress")
            start = 0
            for _ in range(10_000):
                with open(os.path.join(tmp, "stderr"), "w+") as err:
                    proc = subprocess.Popen([sys.executable, PROBE, str(start), progress],
                                            stdout=subprocess.DEVNULL, stderr=err, env=python_env())
                    last, last_change, hung = None, time.monotonic(), False
                    while proc.poll() is None:
                        time.sleep(0.05)
                        line = _last_line(progress)
                        if line != last:
                            last, last_change = line, time.monotonic()
                        elif time.monotonic() - last_change > HANG_SECONDS:
                            proc.kill()
                            proc.wait()
                            hung = True
                    err.seek(0)
                    stderr = err.read()
                line = _last_line(progress)
                if proc.returncode == 0 and line == "done":
                    return
                if not line or line == "done" or "\t" not in line:
                    raise RuntimeError(f"crash probe failed (exit code {proc.returncode}):\n{stderr[-3000:]}")
                index, key = line.split("\t", 1)
                how = f"hung for more than {HANG_SECONDS:.0f} s" if hung else f"exit code {proc.returncode}"
                self.crashed[key] = f"{how}\n{stderr[-3000:]}"
                start = int(index) + 1
            raise RuntimeError("crash probe restarted too many times")


def _last_line(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            lines = f.read().decode().splitlines()
    except FileNotFoundError:
        return None
    return lines[-1] if lines else None


_PROBE = CrashProbe()


def pytest_collection_finish(session) -> None:
    # Start early (in parallel with the tests that run before test_parity.py).
    if any(item.fspath.basename == "test_parity.py" for item in session.items):
        _PROBE.start()


@pytest.fixture(scope="session")
def crashed_samples() -> dict[str, str]:
    crashed = _PROBE.result()
    if _PROBE.error:
        pytest.fail(f"the crash probe could not run: {_PROBE.error}")
    return crashed


# ---------------------------------------------------------------------------------------
# backend hygiene
# ---------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def restore_backend():
    before = em.get_backend()
    yield
    em.set_backend(before)
