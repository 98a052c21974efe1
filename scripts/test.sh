#!/usr/bin/env bash
# The README's test command: installs what is missing, configures, builds, and runs every
# test (GoogleTest through CTest, the sanitizer build of the CPU code, pytest for the scripts).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/install_deps.sh
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"
jobs=$(nproc)

echo "== configure + build (preset ci) =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
echo "== ctest (preset ci) =="
ctest --preset ci

echo "== sanitizer build of the CPU code (ASan + UBSan) =="
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset sanitize

if [ -d tests/python ]; then
  echo "== pytest =="
  # ELUBENCH_LARGE=1: also the 100,000-row check of the scripts (tests/python/test_large_files.py)
  ELUBENCH_LARGE=1 .venv/bin/python -m pytest -q tests/python
fi
