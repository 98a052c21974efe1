#include "run/case.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <thread>

#include "elubench/cpu.hpp"
#include "elubench/reference.hpp"
#include "cli/selectable.hpp"
#include "trust/adversarial.hpp"
#include "run/signals.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sync.hpp"
#include "timing/gpu_sampler.hpp"
#endif

namespace elubench::bench {

std::size_t cpu_last_level_cache_bytes() {
  std::size_t best = 0;
  for (int i = 0; i < 8; ++i) {
    std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/size");
    std::string s;
    if (!(in >> s) || s.empty()) continue;
    std::size_t mult = 1;
    if (s.back() == 'K') mult = 1024;
    if (s.back() == 'M') mult = 1024 * 1024;
    if (mult != 1) s.pop_back();
    try {
      best = std::max(best, static_cast<std::size_t>(std::stoull(s)) * mult);
    } catch (const std::exception&) {
    }
  }
  if (best == 0) {
    const long l3 = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (l3 > 0) best = static_cast<std::size_t>(l3);
  }
  return best;
}

Footprint interleaved_footprint(const std::vector<Row>& rows) {
  Footprint f;
  // What SharedBuffers holds: kInput, kOutput, kGrad, or the activation whose output is saved.
  enum : int { kInput = -1, kOutput = -2, kGrad = -3 };
  std::set<std::tuple<int, Dtype, std::size_t, float, float>> shared;
  const auto hold = [&](int what, Dtype d, std::size_t n, float a = 0, float s = 0) {
    if (shared.insert({what, d, n, a, s}).second) f.host += n * dtype_size(d);
  };
  for (const Row& r : rows) {
    if (r.status != Status::pending) continue;
    const Variant& v = *r.variant;
    const std::size_t es = dtype_size(v.dtype), cols = r.cols.value_or(0);
    hold(kInput, v.dtype, r.n);
    f.host += cols * es;
    hold(kOutput, v.dtype, r.n);
    if (v.device == Device::gpu) {
      f.device = std::max(f.device, (v.is_backward() ? 3 : 2) * r.n * es + cols * es);
      continue;
    }
    if (v.is_backward()) hold(kGrad, v.dtype, r.n);
    if (saved_is_output(v)) hold(static_cast<int>(v.activation), v.dtype, r.n, r.alpha, r.negative_slope);
  }
  return f;
}

std::size_t bias_cols(std::size_t n) {
  std::size_t c = 1024;
  while (c > 1 && n % c != 0) c /= 2;
  return c;
}

namespace {
template <class T>
bool allowed(const std::vector<T>& filter, const T& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

// The rows of one (variant, n, alpha): one per thread count on the CPU, one on the GPU.
void add_rows(std::vector<Row>& rows, const Variant& v, std::size_t n, float alpha, const Options& o, const Platform& p,
              const std::vector<int>& threads) {
  Row r;
  r.variant = &v;
  r.n = n;
  r.input = o.input;
  r.alpha = alpha;
  r.negative_slope = o.negative_slope;
  if (v.uses_bias) r.cols = bias_cols(n);
  r.bytes = bytes_moved(v, n, r.cols.value_or(0));
  // The working set is what the operation moves (x and y, a backward's dy too, and the bias
  // row) however many passes the variant makes: bytes_moved counts exactly that.
  const std::size_t working = r.bytes;
  if (v.device == Device::cpu) {
    r.cache_resident = p.cpu_llc_bytes > 0 && working <= p.cpu_llc_bytes;
    for (int t : threads) {
      r.threads = t;
      rows.push_back(r);
    }
    return;
  }
  r.cache = o.cache;
  r.cache_resident = p.gpu_usable && working <= p.gpu.l2_bytes;
  if (!p.gpu_usable) {
    r.status = Status::skipped;
    r.reason = p.gpu_reason;
  }
  rows.push_back(r);
}
}  // namespace

std::vector<Row> select_rows(const Options& o, const Platform& p) {
  std::vector<Device> devices = o.devices.empty() ? std::vector<Device>{Device::cpu, Device::gpu} : o.devices;
  std::vector<Dtype> dtypes = o.dtypes;
  if (dtypes.empty() && o.quick) dtypes = {Dtype::f32, Dtype::f16};  // one 16-bit type keeps CI short
  const auto reg = selectable_variants();
  auto picked = [&](const Variant& v) {
    return allowed(devices, v.device) && allowed(dtypes, v.dtype) && allowed(o.activations, v.activation) &&
           allowed(o.variants, v.variant);
  };
  auto wanted = [&](const Variant& v) {
    if (picked(v)) return true;
    if (v.kind != Kind::ceiling || !allowed(devices, v.device) || !allowed(dtypes, v.dtype)) return false;
    return std::any_of(reg.begin(), reg.end(), [&](const Variant& k) {
      return k.kind != Kind::ceiling && k.device == v.device && k.dtype == v.dtype && picked(k);
    });
  };
  const std::vector<int> threads = resolve_threads(o, p.hardware_threads);
  std::vector<Row> rows;
  for (const Variant& v : reg) {
    if (!wanted(v)) continue;
    const auto sizes = o.sizes.empty() ? default_sizes(v.device, o.quick) : o.sizes;
    // One row per --alpha value where the variant reads alpha; the others run once (with the
    // first value, which their JSON `alpha` field records as the run's).
    const std::vector<float> alphas = v.uses_alpha() ? o.alpha : std::vector<float>{o.alpha.front()};
    for (std::size_t n : sizes)
      for (float alpha : alphas) add_rows(rows, v, n, alpha, o, p, threads);
  }
  if (rows.empty()) {
    std::string why = "the selection matches no registered variant (see --list)";
    const bool gpu_asked = o.devices.size() == 1 && o.devices[0] == Device::gpu;
    if (gpu_asked && !gpu::cuda_built()) why = "--device gpu: this elubench was built without CUDA";
    throw UsageError(why);
  }
  return rows;
}

namespace {
// Runs job(k, begin, end) for `chunks` consecutive pieces of [0, n) (each a multiple of `unit`
// but the last), the last on the calling thread and the others on their own threads: the
// fan-out of the bench's host-side loops over 2^26 elements (input, check, saved tensor).
template <class Job>
void fan_out(std::size_t n, std::size_t chunks, std::size_t unit, const Job& job) {
  chunks = std::max<std::size_t>(1, chunks);
  const std::size_t units = unit ? n / unit : 0;
  const std::size_t per = (units + chunks - 1) / chunks * unit;
  std::vector<std::jthread> pool;
  for (std::size_t k = 0; k < chunks; ++k) {
    const std::size_t b = std::min(n, k * per), e = k + 1 == chunks ? n : std::min(n, b + per);
    if (k + 1 == chunks) job(k, b, e);
    else pool.emplace_back([&job, k, b, e] { job(k, b, e); });
  }
}
std::size_t host_threads() { return std::max(1u, std::thread::hardware_concurrency()); }
}  // namespace

void fill_input(void* dst, std::size_t n, Dtype d, Input dist, unsigned seed) {
  // One random stream per chunk, seeded by its index: the same input for a seed on any machine
  // with the same chunk count (8 at most).
  fan_out(n, std::min<std::size_t>(8, host_threads()), 1, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::seed_seq seq{seed, static_cast<unsigned>(k), 0x5eedu};
    std::mt19937_64 rng(seq);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::size_t i = b; i < e; ++i) {
      float v;
      do {
        v = normal(rng);
        if (dist == Input::negative) v = -std::fabs(v);
        if (dist == Input::positive) v = std::fabs(v);
        store_from_float(dst, i, d, v);
        // Redraw values that round to zero in the storage type (f16 underflow included).
      } while (load_as_float(dst, i, d) == 0.0f);
    }
  });
}

CheckResult check_parallel(const Variant& v, const void* x, const void* y, std::size_t n, const ActivationParams& p,
                           const void* bias, std::size_t cols, int threads, const void* grad) {
  const std::size_t unit = v.uses_bias ? cols : 1;  // bias chunks start at a row so i % cols holds
  const std::size_t units = unit ? n / unit : 0;
  const std::size_t t = std::max<std::size_t>(1, std::min<std::size_t>(threads, units / 4096 + 1));
  const std::size_t es = dtype_size(v.dtype);
  std::vector<CheckResult> parts(t);
  fan_out(n, t, unit, [&](std::size_t k, std::size_t b, std::size_t e) {
    const char* g = grad ? static_cast<const char*>(grad) + b * es : nullptr;
    parts[k] = check_against_reference(v, static_cast<const char*>(x) + b * es, static_cast<const char*>(y) + b * es,
                                       e - b, p, bias, cols, g);
    parts[k].worst_index += b;
    if (!parts[k].ok) parts[k].message += " [element index within the chunk at " + std::to_string(b) + "]";
  });
  CheckResult r;
  r.checked = 0;
  for (const CheckResult& p : parts) {
    r.checked += p.checked;
    if (p.max_ulp > r.max_ulp || std::isnan(p.max_ulp)) {
      r.max_ulp = p.max_ulp;
      r.worst_index = p.worst_index;
    }
    r.max_abs_error = std::max(r.max_abs_error, p.max_abs_error);
    if (!p.ok && r.ok) {
      r.ok = false;
      r.message = p.message;
    }
  }
  return r;
}

std::uint64_t output_digest(const void* data, std::size_t bytes) {
  constexpr std::size_t kChunk = std::size_t{1} << 24;
  const std::size_t chunks = (bytes + kChunk - 1) / kChunk;
  std::vector<std::uint64_t> part(chunks);
  const auto* p = static_cast<const unsigned char*>(data);
  fan_out(chunks, std::min(host_threads(), chunks), 1, [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      std::uint64_t h = 0x9E3779B97F4A7C15ull * (c + 1);
      const std::size_t begin = c * kChunk, end = std::min(bytes, begin + kChunk);
      for (std::size_t i = begin; i < end; i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, p + i, std::min<std::size_t>(8, end - i));
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
      }
      part[c] = h;
    }
  });
  std::uint64_t h = bytes;
  for (std::uint64_t x : part) h = (h ^ x) * 0xC4CEB9FE1A85EC53ull + 0x9E3779B97F4A7C15ull;
  return h;
}

void make_saved_input_parallel(const Variant& v, const void* x, void* saved, std::size_t n, const ActivationParams& p) {
  const std::size_t es = dtype_size(v.dtype);
  fan_out(n, std::min(host_threads(), n / 65536 + 1), 1, [&](std::size_t, std::size_t b, std::size_t e) {
    make_saved_input(v, static_cast<const char*>(x) + b * es, static_cast<char*>(saved) + b * es, e - b, p);
  });
}

const std::shared_ptr<HostBuffer>& SharedBuffers::made(Slot& slot, std::size_t bytes, std::size_t offset,
                                                      std::function<void(HostBuffer&)> fill) {
  if (!slot.buffer) {
    slot.buffer = std::make_shared<HostBuffer>(bytes, offset);
    slot.fill = std::move(fill);
    if (slot.fill) slot.fill(*slot.buffer);
  }
  return slot.buffer;
}

std::shared_ptr<const HostBuffer> SharedBuffers::input(Dtype d, std::size_t n) {
  const unsigned seed = seed_ + static_cast<unsigned>(n) * 31u + static_cast<unsigned>(d);
  return made(inputs_[{d, n}], n * dtype_size(d), HostBuffer::kOffsetX, [this, d, n, seed](HostBuffer& b) {
    fill_input(b.data(), n, d, dist_, seed);
    b.protect();
  });
}

std::shared_ptr<HostBuffer> SharedBuffers::output(Dtype d, std::size_t n) {
  return made(outputs_[{d, n}], n * dtype_size(d), HostBuffer::kOffsetY, nullptr);
}

std::shared_ptr<const HostBuffer> SharedBuffers::grad(Dtype d, std::size_t n) {
  const unsigned seed = (seed_ ^ 0xd7d7u) + static_cast<unsigned>(n) * 17u + static_cast<unsigned>(d);
  return made(grads_[{d, n}], n * dtype_size(d), HostBuffer::kOffsetBias, [d, n, seed](HostBuffer& b) {
    fill_input(b.data(), n, d, Input::normal, seed);
    b.protect();
  });
}

std::shared_ptr<const HostBuffer> SharedBuffers::saved(const Variant& backward, std::size_t n, const ActivationParams& p) {
  if (!saved_is_output(backward)) return input(backward.dtype, n);
  auto& slot = saved_[{backward.activation, backward.dtype, n, p.alpha, p.negative_slope}];
  return made(slot, n * dtype_size(backward.dtype), HostBuffer::kOffsetX, [this, &backward, n, p](HostBuffer& b) {
    make_saved_input_parallel(backward, input(backward.dtype, n)->data(), b.data(), n, p);
    b.protect();
  });
}

void SharedBuffers::restore_inputs() {
  const auto refill = [](Slot& slot) {
    slot.buffer->unprotect();
    slot.buffer->arm();
    if (slot.fill) slot.fill(*slot.buffer);  // an input: filled and read-only again
  };
  for (auto* slots : {&inputs_, &grads_, &outputs_})  // inputs before the saved tensors made from them
    for (auto& [key, slot] : *slots) refill(slot);
  for (auto& [key, slot] : saved_) refill(slot);
}

Case::Case(Row& row, SharedBuffers& shared, unsigned seed, GpuSampler* gpu)
    : row_(row), shared_(shared), seed_(seed), gpu_(gpu) {}

Case::~Case() = default;

void Case::release() {
  hx_.reset();
  hy_.reset();
  hgrad_.reset();
  hbias_ = HostBuffer();
  dx_.reset();
  dy_.reset();
  dbias_.reset();
  dgrad_.reset();
}

void Case::prepare_inputs() {
  const Variant& v = *row_.variant;
  const std::size_t n = row_.n, es = dtype_size(v.dtype), cols = row_.cols.value_or(0);
  hx_ = v.is_backward() ? shared_.saved(v, n, row_.params()) : shared_.input(v.dtype, n);
  if (v.is_backward()) hgrad_ = shared_.grad(v.dtype, n);
  hy_ = shared_.output(v.dtype, n);  // GPU rows too: no 1 GiB allocation per 2^28 row
  if (v.uses_bias) {
    hbias_ = HostBuffer(cols * es, HostBuffer::kOffsetBias);
    fill_input(hbias_.data(), cols, v.dtype, Input::normal, seed_ ^ 0xb1a5u);
    hbias_.protect();
  }
  // A recognisable non-result, so a variant that writes nothing fails the check (a GPU row's
  // output is poisoned on the device, copy_inputs_to_device).
  if (v.device == Device::cpu) std::fill(hy_->begin(), hy_->end(), static_cast<unsigned char>(0xAB));
  args_ = RunArgs{};
  args_.n = n;
  args_.params = row_.params();
  args_.cols = cols;
  args_.threads = row_.threads.value_or(1);
  args_.x = host_x();
  args_.y = hy_->data();
  args_.grad = host_grad();
  args_.bias = v.uses_bias ? hbias_.data() : nullptr;
}

void Case::copy_inputs_to_device() {
  const Variant& v = *row_.variant;
  const std::size_t n = row_.n, es = dtype_size(v.dtype), cols = row_.cols.value_or(0);
  dx_ = std::make_unique<DeviceBuffer>(n * es);
  dy_ = std::make_unique<DeviceBuffer>(n * es);
  gpu::copy_to_device(dx_->get(), host_x(), n * es);
  gpu::memset(dy_->get(), 0xAB, n * es);
  args_.x = dx_->get();
  args_.y = dy_->get();
  if (v.is_backward()) {
    dgrad_ = std::make_unique<DeviceBuffer>(n * es);
    gpu::copy_to_device(dgrad_->get(), hgrad_->data(), n * es);
    args_.grad = dgrad_->get();
  }
  if (v.uses_bias) {
    dbias_ = std::make_unique<DeviceBuffer>(cols * es);
    gpu::copy_to_device(dbias_->get(), hbias_.data(), cols * es);
    args_.bias = dbias_->get();
  }
}

void Case::run_first_call() {
  const Variant& v = *row_.variant;
  if (v.device == Device::gpu) {
    copy_inputs_to_device();
    v.run(args_);
#if ELUBENCH_HAVE_CUDA
    gpu_check_sync();
#endif
    gpu::copy_to_host(hy_->data(), dy_->get(), row_.n * dtype_size(v.dtype));
    return;
  }
  cpu::reset_last_call_threads();
  v.run(args_);
  if (const int used = cpu::last_call_threads(); used > 0) row_.threads_used = used;
}

bool Case::prepare() {
  const Variant& v = *row_.variant;
  const std::size_t n = row_.n, es = dtype_size(v.dtype), cols = row_.cols.value_or(0);
  const bool on_gpu = v.device == Device::gpu;
  try {
    if (on_gpu) {
      // 64 MiB of slack for the runtime and library workspaces (cuDNN, CUB temp storage).
      const std::size_t need = (v.is_backward() ? 3 : 2) * n * es + cols * es + (std::size_t{64} << 20);
      const std::size_t free_b = gpu::free_memory();
      if (need > free_b) {
        row_.status = Status::skipped;
        row_.reason = "does not fit in device memory: needs " + std::to_string(need >> 20) + " MiB, " +
                      std::to_string(free_b >> 20) + " MiB free";
        return false;
      }
    }
    // The sign-mixed edge-case input first, whatever --input is: the timed distribution may
    // never reach a branch (all-positive input never runs ELU's exponential).
    const CheckResult adv = check_adversarial(v, row_.params(), row_.threads.value_or(1));
    if (!adv.ok) {
      row_.accuracy = AccuracyRecord{adv.max_ulp, adv.max_abs_error, tolerance_for(v, row_.params()).describe(), adv.checked};
      row_.status = Status::failed;
      row_.reason = "adversarial input (sign-mixed edge cases): " + adv.message;
      return false;
    }
    prepare_inputs();
    run_first_call();
    // Before the output: a kernel that wrote into its input would be checked against what it wrote.
    if (const std::string why = writes_outside(true); !why.empty()) {
      fail_for_writing_outside(why);
      return false;
    }
    const CheckResult c = check_parallel(v, host_x(), hy_->data(), n, row_.params(),
                                         v.uses_bias ? hbias_.data() : nullptr, cols,
                                         static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), host_grad());
    row_.accuracy = AccuracyRecord{c.max_ulp, c.max_abs_error, tolerance_for(v, row_.params()).describe(), c.checked};
    if (!c.ok) {
      row_.status = Status::failed;
      row_.reason = c.message;
      return false;
    }
    // The input (shared anyway) and the bias stay for the check of the last timed call; a GPU
    // row keeps its output's digest instead of the output (timed_check.cpp).
    if (on_gpu) first_output_digest_ = output_digest(hy_->data(), n * es);
    if (on_gpu) hy_.reset();
    return true;
  } catch (const VariantUnavailable& e) {
    row_.status = Status::skipped;
    row_.reason = e.what();
    return false;
  } catch (const std::exception& e) {
    row_.status = Status::failed;
    row_.reason = std::string("error before timing: ") + e.what();
    return false;
  }
}

void Case::run(benchmark::State& st) {
  if (stop_signal() != 0) {
    interrupted_ = true;
    if (!ready_) {
      st.SkipWithError(prepared_ ? row_.reason.c_str() : "interrupted");
      return;
    }
    // A row that has started runs out its remaining repetitions as empty loops: Google
    // Benchmark aborts when one row's repetitions report different iteration counts, and a
    // skipped repetition reports none. Nothing from this row is kept. The loop's own time is
    // its manual time: with none, a first repetition would grow to a billion iterations.
    const auto t0 = std::chrono::steady_clock::now();
    for (auto _ : st) {
    }
    st.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return;
  }
  if (!prepared_) {
    prepared_ = true;
    ready_ = prepare();
    if (!ready_) release();
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
      poison_output();
      run_cpu(st);
    }
  } catch (const std::exception& e) {
    row_.status = Status::failed;
    row_.reason = std::string("error while timing: ") + e.what();
    ready_ = false;
    release();
    st.SkipWithError(row_.reason.c_str());
  }
}

void Case::run_cpu(benchmark::State& st) {
  const RunFn fn = row_.variant->kernel;  // the arguments were checked by the first run()
  // Manual time, from the one clock that both Google Benchmark's sample and the journal's read
  // (registered UseManualTime): the loop's wall time, as UseRealTime would measure it.
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : st) {
    fn(args_);
    benchmark::ClobberMemory();  // the stores must happen inside the timed region
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st.SetIterationTime(seconds);
  // Outside the timed loop: what this loop's calls wrote, before another row runs.
  if (const std::string why = check_timed_loop(); !why.empty()) {
    ready_ = false;
    release();
    st.SkipWithError(row_.reason.c_str());
    return;
  }
  if (st.iterations() > 0) loop_ = Loop{static_cast<long long>(st.iterations()), seconds / static_cast<double>(st.iterations())};
}

void Case::run_gpu(benchmark::State& st) {
#if ELUBENCH_HAVE_CUDA
  if (!gpu_) throw std::runtime_error("no GPU sampler for a GPU row");
  // One Google Benchmark iteration holds all of the row's samples: the stopping rule, not a
  // repetition count, decides how many (bench/gpu_timer.hpp says how one sample is taken).
  for (auto _ : st) {
    GpuRowTiming t;
    samples_ = gpu_->sample(row_.variant->kernel, args_, t, [this] { poison_output(); });
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
      if (check_last_timed_call()) {
        row_.status = Status::ok;
        row_.time = compute_stats(samples_);
      }
    } else {
      row_.status = Status::failed;
      row_.reason = "no samples were reported";
    }
  }
  release();
}

}  // namespace elubench::bench
