#!/usr/bin/env bash
# The README's run command: installs what is missing, configures and builds the `default`
# preset (CUDA when nvcc is found), runs the elubench suite on whatever is present (GPU and CPU,
# or CPU only: GPU rows are then written as skipped with the reason), writes the results JSON
# under results/, prints the summary table, draws the charts under results/charts/ and writes
# report.html (one self-contained page) next to them.
#   bash scripts/run.sh                    # the default suite (bench/plan/suite.cpp): ~4 min on 2 cores
#   bash scripts/run.sh --full             # every activation, variant, dtype, size, thread count: hours
#   bash scripts/run.sh --quick            # any elubench flags pass through (see --help)
# The other half of the tradeoff is not part of this suite: whether ELU's faster convergence pays
# for its cost, trained on Fashion-MNIST with PyTorch (~25 min on a 2-core CPU; docs/convergence.md):
#   /usr/bin/python3 scripts/convergence.py
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
log=$(mktemp)
trap 'rm -f "$log"' EXIT
build/default/bench/elubench "$@" | tee "$log"
# Draw the charts next to each results file (not for --list / --help, which write none; --gpu all
# writes one file per GPU).
sed -n 's/^results: //p' "$log" | while read -r results; do
  [ -f "$results" ] || continue
  charts="results/charts/$(basename "$results" .json)"
  .venv/bin/python scripts/plot.py "$results" -o "$charts" >&2
  echo "charts: $charts (summary: $charts/summary.md)"
  # The same run as one page that opens offline: headline, every chart, the table, the α explorer.
  .venv/bin/python scripts/report.py "$results" -o "$charts/report.html" >/dev/null
  echo "report: $charts/report.html"
done
echo "time to accuracy (ELU vs ReLU in training, not run here): /usr/bin/python3 scripts/convergence.py" >&2
