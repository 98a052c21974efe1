// Run functions of the CPU variants, one file each under kernels/cpu/; registry_cpu.cpp
// lists them. Internal to the library: callers go through the registry.
#pragma once

#include "elubench/registry.hpp"

namespace elubench::cpu {

void naive_elu_f32(const RunArgs&);
void naive_elu_f16(const RunArgs&);
void naive_elu_bf16(const RunArgs&);
void naive_relu_f32(const RunArgs&);
void naive_relu_f16(const RunArgs&);
void naive_relu_bf16(const RunArgs&);

void memcpy_f32(const RunArgs&);
void memcpy_f16(const RunArgs&);
void memcpy_bf16(const RunArgs&);

}  // namespace elubench::cpu
