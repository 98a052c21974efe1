// The end-of-run summary on stdout: with GPU rows, the driver/toolkit pair first (gpu.hpp's
// DriverCheck); per variant at the largest size of its device, GB/s, % of the copy ceiling and
// ELU/ReLU; then per device one sentence on what ELU costs over ReLU and one line per other
// activation; then the row counts.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "results/row.hpp"

namespace elubench::bench {

void print_summary(const std::vector<Row>& rows, std::FILE* out);

// Per device with ok rows, at its largest size, from the best (fastest median) ok kernel row of
// each (activation, dtype, threads, params): first one sentence, what ELU costs over ReLU in each
// dtype, then one line per other forward activation present. Forward cost: best(X) / best(relu);
// forward + backward, where `<X>_backward` and `relu_backward` rows exist:
// (best(X) + best(X_backward)) / (best(relu) + best(relu_backward)). Activations pair by name
// (X with "relu", "X_backward" with "relu_backward"), so a new activation needs no change here.
std::vector<std::string> cost_summary(const std::vector<Row>& rows);

}  // namespace elubench::bench
