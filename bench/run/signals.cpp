#include "run/signals.hpp"

#include <signal.h>

namespace elubench::bench {

namespace {
volatile sig_atomic_t g_signal = 0;
volatile sig_atomic_t g_hold = 0;

extern "C" void on_stop(int sig) {
  if (g_signal == 0) {
    g_signal = sig;
    return;
  }
  if (g_hold) return;
  // Second signal: the user means it. Default action, re-raised (the signal is blocked while
  // this handler runs and is delivered on return).
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // a write() or fsync() in flight goes on instead of failing with EINTR
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() { return g_signal; }

DeferStopSignals::DeferStopSignals() { g_hold = 1; }
DeferStopSignals::~DeferStopSignals() { g_hold = 0; }

}  // namespace elubench::bench
