// --gpu all on a node with several GPUs: one run per GPU, one after another (never two at once:
// they would compete for the host and its memory bandwidth), each a child elubench with the
// same flags plus --gpu N and --out OUT-gpuN-MODEL.json next to OUT, so that every file is
// exactly what `elubench --gpu N` writes and resumes like one. CPU rows run once, in the first
// GPU's file: the other children get --device gpu (and lose --threads, which it refuses).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/parse.hpp"

namespace elubench::bench {

struct GpuTarget {
  int ordinal = 0;
  std::string name;  // as the runtime reports it, e.g. "NVIDIA H200"
};

// "NVIDIA H200" -> "h200", "NVIDIA A100-SXM4-80GB" -> "a100-sxm4-80gb": lower case, the vendor
// dropped, every other run of characters that is not a letter or digit one '-'.
std::string model_slug(const std::string& gpu_name);

// "dir/run.json" -> "dir/run-gpu0-h200.json" (a path without ".json" gets the suffix appended).
std::string per_gpu_out(const std::string& out, const GpuTarget& g);

struct GpuRun {
  GpuTarget gpu;
  std::string out;
  std::vector<std::string> argv;  // the child's command line, argv[0] included
};

// The runs for `argv` (the command line given, with --gpu all) over the GPUs present.
std::vector<GpuRun> plan_gpu_runs(const std::vector<std::string>& argv, const Options& o, const std::string& out,
                                  const std::vector<GpuTarget>& gpus);

// Runs them in order through run_child (exec_child in the binary, a fake in the tests), saying
// on stderr which GPU goes where. Stops after a run that a signal ended (exit >= 128) or when a
// stop signal reached this process, and returns that exit code; otherwise the largest exit code
// of the runs (0 all well, 1 a failed row or a lost write, 2 refused input).
int run_gpu_runs(const std::vector<GpuRun>& runs, const std::function<int(const GpuRun&)>& run_child,
                 const std::function<int()>& stop_signal);

// Starts this binary (/proc/self/exe) with run.argv in its own process group (a terminal's ^C
// reaches this process only, which passes the first SIGINT/SIGTERM on once), waits for it, and
// returns its exit code (128 + the signal when a signal ended it).
int exec_child(const GpuRun& run);

}  // namespace elubench::bench
