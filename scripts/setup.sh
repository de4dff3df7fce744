#!/usr/bin/env bash
# Idempotent set-up: Debian packages, a virtualenv in .venv, and the ember_ml build.
# Sourced by scripts/demo.sh and scripts/test.sh; a second run only rebuilds what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APT_PACKAGES=(g++ cmake ninja-build pkg-config libeigen3-dev libopenblas-dev libgtest-dev
              ocl-icd-opencl-dev opencl-headers pocl-opencl-icd
              libclblast-dev openmpi-bin libopenmpi-dev)
PYTHON="${PYTHON:-python3}"
# Debian's own python3 needs python3-venv for `-m venv`; other builds ship it.
"$PYTHON" -c "import ensurepip, venv" 2>/dev/null || APT_PACKAGES+=(python3-venv)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup] installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PYTHON" -m venv .venv
fi
VPY="$ROOT/.venv/bin/python"

# Reinstall Python requirements only when requirements.txt changes.
stamp=".venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing Python requirements"
  "$VPY" -m pip install -q --upgrade pip
  # PyTorch is pinned to the CPU build; a local wheel (this machine kind ships one) is preferred.
  "$VPY" -m pip install -q --find-links /opt/wheels -r requirements.txt
  echo "$want" > "$stamp"
fi

# Build and install the package; scikit-build-core keeps build/ so rebuilds are incremental.
echo "[setup] building ember_ml"
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
  "$VPY" -m pip install -q --no-build-isolation --no-deps .
