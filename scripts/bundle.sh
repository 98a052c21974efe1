#!/usr/bin/env bash
# Packs elubench for another x86-64 Linux machine that has only an NVIDIA driver (a cluster GPU
# node): the binary, the shared libraries it needs (from ldd, minus glibc and the driver's own
# libraries, which must come from the target), and a launcher that points LD_LIBRARY_PATH at
# them, into dist/elubench-<version>-x86_64.tar.gz. The CUDA runtime is linked statically
# (CUDA::cudart_static), so only the driver is needed; cuDNN, when linked, travels with it.
#   bash scripts/bundle.sh [BUILD_DIR]     # default: build the `default` preset
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${1:-}
if [ -z "$build" ]; then
  [ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"
  cmake --preset default >/dev/null
  cmake --build --preset default -j "$(nproc)" --target elubench
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

# glibc and the dynamic loader belong to the target (mixing them breaks), and so does the
# NVIDIA driver (libcuda must match the kernel module).
skip='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|libresolv\.so|libcuda\.so|libnvidia)'
missing=$(ldd "$bin" | awk '/not found/ {print $1}')
[ -z "$missing" ] || { echo "bundle: unresolved libraries: $missing" >&2; exit 1; }
ldd "$bin" | awk '/=> \// {print $1, $3}' | while read -r soname path; do
  if [[ $soname =~ $skip ]]; then continue; fi
  cp -L "$path" "$stage/$name/lib/$soname"
  # cuDNN 9 loads its engine and graph libraries with dlopen, which ldd cannot see.
  if [[ $soname == libcudnn.so* ]]; then
    for extra in "$(dirname "$path")"/libcudnn_*.so.*; do
      [ -e "$extra" ] && cp -L "$extra" "$stage/$name/lib/"
    done
  fi
done

cat > "$stage/$name/elubench" <<'LAUNCH'
#!/usr/bin/env bash
# Runs the bundled elubench with the libraries shipped next to it. Results go to ./results/
# (created if needed) unless --out says otherwise.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$here/bin/elubench" "$@"
LAUNCH
chmod +x "$stage/$name/elubench"

mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "bundle: dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1), $(ls "$stage/$name/lib" | wc -l) libraries)"
# The bundle must start on its own: list the registry through the launcher.
tmp=$(mktemp -d); tar -C "$tmp" -xzf "dist/$name.tar.gz"
env -u LD_LIBRARY_PATH "$tmp/$name/elubench" --list >/dev/null || { echo "bundle: the bundled binary does not start" >&2; rm -rf "$tmp"; exit 1; }
rm -rf "$tmp"
