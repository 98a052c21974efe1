// The registration of activations: one include and one line each. Everything else (the
// Activation enum and its names, the CPU and GPU kernels of every family, the registry rows,
// the float64 checks and the tests' lists) is generated from this list.
#pragma once

#include "elubench/activations/elu.hpp"
#include "elubench/activations/gelu.hpp"
#include "elubench/activations/gelu_tanh.hpp"
#include "elubench/activations/leaky_relu.hpp"
#include "elubench/activations/mish.hpp"
#include "elubench/activations/relu.hpp"
#include "elubench/activations/selu.hpp"
#include "elubench/activations/silu.hpp"
#include "elubench/activations/softplus.hpp"

// X(enum name, trait type). The enum name is the trait's `name`.
#define ELUBENCH_ACTIVATIONS(X) \
  X(elu, Elu)                   \
  X(relu, Relu)                 \
  X(leaky_relu, LeakyRelu)      \
  X(gelu, Gelu)                 \
  X(gelu_tanh, GeluTanh)        \
  X(silu, Silu)                 \
  X(selu, Selu)                 \
  X(softplus, Softplus)         \
  X(mish, Mish)
