// What a layer row is worth beside the other rows of its run: FLOP/s, its overhead over the
// identity layer (the same matmul with bias and no activation: the layer's ceiling) and its cost
// over ReLU's layer computed the same way.
#pragma once

#include <vector>

#include "results/row.hpp"

namespace elubench::bench {

// For every ok layer row: flops_per_s (2 m k n / median), and where the same run has them, with
// the same device, dtype, shape, threads, cache mode and matmul library: overhead_vs_identity =
// t / t_identity - 1 and pct_of_ceiling = 100 t_identity / t against the ceiling row, and
// cost_vs_relu = t / t_relu against ReLU's row of the same variant. Medians throughout.
void derive_layer_metrics(std::vector<Row>& rows);

}  // namespace elubench::bench
