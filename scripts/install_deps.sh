#!/usr/bin/env bash
# Installs what elubench needs on Debian 12 (or Ubuntu): the build tools and libraries from the
# distribution, and the Python packages into a project-local virtual environment (.venv).
# Safe to run again: it installs only what is missing. The CUDA toolkit is not a Debian
# package here; when nvcc is present the CUDA variants are built, otherwise they are left out.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(build-essential cmake git pkg-config python3 python3-venv
          libbenchmark-dev nlohmann-json3-dev libgtest-dev libgmock-dev libhwy-dev
          libeigen3-dev libdnnl-dev valgrind
          # oneDNN's CMake config requires OpenCL, which libdnnl-dev only "Recommends".
          ocl-icd-opencl-dev
          # The xnnpack and sleef peers (optional at configure time, installed so they are built).
          libxnnpack-dev libcpuinfo-dev libpthreadpool-dev libsleef-dev
          # report.py's browser test (Selenium drives the distribution's chromium and its driver).
          chromium chromium-driver
          # torch_rows.py's test runs under the system interpreter with Debian's PyTorch (CPU).
          python3-torch python3-jsonschema
          # convergence.py: its data (the Fashion-MNIST IDX files, ~30 MB), and an optimized BLAS
          # for torch (~7 MB download; Debian's PyTorch otherwise uses the reference BLAS: a
          # 128x784 by 784x256 matmul ran ~10x slower with it on one thread here).
          dataset-fashion-mnist libopenblas0-pthread
          # the fleet test starts a one-node Slurm cluster on localhost.
          slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install_deps: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Add nvcc's usual home to PATH for the build when it is installed but not on PATH.
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "install_deps: nvcc found in /usr/local/cuda/bin (add it to PATH to skip this note)" >&2
fi

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
req="$root/scripts/requirements.txt"
stamp="$venv/.requirements.sha"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
