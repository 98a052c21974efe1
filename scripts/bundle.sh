#!/usr/bin/env bash
# Packs elubench for another x86-64 Linux machine that has only an NVIDIA driver (a cluster GPU
# node): the binary, the shared libraries it needs (from ldd, minus glibc and the driver's own
# libraries, which must come from the target), and a launcher that points LD_LIBRARY_PATH at
# them, into dist/elubench-<version>-x86_64.tar.gz. The CUDA runtime is linked statically
# (CUDA::cudart_static), so only the driver is needed. cuDNN (about 500 MB) does not travel:
# only the small plugin libelubench_cudnn.so does, and the launcher finds libcudnn.so.9 on the
# node (LD_LIBRARY_PATH, the system's libraries, or the nvidia-cudnn wheel of an installed
# PyTorch); without it the cudnn rows are skipped with the reason. Also packed: the GPU test
# binaries (for scripts/gpu_check.sh), the scripts that draw the charts and the report, and
# BUILD_INFO (the CUDA version the launcher and gpu_check.sh hold the node's driver against).
#   bash scripts/bundle.sh [BUILD_DIR]     # default: build the `default` preset
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${1:-}
if [ -z "$build" ]; then
  [ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"
  cmake --preset default >/dev/null
  cmake --build --preset default -j "$(nproc)" --target elubench
  # The GPU test binaries, for scripts/gpu_check.sh on the node (absent in a CPU-only build).
  cmake --build --preset default -j "$(nproc)" --target test_gpu_variants 2>/dev/null || true
  build=build/default
fi
bin="$build/bench/elubench"
[ -x "$bin" ] || { echo "bundle: no elubench binary at $bin" >&2; exit 2; }
version=$(sed -n 's/^project(elubench VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || { echo "bundle: cannot read the project version from CMakeLists.txt" >&2; exit 2; }
name="elubench-$version-x86_64"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/lib"
cp "$bin" "$stage/$name/bin/elubench"
cp results/schema.json "$stage/$name/"
mkdir -p "$stage/$name/results" "$stage/$name/scripts"
cp results/schema.json "$stage/$name/results/"
cp scripts/gpu_check.sh scripts/driver_check.sh scripts/plot.py scripts/report.py scripts/convergence_io.py \
   scripts/results_load.py scripts/results_schema.py scripts/results_text.py scripts/script_io.py \
   scripts/results_index.py scripts/validate_results.py scripts/requirements.txt "$stage/$name/scripts/"
cp -r scripts/report_assets "$stage/$name/scripts/"
# What the launcher and gpu_check.sh compare the node's driver with (scripts/driver_check.sh).
cuda=$(sed -n 's/.*cuda_version = "\([^"]*\)".*/\1/p' "$build/bench/generated/build_info.hpp")
printf 'version=%s\ncuda=%s\n' "$version" "$cuda" >"$stage/$name/BUILD_INFO"
# (test_cuda_bodies is not packed: it simulates grids on the CPU, which CI already runs.)
[ -x "$build/tests/test_gpu_variants" ] && cp "$build/tests/test_gpu_variants" "$stage/$name/bin/"
plugin=$(find "$build/kernels" -name libelubench_cudnn.so -print -quit 2>/dev/null || true)
[ -n "$plugin" ] && cp "$plugin" "$stage/$name/lib/"

# glibc and the dynamic loader belong to the target (mixing them breaks), and so does the
# NVIDIA driver (libcuda must match the kernel module).
# cuDNN comes from the node (see above).
skip='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|libresolv\.so|libcuda\.so|libnvidia|libcudnn)'
for exe in "$stage/$name"/bin/* "$stage/$name"/lib/libelubench_cudnn.so; do
  [ -e "$exe" ] || continue
  missing=$(ldd "$exe" | awk '/not found/ {print $1}' | grep -v '^libcudnn' || true)
  [ -z "$missing" ] || { echo "bundle: unresolved libraries of $exe: $missing" >&2; exit 1; }
  ldd "$exe" | awk '/=> \// {print $1, $3}' | while read -r soname path; do
    if [[ $soname =~ $skip ]]; then continue; fi
    [ -e "$stage/$name/lib/$soname" ] || cp -L "$path" "$stage/$name/lib/$soname"
  done
done

cat > "$stage/$name/elubench" <<'LAUNCH'
#!/usr/bin/env bash
# Runs the bundled elubench with the libraries shipped next to it. Results go to ./results/
# (created if needed) unless --out says otherwise.
# ELUBENCH_EXE=test_gpu_variants (or another file in bin/) runs that instead.
# First, on stderr: the node's driver against the CUDA this bundle was built with, and the ways
# out when the driver is too old (every GPU row would be skipped). gpu_check.sh, which says it
# once for all its stages, sets ELUBENCH_DRIVER_CHECKED=1 (nvidia-smi can take a second).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${ELUBENCH_DRIVER_CHECKED:-0}" != 1 ]; then
  # shellcheck source=/dev/null
  source "$here/scripts/driver_check.sh"
  driver_verdict "$(sed -n 's/^cuda=//p' "$here/BUILD_INFO")"
  echo "elubench bundle: $DRIVER_PAIR" >&2
  [ -z "$DRIVER_PLAN" ] || echo "$DRIVER_PLAN" >&2
fi
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# cuDNN is not bundled: when the node's loader cannot see libcudnn.so.9, borrow PyTorch's
# nvidia-cudnn wheel if there is one. Without either, the cudnn rows are skipped.
if ! ldconfig -p 2>/dev/null | grep -q 'libcudnn\.so\.9' && \
   ! ( IFS=:; for d in $LD_LIBRARY_PATH; do [ -e "$d/libcudnn.so.9" ] && exit 0; done; exit 1 ); then
  for py in python3 /opt/torch/.venv/bin/python3; do
    d=$("$py" -c 'import nvidia.cudnn, os; print(os.path.join(list(nvidia.cudnn.__path__)[0], "lib"))' 2>/dev/null) || continue
    [ -e "$d/libcudnn.so.9" ] && { export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"; break; }
  done
fi
exec "$here/bin/${ELUBENCH_EXE:-elubench}" "$@"
LAUNCH
chmod +x "$stage/$name/elubench"

mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "bundle: dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1), $(ls "$stage/$name/lib" | wc -l) libraries)"
# The bundle must start on its own: list the registry through the launcher.
tmp=$(mktemp -d); tar -C "$tmp" -xzf "dist/$name.tar.gz"
env -u LD_LIBRARY_PATH "$tmp/$name/elubench" --list >/dev/null || { echo "bundle: the bundled binary does not start" >&2; rm -rf "$tmp"; exit 1; }
rm -rf "$tmp"
