#!/usr/bin/env bash
# The README's run command: installs what is missing, configures and builds the `default`
# preset (CUDA when nvcc is found), runs the elubench suite on whatever is present (GPU and CPU,
# or CPU only: GPU rows are then written as skipped with the reason), writes the results JSON
# under results/ and prints the summary table.
#   bash scripts/run.sh                    # the default suite
#   bash scripts/run.sh --quick            # any elubench flags pass through (see --help)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/install_deps.sh
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"

echo "== configure + build (preset default) ==" >&2
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target elubench

echo "== elubench $* ==" >&2
# Run from the repository root so the default output lands in results/.
exec build/default/bench/elubench "$@"
