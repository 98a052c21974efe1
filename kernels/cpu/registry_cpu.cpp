// The CPU half of the registry: one row per (activation, variant, dtype) that exists.
#include "cpu_variants.hpp"
#include "elubench/registry_rows.hpp"

namespace elubench {

namespace {
using namespace rows;

const Row kCpuRows[] = {
    {elu, "naive", f32, ours, accurate, no_bias, 2, cpu::naive_elu_f32, "scalar loop, std::expm1"},
    {elu, "naive", f16, ours, accurate, no_bias, 2, cpu::naive_elu_f16, "scalar loop, std::expm1"},
    {elu, "naive", bf16, ours, accurate, no_bias, 2, cpu::naive_elu_bf16, "scalar loop, std::expm1"},
    {relu, "naive", f32, ours, exact, no_bias, 2, cpu::naive_relu_f32, "scalar loop"},
    {relu, "naive", f16, ours, exact, no_bias, 2, cpu::naive_relu_f16, "scalar loop"},
    {relu, "naive", bf16, ours, exact, no_bias, 2, cpu::naive_relu_bf16, "scalar loop"},
    {copy, "memcpy", f32, ceiling, exact, no_bias, 2, cpu::memcpy_f32, "std::memcpy: the CPU copy ceiling"},
    {copy, "memcpy", f16, ceiling, exact, no_bias, 2, cpu::memcpy_f16, "std::memcpy: the CPU copy ceiling"},
    {copy, "memcpy", bf16, ceiling, exact, no_bias, 2, cpu::memcpy_bf16, "std::memcpy: the CPU copy ceiling"},
};
}  // namespace

void add_cpu_variants(std::vector<Variant>& out) { rows::append(Device::cpu, kCpuRows, out); }

}  // namespace elubench
