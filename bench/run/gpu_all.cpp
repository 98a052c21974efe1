#include "run/gpu_all.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "run/signals.hpp"

namespace elubench::bench {

std::string model_slug(const std::string& gpu_name) {
  std::string s;
  bool dash = false;
  for (char c : gpu_name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (dash && !s.empty()) s += '-';
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      dash = false;
    } else {
      dash = true;
    }
  }
  if (s.rfind("nvidia-", 0) == 0) s = s.substr(7);
  return s.empty() ? "gpu" : s;
}

std::string per_gpu_out(const std::string& out, const GpuTarget& g) {
  const bool json = out.size() > 5 && out.compare(out.size() - 5, 5, ".json") == 0;
  const std::string stem = json ? out.substr(0, out.size() - 5) : out;
  return stem + "-gpu" + std::to_string(g.ordinal) + "-" + model_slug(g.name) + ".json";
}

std::vector<GpuRun> plan_gpu_runs(const std::vector<std::string>& argv, const Options& o, const std::string& out,
                                  const std::vector<GpuTarget>& gpus) {
  const bool with_cpu = o.devices.empty() || std::find(o.devices.begin(), o.devices.end(), Device::cpu) != o.devices.end();
  std::vector<GpuRun> runs;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    GpuRun r{gpus[i], per_gpu_out(out, gpus[i]), {}};
    // The CPU rows once, with the first GPU; the other runs are the GPU's rows only.
    const bool gpu_only = i > 0 && with_cpu;
    std::vector<std::string> drop = {"--gpu", "--out"};
    if (gpu_only) drop.insert(drop.end(), {"--device", "--threads"});
    r.argv = without_flags(argv, drop);
    if (gpu_only) r.argv.insert(r.argv.end(), {"--device", "gpu"});
    r.argv.insert(r.argv.end(), {"--gpu", std::to_string(gpus[i].ordinal), "--out", r.out});
    runs.push_back(std::move(r));
  }
  return runs;
}

int run_gpu_runs(const std::vector<GpuRun>& runs, const std::function<int(const GpuRun&)>& run_child,
                 const std::function<int()>& stop_signal) {
  int worst = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const GpuRun& r = runs[i];
    std::fprintf(stderr, "elubench: --gpu all: run %zu of %zu: GPU %d (%s) -> %s\n", i + 1, runs.size(), r.gpu.ordinal,
                 r.gpu.name.c_str(), r.out.c_str());
    const int rc = run_child(r);
    if (rc >= 128 || stop_signal() != 0) {
      std::fprintf(stderr, "elubench: --gpu all: stopped after GPU %d; %zu GPU(s) not run\n", r.gpu.ordinal,
                   runs.size() - i - 1);
      return rc >= 128 ? rc : 128 + stop_signal();
    }
    if (rc != 0) std::fprintf(stderr, "elubench: --gpu all: the run on GPU %d exited %d\n", r.gpu.ordinal, rc);
    worst = std::max(worst, rc);
  }
  return worst;
}

int exec_child(const GpuRun& run) {
  std::vector<char*> args;
  for (const auto& a : run.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("--gpu all: cannot start a run: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execv("/proc/self/exe", args.data());
    std::fprintf(stderr, "elubench: --gpu all: cannot run /proc/self/exe: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  bool passed_on = false;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error(std::string("--gpu all: waitpid: ") + std::strerror(errno));
    if (const int sig = stop_signal(); sig && !passed_on) {
      ::kill(pid, sig);  // the child stops as its own run would: finished rows written, the rest interrupted
      passed_on = true;
    }
    ::usleep(50'000);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace elubench::bench
