"""Bad-input sweep: every public function and class of ``ops``, ``ops.stats``,
``ops.linearalg``, ``ops.bitwise``, ``nn.tensor``, the activations, initializers and
``nn.modules`` (the names of ``opinfo.inventory()``) called with wrong types, shapes, axes and
huge / negative sizes, in subprocesses.

Each call must either return something other than None or raise a typed exception
(TypeError, ValueError, IndexError, NotImplementedError, OverflowError, MemoryError; the
LinAlgError of ``ops.linearalg`` is a ValueError) whose message starts with ``[name]``.
A crash (a signal, an abort of AddressSanitizer) or a hang of the subprocess fails the
call it was running.

Calls run in batches: a worker process runs the calls from a start index on and reports
each one on its own protocol stream (``S i`` before a call, ``R i json`` after), so the
parent attributes a crash or a hang to the call that was under way, records it and
starts a fresh worker from the next call.

Run as a script (``python tests_py/bad_input_sweep.py``; ``scripts/asan_sweep.sh`` runs it
against the AddressSanitizer build) it prints each failure and exits 1 if there is any.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import selectors
import subprocess
import sys
import time
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "@@sweep@@"
# Sections of opinfo.inventory() that hold the functions and classes to sweep.
SECTIONS = ("ember_ml.ops", "ops.stats", "ops.linearalg", "ops.bitwise", "ember_ml.nn.tensor",
            "ember_ml.nn.initializers", "activations", "ember_ml.nn.modules", "nn.modules recurrent layers")
# Names whose job is process-wide state or files, not computation on arguments.
SKIP = {"set_backend", "get_backend", "auto_select_backend", "get_available_backends", "using_backend",
        "save", "load", "from_ncps"}
TYPED = (TypeError, ValueError, IndexError, NotImplementedError, OverflowError, MemoryError)
PREFIX = re.compile(r"^\[[\w.:\- ]+\]")
# How many leading positional arguments get a bad value (the others stay valid).
POSITIONS = 3
CALL_TIMEOUT_S = 30.0


def _np():
    import numpy

    return numpy


def _tensor():
    from ember_ml.nn import tensor

    return tensor


# (description, factory) of the wrong arguments; the factories run in the worker, which
# makes a fresh one for each call.
BAD_VALUES: list[tuple[str, Callable[[], Any]]] = [
    ("None", lambda: None),
    ("dict", lambda: {}),
    ("str", lambda: "abc"),
    ("object", lambda: object()),
    ("int 2**70", lambda: 2**70),
    ("int -1", lambda: -1),
    ("int -5", lambda: -5),
    ("int 2**62", lambda: 2**62),
    ("shape (2**31, 2**31)", lambda: (2**31, 2**31)),
    ("shape (-1, 3)", lambda: (-1, 3)),
    ("nan", lambda: float("nan")),
    ("ragged list", lambda: [[1, 2], [3]]),
    ("str array", lambda: _np().array(["a"])),
    ("empty tensor (2, 0)", lambda: _tensor().zeros((2, 0))),
    ("float tensor (2, 3)", lambda: _tensor().ones((2, 3))),
    ("int tensor 0-d", lambda: _tensor().convert_to_tensor(_np().int64(2))),
]


@dataclasses.dataclass(frozen=True)
class Call:
    label: str
    target: str  # "module:name"
    position: int
    bad: int  # index into BAD_VALUES
    arity: int  # the positional arguments passed: valid ones, the bad one at `position`


def _targets() -> list[tuple[str, str, bool]]:
    """(module, name, returns) of every swept entry, in inventory order; EMBER_SWEEP_TARGETS
    ("module:name,...") replaces them (the sweep's own test points it at crashing code)."""
    override = os.environ.get("EMBER_SWEEP_TARGETS")
    if override:
        return [(*target.split(":"), True) for target in override.split(",")]
    sys.path.insert(0, HERE)
    import opinfo

    inventory = opinfo.inventory()
    out = []
    for section in SECTIONS:
        for e in inventory[section]:
            if e.smoke is None or e.name in SKIP:
                continue
            out.append((e.module, e.name, e.returns))
    return out


def _positionals(fn: Callable) -> tuple[int, int]:
    """(required, total) positional parameters of `fn`, from its signature or, for pybind11
    functions, the first line of its docstring; total is 0 when a required keyword-only
    parameter (which a positional call cannot give) follows."""
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if any(p.kind == p.KEYWORD_ONLY and p.default is p.empty for p in params):
            return 0, 0
        return sum(1 for p in positional if p.default is p.empty), len(positional)
    except (TypeError, ValueError):
        pass
    doc = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    match = re.match(r"^[\w.]+\((.*?)\)", doc[0]) if doc else None
    if not match or not match.group(1).strip():
        return 0, 0
    params = [p.strip() for p in re.split(r",\s*(?![^\[\]]*\])", match.group(1)) if p.strip() not in ("", "self")]
    star = next((i for i, p in enumerate(params) if p.startswith("*")), len(params))
    if any("=" not in p for p in params[star + 1:]):
        return 0, 0
    return sum(1 for p in params[:star] if "=" not in p), star


def calls() -> list[Call]:
    import importlib

    out = []
    for module, name, _ in _targets():
        required, total = _positionals(getattr(importlib.import_module(module), name))
        for position in range(min(max(required, 1), total, POSITIONS)):
            for b, (description, _) in enumerate(BAD_VALUES):
                out.append(Call(f"{module}.{name} argument {position} = {description}", f"{module}:{name}", position,
                                b, max(required, position + 1)))
    return out


# ---- worker --------------------------------------------------------------------------------

def _good_args(n: int) -> list:
    import numpy as np

    from ember_ml.nn import tensor as T

    x = T.convert_to_tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    return ([x, x] + [1] * n)[:n]


def _verdict(returns: bool, fn: Callable, args: list) -> dict:
    try:
        result = fn(*args)
    except TYPED as e:
        message = str(e)
        if not PREFIX.match(message):
            return {"ok": False, "why": f"{type(e).__name__} without an [op] prefix: {message[:300]}"}
        return {"ok": True}
    except BaseException as e:  # noqa: BLE001 -- any other type is the failure reported
        return {"ok": False, "why": f"untyped {type(e).__name__}: {str(e)[:300]}"}
    if result is None and returns:
        return {"ok": False, "why": "returned None"}
    return {"ok": True}


def worker(start: int) -> None:
    """Runs calls()[start:], writing the protocol on the original stdout."""
    import importlib
    import warnings

    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # library output must not interleave with the protocol
    warnings.simplefilter("ignore")
    all_calls = calls()
    returns = {f"{m}:{n}": r for m, n, r in _targets()}
    for i in range(start, len(all_calls)):
        call = all_calls[i]
        protocol.write(f"{MARK} S {i}\n")
        module, name = call.target.split(":")
        fn = getattr(importlib.import_module(module), name)
        args = _good_args(call.arity)
        args[call.position] = BAD_VALUES[call.bad][1]()
        verdict = _verdict(returns[call.target], fn, args)
        protocol.write(f"{MARK} R {i} {json.dumps(verdict)}\n")
    protocol.write(f"{MARK} DONE\n")


# ---- parent --------------------------------------------------------------------------------

def _run_worker(start: int, env: dict) -> tuple[list[tuple[int, dict]], int | None, str]:
    """Runs one worker from `start`; returns its results, the index of the call it crashed
    or hung in (None when it finished) and the tail of its stderr."""
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", str(start)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    results: list[tuple[int, dict]] = []
    current: int | None = None
    done = False
    buffer, err = b"", b""
    deadline = time.monotonic() + CALL_TIMEOUT_S
    open_streams = 2
    while open_streams and not done:
        events = sel.select(timeout=max(0.0, deadline - time.monotonic()))
        if not events:  # the call under way hangs
            proc.kill()
            proc.wait()
            return results, current, "hung for more than %.0f s" % CALL_TIMEOUT_S
        for key, _ in events:
            chunk = os.read(key.fileobj.fileno(), 1 << 16)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            if key.data == "err":
                err = (err + chunk)[-4000:]
                continue
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                text = line.decode(errors="replace")
                if not text.startswith(MARK):
                    continue
                parts = text[len(MARK):].split(" ", 3)
                if parts[1] == "S":
                    current = int(parts[2])
                    deadline = time.monotonic() + CALL_TIMEOUT_S
                elif parts[1] == "R":
                    results.append((int(parts[2]), json.loads(parts[3])))
                    current = None
                elif parts[1] == "DONE":
                    done = True
    rc = proc.wait()
    if done:
        return results, None, ""
    tail = err.decode(errors="replace")[-1500:]
    return results, (current if current is not None else start), f"worker exited with status {rc}: {tail}"


def run_sweep(env: dict | None = None) -> tuple[int, list[str]]:
    """Runs every call; returns (number of calls, failure descriptions)."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, env.get("PYTHONPATH")) if p)
    all_calls = calls()
    failures: list[str] = []
    answered: set[int] = set()
    start = 0
    while start < len(all_calls):
        results, stopped_at, why = _run_worker(start, env)
        for i, verdict in results:
            answered.add(i)
            if not verdict["ok"]:
                failures.append(f"{all_calls[i].label}: {verdict['why']}")
        if stopped_at is None:
            break
        answered.add(stopped_at)
        failures.append(f"{all_calls[stopped_at].label}: CRASH/HANG: {why}")
        start = stopped_at + 1
    # A worker that reported DONE early must not pass the calls it never made.
    failures += [f"{all_calls[i].label}: never run" for i in range(len(all_calls)) if i not in answered]
    return len(all_calls), failures


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(int(sys.argv[2]))
        return 0
    t0 = time.monotonic()
    n, failures = run_sweep()
    for f in failures:
        print(f)
    print(f"bad-input sweep: {n} calls, {len(failures)} failures, {time.monotonic() - t0:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
