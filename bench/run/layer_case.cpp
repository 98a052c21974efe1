// The layer rows' part of a Case (--layers). What differs from an elementwise row: the buffers
// (x, w, bias and y of the row's shape, shared per (dtype, shape): plan/layer_data.hpp), the
// check (the float64 layer on sampled rows of y, with a bound that grows with k:
// elubench/reference_layer.hpp) and the accuracy it records (the bound's share used, in the
// row's layer block). The adversarial edge cases are the elementwise rows' business: a layer's
// activation is the same kernel or a library's post-op fed by a matmul, and its check is the
// layer reference. Timing is the same as any row's.
#include <stdexcept>
#include <string>

#include "elubench/gpu.hpp"
#include "elubench/layer.hpp"
#include "run/case.hpp"
#include "trust/timed_check.hpp"

namespace elubench::bench {

namespace {
// The tolerance a layer row states: the bound's parts, for a reader of the results file.
std::string layer_tolerance(const Variant& v, const LayerShape& s, const ActivationParams& p) {
  const LayerErrorModel e = layer_error_model(v, s.k, p);
  char buf[200];
  std::snprintf(buf, sizeof buf, "layer bound (k=%zu): %.3g x (gamma_%zu(2^-24) |x|.|w|+|b|%s) + activation %s", s.k,
                e.lipschitz, s.k + 1, e.u_store > 0 ? ", stored in the dtype" : "", e.activation.describe().c_str());
  return buf;
}
}  // namespace

// y (on the host) against the float64 layer; the row's accuracy is this check's.
bool Case::layer_output_passes(const std::string& when) {
  const Variant& v = *row_.variant;
  const LayerReference& ref = shared_.layers().reference(v.dtype, *row_.layer);
  const LayerCheckResult c = check_layer(v, ref, buffers_.y->data(), row_.params);
  row_.accuracy = AccuracyRecord{c.max_ulp, c.max_abs_error, layer_tolerance(v, *row_.layer, row_.params), c.checked};
  row_.layer_bound_used = c.bound_used;
  if (c.ok) return true;
  row_.status = Status::failed;
  row_.reason = when + c.message;
  return false;
}

bool Case::prepare_layer() {
  try {
    buffers_.make_layer_host(row_, shared_.layers());
    // x, w, bias and y, and 256 MiB for cuBLASLt's workspace and the runtime.
    const std::size_t need = layer_bytes(*row_.layer, row_.variant->dtype) + (std::size_t{256} << 20);
    if (row_.variant->device == Device::gpu && !fits_device_memory(need)) return false;
    run_first_call();
    if (const std::string why = writes_outside(row_, buffers_, true); !why.empty()) {
      fail_for_writing_outside(row_, buffers_, shared_, why);
      return false;
    }
    return layer_output_passes("");
  } catch (const std::exception&) {
    record_prepare_error();
  }
  return false;
}

bool Case::last_layer_call_passes() {
  try {
    if (const std::string why = writes_outside(row_, buffers_, true); !why.empty()) {
      fail_for_writing_outside(row_, buffers_, shared_, why);
      return false;
    }
    if (row_.variant->device == Device::gpu)
      gpu::copy_to_host(buffers_.y->data(), buffers_.dy->get(), row_.n * dtype_size(row_.variant->dtype));
    return layer_output_passes("the output of the last timed call is wrong (the first call passed): ");
  } catch (const std::exception& e) {
    row_.status = Status::failed;
    row_.reason = std::string("error checking the last timed call: ") + e.what();
  }
  return false;
}

}  // namespace elubench::bench
