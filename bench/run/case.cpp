#include "run/case.hpp"

#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>

#include "elubench/cpu.hpp"
#include "elubench/gpu.hpp"
#include "elubench/reference.hpp"
#include "plan/inputs.hpp"
#include "run/signals.hpp"
#include "timing/google_benchmark.hpp"
#include "trust/adversarial.hpp"
#include "trust/reference_check.hpp"
#include "trust/timed_check.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sampler.hpp"
#include "timing/gpu_sync.hpp"
#endif

namespace elubench::bench {

Case::Case(Row& row, SharedBuffers& shared, unsigned seed, GpuSampler* gpu)
    : row_(row), shared_(shared), seed_(seed), gpu_(gpu) {}

// ---- Before timing: the checks every row passes first ----------------------------------------

std::size_t Case::device_bytes_needed() const {
  const Variant& v = *row_.variant;
  const std::size_t es = dtype_size(v.dtype), cols = row_.cols.value_or(0);
  // 64 MiB of slack for the runtime and library workspaces (cuDNN, CUB temp storage).
  return (v.is_backward() ? 3 : 2) * row_.n * es + cols * es + (std::size_t{64} << 20);
}

bool Case::fits_device_memory(std::size_t need) {
  const std::size_t free_b = gpu::free_memory();
  if (need <= free_b) return true;
  row_.status = Status::skipped;
  row_.reason = "does not fit in device memory: needs " + std::to_string(need >> 20) + " MiB, " +
                std::to_string(free_b >> 20) + " MiB free";
  return false;
}

// The sign-mixed edge-case input first, whatever --input is: the timed distribution may never
// reach a branch (all-positive input never runs ELU's exponential).
bool Case::passes_adversarial() {
  const Variant& v = *row_.variant;
  const CheckResult adv = check_adversarial(v, row_.params, row_.threads.value_or(1));
  if (adv.ok) return true;
  row_.accuracy = AccuracyRecord{adv.max_ulp, adv.max_abs_error, tolerance_for(v, row_.params).describe(), adv.checked};
  row_.status = Status::failed;
  row_.reason = "adversarial input (sign-mixed edge cases): " + adv.message;
  return false;
}

void Case::run_first_call() {
  const Variant& v = *row_.variant;
  if (v.device == Device::gpu) {
    if (row_.layer) buffers_.layer_to_device(row_);
    else buffers_.to_device(row_);
    v.run(buffers_.args);
#if ELUBENCH_HAVE_CUDA
    gpu_check_sync();
#endif
    gpu::copy_to_host(buffers_.y->data(), buffers_.dy->get(), row_.n * dtype_size(v.dtype));
    return;
  }
  cpu::reset_last_call_threads();
  v.run(buffers_.args);
  if (const int used = cpu::last_call_threads(); used > 0) row_.threads_used = used;
}

// The first call's output against the float64 reference, in full; its accuracy is the row's.
bool Case::first_call_passes() {
  const Variant& v = *row_.variant;
  const RowBuffers& b = buffers_;
  const CheckResult c = check_parallel(v, b.x->data(), b.y->data(), row_.n, row_.params, b.bias.data(),
                                       row_.cols.value_or(0), static_cast<int>(host_threads()),
                                       b.grad ? b.grad->data() : nullptr);
  row_.accuracy = AccuracyRecord{c.max_ulp, c.max_abs_error, tolerance_for(v, row_.params).describe(), c.checked};
  if (c.ok) return true;
  row_.status = Status::failed;
  row_.reason = c.message;
  return false;
}

bool Case::prepare() {
  if (row_.layer) return prepare_layer();
  const bool on_gpu = row_.variant->device == Device::gpu;
  try {
    if ((on_gpu && !fits_device_memory(device_bytes_needed())) || !passes_adversarial()) return false;
    buffers_.make_host(row_, shared_, seed_);
    run_first_call();
    // Before the output: a kernel that wrote into its input would be checked against what it wrote.
    if (const std::string why = writes_outside(row_, buffers_, true); !why.empty()) {
      fail_for_writing_outside(row_, buffers_, shared_, why);
      return false;
    }
    if (!first_call_passes()) return false;
    // The input (shared anyway) and the bias stay for the check of the last timed call; a GPU
    // row keeps its output's digest instead of the output (trust/timed_check.hpp).
    if (on_gpu) first_output_digest_ = output_digest(buffers_.y->data(), row_.n * dtype_size(row_.variant->dtype));
    if (on_gpu) buffers_.y.reset();
    return true;
  } catch (const std::exception&) {
    record_prepare_error();
  }
  return false;
}

// Rethrows the exception being handled to read its kind; anything but a std::exception goes on up.
void Case::record_prepare_error() {
  try {
    throw;
  } catch (const VariantUnavailable& e) {
    row_.status = Status::skipped;
    row_.reason = e.what();
  } catch (const std::exception& e) {
    row_.status = Status::failed;
    row_.reason = std::string("error before timing: ") + e.what();
  }
}

// ---- Timing --------------------------------------------------------------------------------

// A row that has started runs out its remaining repetitions as empty loops; nothing of it is kept.
void Case::skip_interrupted(benchmark::State& st) {
  interrupted_ = true;
  if (ready_) run_empty_loop(st);
  else st.SkipWithError(prepared_ ? row_.reason.c_str() : "interrupted");
}

void Case::fail(benchmark::State& st) {
  ready_ = false;
  buffers_.release();
  st.SkipWithError(row_.reason.c_str());
}

void Case::run(benchmark::State& st) {
  if (stop_signal() != 0) return skip_interrupted(st);
  if (!prepared_) {
    prepared_ = true;
    ready_ = prepare();
    if (!ready_) buffers_.release();
  }
  if (!ready_) {
    st.SkipWithError(row_.reason.c_str());
    return;
  }
  try {
    // Outside the timed loop (Google Benchmark times only the loop); GPU rows poison inside
    // the sampler, after its untimed warm-up and calibration calls (run_gpu).
    if (row_.variant->device == Device::gpu) {
      run_gpu(st);
    } else {
      poison_output(row_, buffers_);
      run_cpu(st);
    }
  } catch (const std::exception& e) {
    row_.status = Status::failed;
    row_.reason = std::string("error while timing: ") + e.what();
    fail(st);
  }
}

void Case::run_cpu(benchmark::State& st) {
  // The arguments were checked by the first call: the kernel itself is timed, not v.run().
  const double seconds = time_cpu_loop(st, row_.variant->kernel, buffers_.args);
  // Outside the timed loop: what this loop's calls wrote, before another row runs (a layer row:
  // writes outside y; its output is checked after the last repetition, on the reference's rows).
  if (row_.layer ? !passes_writes_outside(row_, buffers_, shared_) : !check_timed_loop(row_, buffers_, shared_))
    return fail(st);
  if (st.iterations() > 0) loop_ = Loop{static_cast<long long>(st.iterations()), seconds / static_cast<double>(st.iterations())};
}

void Case::run_gpu(benchmark::State& st) {
#if ELUBENCH_HAVE_CUDA
  if (!gpu_) throw std::runtime_error("no GPU sampler for a GPU row");
  // One Google Benchmark iteration holds all of the row's samples: the stopping rule, not a
  // repetition count, decides how many (timing/gpu_sampler.hpp says how one sample is taken).
  for (auto _ : st) {
    GpuRowTiming t;
    samples_ = gpu_->sample(row_.variant->kernel, buffers_.args, t, [this] { poison_output(row_, buffers_); });
    row_.gpu_timing = t;
    st.SetIterationTime(compute_stats(samples_).median);
  }
#else
  st.SkipWithError("built without CUDA");
#endif
}

void Case::finish() {
  if (row_.status == Status::pending) {
    if (interrupted_) {
      row_.status = Status::interrupted;
      row_.reason = "interrupted before this row finished";
    } else if (ready_ && !samples_.empty()) {
      if (row_.layer ? last_layer_call_passes() : check_last_timed_call(row_, buffers_, shared_, first_output_digest_)) {
        row_.status = Status::ok;
        row_.time = compute_stats(samples_);
      }
    } else {
      row_.status = Status::failed;
      row_.reason = "no samples were reported";
    }
  }
  buffers_.release();
}

}  // namespace elubench::bench
