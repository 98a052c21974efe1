// Stopping a run cleanly on SIGINT/SIGTERM: the handler only records the signal; the benchmark
// bodies see it and skip what is left, and main writes the finished rows and marks the rest
// `interrupted`, then exits 128 + the signal. A second signal ends the process at once (the
// journal beside the output still holds every finished row), except during the final write.
#pragma once

namespace elubench::bench {

void install_stop_handlers();
// The first SIGINT/SIGTERM received, 0 if none.
int stop_signal();

// While alive (the final write and rename), a second signal is recorded but does not end the
// process, so nothing can stop it between creating the temporary file and renaming or
// removing it. A flag, not a signal mask: the worker threads of the CPU pool would still take
// a process-directed signal that the main thread blocks.
class DeferStopSignals {
 public:
  DeferStopSignals();
  ~DeferStopSignals();
  DeferStopSignals(const DeferStopSignals&) = delete;
  DeferStopSignals& operator=(const DeferStopSignals&) = delete;
};

}  // namespace elubench::bench
