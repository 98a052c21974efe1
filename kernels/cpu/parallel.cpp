// The thread pool behind parallel_for: workers started once (on the first call that needs
// them) and kept for the life of the process, each waiting on its own cache line for a task.
// A call hands chunks 1..t-1 to workers 1..t-1 and runs chunk 0 itself, then waits until the
// workers have finished. Idle workers and the waiting caller spin briefly before sleeping in
// the kernel (std::atomic::wait, a futex on Linux), as OpenMP runtimes do: the calls of a
// benchmark loop follow each other within microseconds, so the workers are still spinning
// and a hand-off costs a cache-line transfer, not a system call; a pool left idle sleeps.
#include "parallel.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "elubench/cpu.hpp"

namespace elubench::cpu {
namespace {

using Clock = std::chrono::steady_clock;
// Long enough to bridge the gap between two calls of a timed loop (and a caller's wait for a
// worker that was descheduled briefly); short enough that an idle pool gives its cores back
// to the rest of the machine at once.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until value != old or kSpin has passed, then sleeps until it changes. Returns the new value.
int await_change(const std::atomic<int>& a, int old) {
  int v = a.load(std::memory_order_acquire);
  if (v != old) return v;
  const auto until = Clock::now() + kSpin;
  do {
    // Check after every pause: a pause is up to ~140 cycles on recent x86, and checking once
    // per 16 of them cost about a microsecond per hand-off (2^14 f32 ELU on 2 threads ran 1.3x
    // its 1-thread speed instead of 1.7x); the clock is read far less often than that.
    for (int i = 0; i < 256; ++i) {
      relax();
      if ((v = a.load(std::memory_order_acquire)) != old) return v;
    }
  } while (Clock::now() < until);
  while ((v = a.load(std::memory_order_acquire)) == old) a.wait(old, std::memory_order_acquire);
  return v;
}

// One worker's mailbox, alone on its cache line so that handing a task to one worker does not
// disturb another.
struct alignas(64) Slot {
  std::atomic<int> gen{0};  // bumped (release) by the caller once task, ctx and k are set
  detail::Task task = nullptr;
  void* ctx = nullptr;
  int k = 0;
};

class Pool {
 public:
  static Pool& get() {
    static Pool pool;
    return pool;
  }
  ~Pool() {
    stop_.store(true, std::memory_order_release);
    for (auto& s : slots_) {
      s->gen.fetch_add(1, std::memory_order_release);
      s->gen.notify_one();
    }
    for (auto& t : threads_) t.join();
  }

  int run(int t, detail::Task task, void* ctx) {
    std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
    if (!lock.owns_lock()) {
      // Another thread's call holds the workers; never wait for it (it may be the caller of
      // this very call, one level up), run every chunk here instead.
      for (int k = 0; k < t; ++k) task(ctx, k);
      return 1;
    }
    while (static_cast<int>(slots_.size()) < t - 1) {
      slots_.push_back(std::make_unique<Slot>());
      Slot* s = slots_.back().get();
      threads_.emplace_back([this, s] { work(*s); });
    }
    pending_.store(t - 1, std::memory_order_relaxed);  // published by the release below
    for (int k = 1; k < t; ++k) {
      Slot& s = *slots_[k - 1];
      s.task = task;
      s.ctx = ctx;
      s.k = k;
      s.gen.fetch_add(1, std::memory_order_release);
      s.gen.notify_one();  // no system call unless the worker is asleep
    }
    try {
      task(ctx, 0);
    } catch (...) {
      wait_for_workers();  // they still read ctx, which lives in the caller's frame
      throw;
    }
    wait_for_workers();
    return t;
  }

 private:
  void wait_for_workers() {
    for (int left = pending_.load(std::memory_order_acquire); left != 0;) left = await_change(pending_, left);
  }

  void work(Slot& s) {
    int seen = 0;
    for (;;) {
      seen = await_change(s.gen, seen);
      if (stop_.load(std::memory_order_acquire)) return;
      s.task(s.ctx, s.k);
      // acq_rel: the chunk's stores happen before the caller sees the count reach 0.
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  std::mutex busy_;  // held by the one caller whose call the workers are running
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;
  alignas(64) std::atomic<int> pending_{0};  // workers of the current call not yet done
  std::atomic<bool> stop_{false};
};

thread_local int last_threads = 0;

}  // namespace

namespace detail {
int pool_run(int t, Task task, void* ctx) {
  const int used = t <= 1 ? (task(ctx, 0), 1) : Pool::get().run(t, task, ctx);
  last_threads = used;
  return used;
}
void note_threads_used(int t) { last_threads = t; }
}  // namespace detail

int last_call_threads() { return last_threads; }
void reset_last_call_threads() { last_threads = 0; }

}  // namespace elubench::cpu
