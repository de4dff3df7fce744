#!/usr/bin/env bash
# Sets everything up, then runs every test: C++ (GoogleTest via CTest, plain and under
# ASan+UBSan) and Python (pytest). Exits non-zero when any test fails or none ran.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
JOBS="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

run_ctest() {  # build dir, extra cmake args...
  local dir="$1"; shift
  echo "[test] C++ tests in $dir"
  cmake -S . -B "$dir" -G Ninja -DEMBER_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$JOBS"
}

run_ctest build/cpp-tests -DCMAKE_BUILD_TYPE=Release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build/cpp-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_SANITIZE=ON

echo "[test] Python tests"
set +e
"$ROOT/.venv/bin/python" -m pytest tests_py -q "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "[test] pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
