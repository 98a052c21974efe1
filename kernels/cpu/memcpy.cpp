// cpu/copy/memcpy: a CPU bandwidth ceiling. std::memcpy is what glibc tunes per CPU (non-
// temporal stores past a size it picks), the "as fast as moving the bytes" line a reader expects;
// copy_vectorized.cpp and copy_nontemporal.cpp are the other copies a cell's ceiling is the best of.
#include <cstring>

#include "cpu_variants.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

// A template per dtype, so that each is its own call site for parallel_for's cost per element.
template <Dtype D>
void memcpy_copy(const RunArgs& a) {
  // n = 0 may come with null pointers (an empty std::vector's data()); memcpy must never see them.
  if (a.n == 0) return;
  parallel_copy(a, D, [](const unsigned char* x, unsigned char* y, std::size_t bytes) { std::memcpy(y, x, bytes); });
}
void memcpy_f32(const RunArgs& a) { memcpy_copy<Dtype::f32>(a); }
void memcpy_f16(const RunArgs& a) { memcpy_copy<Dtype::f16>(a); }
void memcpy_bf16(const RunArgs& a) { memcpy_copy<Dtype::bf16>(a); }

}  // namespace elubench::cpu
