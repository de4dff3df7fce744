#!/usr/bin/env bash
# Builds build/cpp-asan: the GoogleTest suite and the ember_ml._core extension under
# AddressSanitizer + UndefinedBehaviorSanitizer, at -O1 with line tables (as the
# AddressSanitizer documentation recommends), from one set of core objects.
# Used by scripts/test.sh and scripts/asan_sweep.sh; a second run only rebuilds what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
cmake -S . -B build/cpp-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DEMBER_SANITIZE=ON -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE="$PY" -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" >/dev/null
cmake --build build/cpp-asan -j "${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
