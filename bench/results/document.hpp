// The whole results document (results/schema.json): the run's description (tool, host, GPU,
// build, config), the ceilings and the rows. make_document is the one place that assembles it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "elubench/gpu.hpp"
#include "results/ceilings.hpp"
#include "results/gpu_record.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// The schema_version this build writes (results/schema.json lists every version; a test holds
// this to the newest there). Raise it when a field changes meaning or a required field is added.
inline constexpr int kSchemaVersion = 5;

// What the document says about the run besides its rows and ceilings. make_document writes
// every block from it (tool, host, gpu, build, config): nothing else assembles the document.
struct RunInfo {
  std::string created_utc;                    // ISO 8601, e.g. 2026-01-01T00:00:00Z
  std::string hostname;
  int cores = 1;                              // hardware threads of the host
  std::optional<gpu::Info> gpu;               // the GPU the rows ran on; nullopt: "gpu": null
  Options options;                            // the run's options (--resume: the recorded ones)
  std::vector<std::string> argv;              // the run's own command line, for --resume
  std::optional<GpuTimingSetup> gpu_timing;   // how GPU rows were timed; nullopt: none ran
};

nlohmann::json make_document(const RunInfo& info, const std::vector<Ceiling>& ceilings, const std::vector<Row>& rows);

// config.gpu_timing: how every GPU row of the run was timed.
nlohmann::json gpu_timing_setup_to_json(const GpuTimingSetup& s);

}  // namespace elubench::bench
