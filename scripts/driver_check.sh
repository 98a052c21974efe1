#!/usr/bin/env bash
# The NVIDIA driver on this node against the CUDA toolkit elubench was built with, in one line,
# and a plan when the driver is too old. Sourced by scripts/gpu_check.sh and the bundle's
# launcher (scripts/bundle.sh), which print the pair first; the binary says the same in its
# summary and in the reason of every skipped GPU row (kernels/driver_check.cpp).
#
#   bash scripts/driver_check.sh BUILD_CUDA     # e.g. 13.0.88; exit 0 usable, 3 too old, 4 no driver
#
# The driver's facts come from nvidia-smi (its release, e.g. 570.86.15, and the newest CUDA it
# supports, e.g. 12.8); a CUDA 13.x build needs a driver >= 580 and a 12.x build >= 525 (NVIDIA's
# minor-version compatibility table).

# min_driver CUDA_VERSION -> the oldest driver release (major number) that runs that toolkit.
min_driver() {
  local major=${1%%.*}
  if [ "${major:-0}" -ge 13 ] 2>/dev/null; then echo 580
  elif [ "${major:-0}" -eq 12 ] 2>/dev/null; then echo 525
  else echo 450
  fi
}

# Sets DRIVER_RELEASE ("570.86.15") and DRIVER_CUDA ("12.8"), empty where nvidia-smi is absent
# or says nothing.
driver_facts() {
  DRIVER_RELEASE="" DRIVER_CUDA=""
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  DRIVER_RELEASE=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' ')
  DRIVER_CUDA=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9][0-9.]*\).*/\1/p' | head -n 1)
}

# driver_verdict BUILD_CUDA: sets DRIVER_PAIR (one line), DRIVER_STATUS (ok | too_old | none |
# unknown) and DRIVER_PLAN (what to do; empty when ok).
driver_verdict() {
  local build=${1:-} need found
  driver_facts
  need=$(min_driver "$build")
  found="NVIDIA driver ${DRIVER_RELEASE:-none found}${DRIVER_CUDA:+ (CUDA $DRIVER_CUDA)}"
  DRIVER_PAIR="$found | this build: CUDA ${build:-unknown}, needs driver >= $need"
  DRIVER_PLAN=""
  if [ -z "$DRIVER_RELEASE" ]; then
    DRIVER_STATUS=none
  elif [ -z "$build" ]; then
    DRIVER_STATUS=unknown
  elif [ "${DRIVER_RELEASE%%.*}" -ge "$need" ] 2>/dev/null; then
    DRIVER_STATUS=ok
  else
    DRIVER_STATUS=too_old
    DRIVER_PLAN=$(driver_plan "$build" "$need")
  fi
}

# driver_plan BUILD_CUDA NEED: the two ways out for a driver older than the build.
driver_plan() {
  local build=$1 need=$2 major=${1%%.*} minor
  minor=${1#*.}; minor=${minor%%.*}
  echo "The $DRIVER_RELEASE driver (CUDA ${DRIVER_CUDA:-?}) is older than this build: elubench links the CUDA $build runtime, which needs a driver >= $need. Ways out:"
  if [ "${DRIVER_RELEASE%%.*}" -ge 525 ] 2>/dev/null; then
    echo "  1. build from source with this node's CUDA 12 toolkit (12.4 or newer), beside the repository:"
    echo "       PATH=/usr/local/cuda-12/bin:\$PATH cmake --preset default && cmake --build --preset default -j && bash scripts/bundle.sh build/default"
    echo "     (build dependencies: scripts/install_deps.sh; variants that need a newer CCCL are left out, each with its reason)"
  fi
  echo "  2. a driver >= $need, or on a data-centre GPU NVIDIA's forward-compatibility package"
  echo "     (cuda-compat-$major-$minor, then LD_LIBRARY_PATH=/usr/local/cuda-$major.$minor/compat)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  driver_verdict "${1:-}"
  echo "$DRIVER_PAIR"
  [ -z "$DRIVER_PLAN" ] || echo "$DRIVER_PLAN"
  case $DRIVER_STATUS in ok | unknown) exit 0 ;; too_old) exit 3 ;; *) exit 4 ;; esac
fi
