#!/usr/bin/env bash
# Sets everything up, then trains the forecasting example (examples/train_forecast.py) on
# the default backend; extra arguments go to the example (e.g. --model ltc).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" examples/train_forecast.py "$@"
