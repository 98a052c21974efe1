// The GPU half of the registry: one row per (activation, variant, dtype) that exists.
#include "elubench/registry_rows.hpp"

namespace elubench {

namespace {
using namespace rows;
}  // namespace

void add_gpu_variants(std::vector<Variant>&) {}

}  // namespace elubench
