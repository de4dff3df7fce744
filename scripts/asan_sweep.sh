#!/usr/bin/env bash
# Runs the bad-input sweep (tests_py/bad_input_sweep.py) against an AddressSanitizer +
# UndefinedBehaviorSanitizer build of the extension: builds it in build/cpp-asan
# (scripts/asan_build.sh, shared with the GoogleTest ASan build), stages the Python package
# with that extension in build/cpp-asan/pkg, and runs every swept call with
# the ASan runtime preloaded into the (uninstrumented) Python interpreter.
# Usage: bash scripts/asan_sweep.sh   (exit status 1 when any call crashes, hangs or
# raises an untyped / unnamed error; ASan reports go to the failure's stderr tail).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
BUILD=build/cpp-asan

bash scripts/asan_build.sh

rm -rf "$BUILD/pkg"
mkdir -p "$BUILD/pkg"
cp -r python/ember_ml "$BUILD/pkg/"
rm -f "$BUILD"/pkg/ember_ml/_core*.so
cp "$BUILD"/_core*.so "$BUILD/pkg/ember_ml/"

# Python itself is not instrumented, so the runtime must be loaded first; its allocations
# are not leaks worth reporting, and NumPy / OpenCL allocate in ways ASan cannot see.
# libstdc++ is preloaded too: ASan's __cxa_throw interceptor must find the real function at
# start-up, or the first C++ exception aborts with "CHECK failed: real___cxa_throw".
LD_PRELOAD="$("${CXX:-g++}" -print-file-name=libasan.so) $("${CXX:-g++}" -print-file-name=libstdc++.so)" \
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
PYTHONPATH="$ROOT/$BUILD/pkg" \
  "$PY" tests_py/bad_input_sweep.py
