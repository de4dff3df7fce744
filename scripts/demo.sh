#!/usr/bin/env bash
# Sets everything up, then runs the main demo (examples/reproduce/demo.py: a CfC on Half-Cheetah
# next to the naive and ridge-AR baselines); extra arguments go to the demo (e.g. --model ltc).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" examples/reproduce/demo.py "$@"
