// cpu/*/naive: the plain scalar loop a newcomer would write, one element at a time through
// the shared scalar math (std::expm1 for ELU). The baseline every other CPU variant beats.
#include "cpu_variants.hpp"

#include "elubench/activations.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

template <Activation A>
void run_naive(const RunArgs& a, Dtype d) {
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const float x = load_as_float(a.x, i, d);
      store_from_float(a.y, i, d, A == Activation::elu ? elu(x, a.alpha) : relu(x));
    }
  });
}

void naive_elu_f32(const RunArgs& a) { run_naive<Activation::elu>(a, Dtype::f32); }
void naive_elu_f16(const RunArgs& a) { run_naive<Activation::elu>(a, Dtype::f16); }
void naive_elu_bf16(const RunArgs& a) { run_naive<Activation::elu>(a, Dtype::bf16); }
void naive_relu_f32(const RunArgs& a) { run_naive<Activation::relu>(a, Dtype::f32); }
void naive_relu_f16(const RunArgs& a) { run_naive<Activation::relu>(a, Dtype::f16); }
void naive_relu_bf16(const RunArgs& a) { run_naive<Activation::relu>(a, Dtype::bf16); }

}  // namespace elubench::cpu
