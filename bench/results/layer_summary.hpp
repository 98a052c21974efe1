// The end-of-run summary of a layer run (--layers): one line per ok layer row (GFLOP/s, overhead
// over the identity layer, cost over ReLU's layer by the same variant), then per device the
// headline: what ELU's layer costs over ReLU's.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "results/row.hpp"

namespace elubench::bench {

void print_layer_summary(const std::vector<Row>& rows, std::FILE* out);

// Per device and dtype with ok ELU and ReLU layer rows: the shape of most FLOPs (then the most
// threads) where both ran, and "cpu f32, 2 threads: inside a (K, N) layer at M rows, ELU costs
// X.XXx ReLU's layer", each activation by its fastest variant there (named after the sentence).
// ELU at its first alpha where several ran.
std::vector<std::string> layer_headlines(const std::vector<Row>& rows);

}  // namespace elubench::bench
