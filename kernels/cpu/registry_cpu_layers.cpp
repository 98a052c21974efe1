// The CPU layer rows of the registry: each matmul library's rows, where it was found at configure
// time (the top-level configure line reports which).
#include "cpu_variants.hpp"

namespace elubench {

void add_cpu_layer_variants(std::vector<Variant>& out) {
#if ELUBENCH_HAVE_ONEDNN
  cpu::add_onednn_layer_rows(out);
#endif
#if ELUBENCH_HAVE_XNNPACK
  cpu::add_xnnpack_layer_rows(out);
#endif
  (void)out;
}

}  // namespace elubench
