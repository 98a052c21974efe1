// How the cudnn variant (cudnn.cu) splits n elements into cuDNN calls. Plain host code, kept
// out of cudnn.cu because that file is built into the cuDNN plugin (libelubench_cudnn.so) while
// the host test of the fold (tests/test_gpu_variants.cpp) links the kernels library only.
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace elubench::gpu_variants {

namespace {
// Row width of the fold and the largest piece per call (2^30 elements: every dimension, stride
// and element count of one call fits in int, with room to spare).
constexpr std::size_t kFoldW = std::size_t{1} << 16;
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;
}  // namespace

// The (h, w) shapes, in order, whose calls cover n elements (exposed for the host test of the
// fold: h * w summed is n, every h and w in [1, INT_MAX]).
std::vector<std::pair<int, int>> cudnn_fold(std::size_t n) {
  std::vector<std::pair<int, int>> out;
  if (n < kFoldW) {
    if (n) out.emplace_back(1, static_cast<int>(n));
    return out;
  }
  for (std::size_t done = 0, rows = n / kFoldW * kFoldW; done < rows;) {
    const std::size_t piece = std::min(kMaxPiece, rows - done);
    out.emplace_back(static_cast<int>(piece / kFoldW), static_cast<int>(kFoldW));
    done += piece;
  }
  if (n % kFoldW) out.emplace_back(1, static_cast<int>(n % kFoldW));
  return out;
}

}  // namespace elubench::gpu_variants
