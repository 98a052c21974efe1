#include "timing/nvml.hpp"

#include <dlfcn.h>

namespace elubench::bench {

namespace {
using nvmlReturn_t = int;  // NVML_SUCCESS == 0
using nvmlDevice_t = void*;
constexpr int kClockSm = 1, kClockMem = 2;  // nvmlClockType_t: NVML_CLOCK_SM, NVML_CLOCK_MEM
constexpr int kTemperatureGpu = 0;          // NVML_TEMPERATURE_GPU
}  // namespace

struct Nvml::Fns {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*by_pci)(const char*, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*by_index)(unsigned, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*power_mw)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*reasons)(nvmlDevice_t, unsigned long long*) = nullptr;
};

namespace {
template <class F>
void bind(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
}
}  // namespace

Nvml::Nvml(const std::string& library) {
  void* lib = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = ::dlerror();
    reason_ = "NVML not loaded: " + std::string(e ? e : library + ": dlopen failed");
    return;
  }
  auto* f = new Fns;
  bind(lib, f->init, "nvmlInit_v2");
  bind(lib, f->shutdown, "nvmlShutdown");
  bind(lib, f->error_string, "nvmlErrorString");
  bind(lib, f->by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
  bind(lib, f->by_index, "nvmlDeviceGetHandleByIndex_v2");
  bind(lib, f->clock, "nvmlDeviceGetClockInfo");
  bind(lib, f->temperature, "nvmlDeviceGetTemperature");
  bind(lib, f->power_mw, "nvmlDeviceGetPowerUsage");
  // Renamed in driver 535 ("clocks event reasons"); the old name stays as an alias for now.
  bind(lib, f->reasons, "nvmlDeviceGetCurrentClocksEventReasons");
  if (!f->reasons) bind(lib, f->reasons, "nvmlDeviceGetCurrentClocksThrottleReasons");
  const char* missing = !f->init ? "nvmlInit_v2" : !f->shutdown ? "nvmlShutdown" : !f->by_index ? "nvmlDeviceGetHandleByIndex_v2"
                        : !f->by_pci ? "nvmlDeviceGetHandleByPciBusId_v2" : !f->clock ? "nvmlDeviceGetClockInfo"
                        : !f->reasons ? "nvmlDeviceGetCurrentClocksEventReasons" : nullptr;
  if (missing) {
    reason_ = "NVML in " + library + " lacks " + missing;
  } else if (const nvmlReturn_t rc = f->init(); rc != 0) {
    reason_ = "nvmlInit failed: " + std::string(f->error_string ? f->error_string(rc) : std::to_string(rc));
  } else {
    lib_ = lib;
    fns_ = f;
    reason_ = "NVML loaded, no device opened";
    return;
  }
  delete f;
  ::dlclose(lib);
}

Nvml::~Nvml() {
  if (lib_) {
    fns_->shutdown();
    ::dlclose(lib_);
  }
  delete fns_;
}

namespace {
std::string describe(const char* (*error_string)(int), int rc) {
  return error_string ? error_string(rc) : "NVML error " + std::to_string(rc);
}
}  // namespace

bool Nvml::open_by_pci_bus_id(const std::string& bus_id) {
  if (!lib_) return false;
  nvmlDevice_t d = nullptr;
  if (const int rc = fns_->by_pci(bus_id.c_str(), &d); rc != 0) {
    reason_ = "NVML has no device at PCI " + bus_id + ": " + describe(fns_->error_string, rc);
    return false;
  }
  device_ = d;
  reason_.clear();
  return true;
}

bool Nvml::open_by_index(unsigned index) {
  if (!lib_) return false;
  nvmlDevice_t d = nullptr;
  if (const int rc = fns_->by_index(index, &d); rc != 0) {
    reason_ = "NVML has no device " + std::to_string(index) + ": " + describe(fns_->error_string, rc);
    return false;
  }
  device_ = d;
  reason_.clear();
  return true;
}

std::optional<ClockReading> Nvml::read() {
  if (!available()) return std::nullopt;
  ClockReading r;
  unsigned long long bits = 0;
  int rc = fns_->clock(device_, kClockSm, &r.sm_mhz);
  if (rc == 0) rc = fns_->clock(device_, kClockMem, &r.mem_mhz);
  if (rc == 0) rc = fns_->reasons(device_, &bits);
  if (rc != 0) {
    reason_ = "NVML clock query failed: " + describe(fns_->error_string, rc);
    return std::nullopt;
  }
  r.reasons = bits;
  unsigned v = 0;
  if (fns_->temperature && fns_->temperature(device_, kTemperatureGpu, &v) == 0) r.temperature_c = v;
  if (fns_->power_mw && fns_->power_mw(device_, &v) == 0) r.power_w = v / 1000.0;
  return r;
}

}  // namespace elubench::bench
