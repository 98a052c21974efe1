// NVML (the driver's libnvidia-ml) loaded with dlopen at run time, so that elubench starts and
// runs where it is absent (a container without the driver's utilities, a machine without a
// GPU): then every GPU row's clock fields are null and say why. Only the handful of queries the
// rows record are used; their C signatures are declared here instead of including nvml.h, which
// the CUDA toolkit does not always ship.
#pragma once

#include <optional>
#include <string>

#include "timing/clocks.hpp"

namespace elubench::bench {

class Nvml {
 public:
  // Loads `library` and calls nvmlInit. Never throws: available() is false with reason().
  explicit Nvml(const std::string& library = "libnvidia-ml.so.1");
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  bool available() const { return lib_ != nullptr && device_ != nullptr; }
  bool loaded() const { return lib_ != nullptr; }
  const std::string& reason() const { return reason_; }

  // Picks the device by its PCI bus id as CUDA reports it ("0000:65:00.0"): CUDA and NVML
  // number devices differently (CUDA_VISIBLE_DEVICES, fastest-first order). False + reason().
  bool open_by_pci_bus_id(const std::string& bus_id);
  // For tests and single-GPU machines: NVML's own index.
  bool open_by_index(unsigned index);

  // SM and memory clocks and the throttle reasons are required; temperature and power are
  // optional (some boards refuse them). nullopt + reason() when a required query fails.
  std::optional<ClockReading> read();

 private:
  struct Fns;
  void* lib_ = nullptr;
  void* device_ = nullptr;
  Fns* fns_ = nullptr;
  std::string reason_;
};

}  // namespace elubench::bench
