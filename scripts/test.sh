#!/usr/bin/env bash
# Sets everything up, then runs every test: C++ (GoogleTest via CTest, plain and under
# ASan+UBSan) and Python (pytest). Exits non-zero when any test fails or none ran.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
JOBS="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

run_ctest() {  # build dir
  echo "[test] C++ tests in $1"
  ctest --test-dir "$1" --output-on-failure --no-tests=error -j "$JOBS"
}

# The package build (setup.sh) also built the optimised GoogleTest binary.
wheel_build=(build/cp*)
run_ctest "${wheel_build[0]}"
echo "[test] building the C++ tests and the extension under ASan+UBSan"
CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" bash "$ROOT/scripts/asan_build.sh"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build/cpp-asan
echo "[test] bad-input sweep against the ASan+UBSan build of the extension"
bash "$ROOT/scripts/asan_sweep.sh"

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
