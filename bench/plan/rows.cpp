#include "plan/rows.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "cli/parse.hpp"
#include "cli/selectable.hpp"
#include "elubench/reference.hpp"

namespace elubench::bench {

namespace {
template <class T>
bool allowed(const std::vector<T>& filter, const T& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

// The rows of one (variant, n, parameter values): one per thread count on the CPU, one on the GPU.
void add_rows(std::vector<Row>& rows, const Variant& v, std::size_t n, const ActivationParams& params, const Options& o,
              const Platform& p, const std::vector<int>& threads) {
  Row r;
  r.variant = &v;
  r.n = n;
  r.input = o.input;
  r.params = params;
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

// What the options select: the variants they name, and the copy ceilings of every (device,
// dtype) where a selected kernel or peer runs.
class Selection {
 public:
  explicit Selection(const Options& o) : o_(o), devices_(o.devices), dtypes_(o.dtypes) {
    if (devices_.empty()) devices_ = {Device::cpu, Device::gpu};
    if (dtypes_.empty() && o.quick) dtypes_ = {Dtype::f32, Dtype::f16};  // one 16-bit type keeps CI short
  }
  bool picked(const Variant& v) const {
    return allowed(devices_, v.device) && allowed(dtypes_, v.dtype) && allowed(o_.activations, v.activation) &&
           allowed(o_.variants, v.variant);
  }
  bool wanted(const Variant& v, std::span<const Variant> reg) const {
    if (picked(v)) return true;
    if (v.kind != Kind::ceiling || !allowed(devices_, v.device) || !allowed(dtypes_, v.dtype)) return false;
    return std::any_of(reg.begin(), reg.end(), [&](const Variant& k) {
      return k.kind != Kind::ceiling && k.device == v.device && k.dtype == v.dtype && picked(k);
    });
  }

 private:
  const Options& o_;
  std::vector<Device> devices_;
  std::vector<Dtype> dtypes_;
};

[[noreturn]] void refuse_empty_selection(const Options& o) {
  std::string why = "the selection matches no registered variant (see --list)";
  const bool gpu_asked = o.devices.size() == 1 && o.devices[0] == Device::gpu;
  if (gpu_asked && !gpu::cuda_built()) why = "--device gpu: this elubench was built without CUDA";
  throw UsageError(why);
}
}  // namespace

std::vector<Row> select_rows(const Options& o, const Platform& p) {
  const Selection selection(o);
  const auto reg = selectable_variants();
  const std::vector<int> threads = resolve_threads(o, p.hardware_threads);
  std::vector<Row> rows;
  for (const Variant& v : reg) {
    if (!selection.wanted(v, reg)) continue;
    const auto sizes = o.sizes.empty() ? default_sizes(v.device, o.quick) : o.sizes;
    // One row per combination of the values of the parameters the variant's activation declares.
    const std::vector<ActivationParams> combinations = param_combinations(o, v.params());
    for (std::size_t n : sizes)
      for (const ActivationParams& params : combinations) add_rows(rows, v, n, params, o, p, threads);
  }
  if (rows.empty()) refuse_empty_selection(o);
  return rows;
}

Footprint interleaved_footprint(const std::vector<Row>& rows) {
  Footprint f;
  // What SharedBuffers holds: kInput, kOutput, kGrad, or the activation whose output is saved.
  enum : int { kInput = -1, kOutput = -2, kGrad = -3 };
  std::set<std::tuple<int, Dtype, std::size_t, ActivationParams>> shared;
  const auto hold = [&](int what, Dtype d, std::size_t n, ActivationParams p = {}) {
    if (shared.insert({what, d, n, p}).second) f.host += n * dtype_size(d);
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
    if (saved_is_output(v)) hold(static_cast<int>(v.activation), v.dtype, r.n, r.params);
  }
  return f;
}

bool fits_interleaved(const std::vector<Row>& rows, const Platform& plat, std::string* note) {
  const Footprint need = interleaved_footprint(rows);
  const std::size_t host_budget = physical_memory() / 4;
  const std::size_t device_budget = plat.gpu_usable ? gpu::free_memory() / 2 : 0;
  if (need.host <= host_budget && need.device <= device_budget) return true;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "elubench: rows run one after another, not interleaved: together they need %zu MiB of host and "
                "%zu MiB of device memory (budget %zu / %zu MiB)\n",
                need.host >> 20, need.device >> 20, host_budget >> 20, device_budget >> 20);
  *note = buf;
  return false;
}

void check_host_memory(const std::vector<Row>& rows) {
  std::size_t need = interleaved_footprint(rows).host, gpu_output = 0;
  for (const Row& r : rows)
    if (r.status == Status::pending && r.variant->device == Device::gpu)
      gpu_output = std::max(gpu_output, r.n * dtype_size(r.variant->dtype));
  need += gpu_output;
  const std::size_t have = physical_memory();
  if (need > have)
    throw UsageError("the selected rows need " + std::to_string(need >> 20) + " MiB of host memory (inputs and outputs, " +
                     "held for the run) and this machine has " + std::to_string(have >> 20) + " MiB: choose smaller --sizes");
}

}  // namespace elubench::bench
