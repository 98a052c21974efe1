#include "plan/rows.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>

#include "cli/parse.hpp"
#include "cli/selectable.hpp"
#include "elubench/cpu.hpp"
#include "elubench/layer.hpp"
#include "elubench/reference.hpp"
#include "plan/suite.hpp"

namespace elubench::bench {

namespace {
template <class T>
bool allowed(const std::vector<T>& filter, const T& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

Row start_row(const Variant& v, std::size_t n, const ActivationParams& params, const Options& o) {
  Row r;
  r.variant = &v;
  r.n = n;
  r.input = o.input;
  r.params = params;
  return r;
}

// Row r once per thread count on the CPU, once on the GPU (skipped without one). The working
// set is what the operation moves (x and y, a backward's dy too, the bias row; a layer's x, w,
// bias and y) however many passes the variant makes: r.bytes counts exactly that.
void add_per_device(std::vector<Row>& rows, Row r, const Options& o, const Platform& p, const std::vector<int>& threads) {
  const Variant& v = *r.variant;
  const std::size_t working = r.bytes;
  if (v.device == Device::cpu) {
    r.cache_resident = p.cpu_llc_bytes > 0 && working <= p.cpu_llc_bytes;
    // Our SIMD rows once per target, next to each other: the same cell on each target runs close in time.
    const std::vector<std::string> targets = !cpu::has_target_code(v) ? std::vector<std::string>{}
                                             : o.simd_targets.empty() ? std::vector<std::string>{cpu::simd_target()}
                                                                      : o.simd_targets;
    for (int t : threads) {
      r.threads = t;
      if (targets.empty()) rows.push_back(r);
      for (const std::string& target : targets) {
        r.variant = &on_simd_target(v, target);
        r.simd_target = target;
        rows.push_back(r);
      }
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

// The rows of one elementwise (variant, n, parameter values).
void add_rows(std::vector<Row>& rows, const Variant& v, std::size_t n, const ActivationParams& params, const Options& o,
              const Platform& p, const std::vector<int>& threads) {
  Row r = start_row(v, n, params, o);
  if (v.uses_bias) r.cols = bias_cols(n);
  r.bytes = bytes_moved(v, n, r.cols.value_or(0));
  add_per_device(rows, std::move(r), o, p, threads);
}

// The rows of one layer (variant, shape, parameter values).
void add_layer_rows(std::vector<Row>& rows, const Variant& v, const LayerShape& s, const ActivationParams& params,
                    const Options& o, const Platform& p, const std::vector<int>& threads) {
  Row r = start_row(v, s.m * s.n, params, o);
  r.layer = s;
  r.bytes = layer_bytes(s, v.dtype);
  add_per_device(rows, std::move(r), o, p, threads);
}

// What the options select: the variants they name, and the copy ceilings of every (device,
// dtype) where a selected kernel or peer runs.
class Selection {
 public:
  explicit Selection(const Options& o) : o_(o), devices_(o.devices), dtypes_(o.dtypes) {
    if (devices_.empty()) devices_ = {Device::cpu, Device::gpu};
    if (dtypes_.empty() && o.layers) dtypes_ = {Dtype::f32};  // the default layer suite: minutes on 2 cores
    if (dtypes_.empty() && o.quick) dtypes_ = {Dtype::f32, Dtype::f16};  // one 16-bit type keeps CI short
  }
  bool picked(const Variant& v) const {
    return allowed(devices_, v.device) && allowed(dtypes_, v.dtype) && allowed(o_.activations, v.activation) &&
           allowed(o_.variants, v.variant);
  }
  // A run times layer rows (--layers) or elementwise rows, never both.
  bool wanted(const Variant& v, std::span<const Variant> reg) const {
    if (v.is_layer() != o_.layers) return false;
    if (picked(v)) return true;
    if (v.kind != Kind::ceiling || !allowed(devices_, v.device) || !allowed(dtypes_, v.dtype)) return false;
    return std::any_of(reg.begin(), reg.end(), [&](const Variant& k) {
      if (k.kind == Kind::ceiling || k.is_layer() != v.is_layer() || !picked(k)) return false;
      if (!v.is_layer()) return k.device == v.device && k.dtype == v.dtype;
      const Variant* c = layer_ceiling_of(k);  // the same matmul with bias and no activation
      return c && c->name == v.name;
    });
  }

 private:
  const Options& o_;
  std::vector<Device> devices_;
  std::vector<Dtype> dtypes_;
};

// --layer-shapes, else the device's default layers; with --quick each at its smallest M.
std::vector<LayerShape> layer_shapes_for(const Options& o, Device d) {
  if (!o.layer_shapes.empty()) return o.layer_shapes;
  if (!o.quick) return default_layer_shapes(d);
  std::vector<LayerShape> out;
  for (const LayerFamily& f : default_layer_families(d)) out.push_back({f.m.front(), f.k, f.n});
  return out;
}

[[noreturn]] void refuse_empty_selection(const Options& o) {
  std::string why = "the selection matches no registered variant (see --list)";
  const bool gpu_asked = o.devices.size() == 1 && o.devices[0] == Device::gpu;
  if (gpu_asked && !gpu::cuda_built()) why = "--device gpu: this elubench was built without CUDA";
  throw UsageError(why);
}
}  // namespace

namespace {
// Every registered variant the options select, at every size (the given or the default ones).
std::vector<Row> matrix_rows(const Options& o, const Platform& p) {
  const Selection selection(o);
  const auto reg = selectable_variants();
  // A layer runs on every core by default, as a framework runs it (--threads 1 for one core): one
  // thread count keeps the default layer suite within minutes on two cores.
  const std::vector<int> threads =
      o.layers && o.threads.empty() ? std::vector<int>{p.hardware_threads} : resolve_threads(o, p.hardware_threads);
  std::vector<Row> rows;
  for (const Variant& v : reg) {
    if (!selection.wanted(v, reg)) continue;
    // One row per combination of the values of the parameters the variant's activation declares.
    const std::vector<ActivationParams> combinations = param_combinations(o, v.params());
    if (v.is_layer()) {
      for (const LayerShape& s : layer_shapes_for(o, v.device))
        for (const ActivationParams& params : combinations) add_layer_rows(rows, v, s, params, o, p, threads);
      continue;
    }
    const auto sizes = o.sizes.empty() ? default_sizes(v.device, o.quick) : o.sizes;
    for (std::size_t n : sizes)
      for (const ActivationParams& params : combinations) add_rows(rows, v, n, params, o, p, threads);
  }
  return rows;
}

// One part of the default suite: its copy ceilings (each (device, dtype, n, threads) its rows
// need), then its rows; a row an earlier part already holds is not added again.
void add_suite_part(std::vector<Row>& rows, std::set<std::string>& taken, const SuitePart& part, const Options& o,
                    const Platform& p, const std::vector<int>& given_threads) {
  const auto reg = selectable_variants();
  const std::vector<int> threads = part_threads(part, given_threads, p.hardware_threads);
  std::vector<Row> kernels, ceilings;
  for (const Variant& v : reg) {
    if (!allowed(o.devices, v.device) || !part_selects(part, v)) continue;
    const std::vector<ActivationParams> combinations = param_combinations(o, v.params());
    for (std::size_t n : part_sizes(part, v.device))
      for (const ActivationParams& params : combinations) add_rows(kernels, v, n, params, o, p, threads);
  }
  for (const Row& k : kernels)
    for (const Variant& c : reg)
      if (c.kind == Kind::ceiling && !c.is_layer() && c.device == k.variant->device && c.dtype == k.variant->dtype)
        add_rows(ceilings, c, k.n, ActivationParams{}, o, p, k.threads ? std::vector<int>{*k.threads} : threads);
  for (auto* group : {&ceilings, &kernels})
    for (Row& r : *group)
      if (taken.insert(r.label()).second) rows.push_back(std::move(r));
}

std::vector<Row> suite_rows(const Options& o, const Platform& p) {
  const std::vector<int> given = o.threads.empty() ? std::vector<int>{} : resolve_threads(o, p.hardware_threads);
  std::vector<Row> rows;
  std::set<std::string> taken;
  for (const SuitePart& part : default_suite()) add_suite_part(rows, taken, part, o, p, given);
  return rows;
}
}  // namespace

std::vector<Row> select_rows(const Options& o, const Platform& p) {
  std::vector<Row> rows = suite_of(o) == "default" ? suite_rows(o, p) : matrix_rows(o, p);
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
  // A layer's x and y once per (dtype, shape), w and bias once per (dtype, k, n) on the host
  // (LayerBuffers); on the GPU, one row's copies at a time.
  std::set<std::tuple<Dtype, std::size_t, std::size_t, std::size_t>> layers;
  const auto hold_layer = [&](const Variant& v, const LayerShape& s) {
    const std::size_t bytes = layer_bytes(s, v.dtype), es = dtype_size(v.dtype);
    if (layers.insert({v.dtype, s.m, s.k, s.n}).second) f.host += (s.m * s.k + s.m * s.n) * es;
    if (layers.insert({v.dtype, 0, s.k, s.n}).second) f.host += (s.k * s.n + s.n) * es;
    if (v.device == Device::gpu) f.device = std::max(f.device, bytes);
  };
  for (const Row& r : rows) {
    if (r.status != Status::pending) continue;
    const Variant& v = *r.variant;
    const std::size_t es = dtype_size(v.dtype), cols = r.cols.value_or(0);
    if (r.layer) {
      hold_layer(v, *r.layer);
      continue;
    }
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
