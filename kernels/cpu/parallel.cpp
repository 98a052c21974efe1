// The thread pool behind parallel_for: workers started once (on the first call that needs
// them) and kept for the life of the process, each waiting on its own cache line for a task.
// A call hands chunks 1..t-1 to workers 1..t-1 and runs chunk 0 itself, then waits until the
// workers have finished. Idle workers and the waiting caller spin briefly before sleeping in
// the kernel (std::atomic::wait, a futex on Linux), as OpenMP runtimes do: the calls of a
// benchmark loop follow each other within microseconds, so the workers are still spinning
// and a hand-off costs a cache line each way, not a system call; a pool left idle sleeps.
// The pool also measures what a hand-off costs, and parallel_for what each call site's calls
// cost on one thread and split (parallel.hpp plans each call from both).
#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "elubench/cpu.hpp"

namespace elubench::cpu {

Plan plan_for(std::size_t n, int threads, double one_cost, double split_cost, double handoff) {
  const std::size_t most = std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), n / kChunkAlign);
  if (most <= 1) return {1, 0};
  const auto t = static_cast<int>(most);
  if (one_cost <= 0) return n >= kAlwaysSplitFrom ? Plan{t, 0} : Plan{1, 0};
  const double work = static_cast<double>(n) * one_cost;
  const auto lead = static_cast<std::size_t>(std::min(std::max(handoff, 0.0) / one_cost, static_cast<double>(n) / 2));
  const bool split = split_cost > 0 ? split_cost < one_cost
                                    : handoff > 0 && (work + (t - 1) * handoff) / t <= 0.8 * work;
  return split ? Plan{t, lead} : Plan{1, 0};
}

Range chunk_of(std::size_t n, int t, int k, std::size_t lead) {
  const auto align_up = [](std::size_t v) { return (v + kChunkAlign - 1) / kChunkAlign * kChunkAlign; };
  const std::size_t parts = static_cast<std::size_t>(std::max(t, 1)), kk = static_cast<std::size_t>(k);
  if (parts == 1) return {0, n};
  lead = std::min(lead, n);
  const std::size_t first = std::min(n, align_up((n - lead + parts - 1) / parts + lead));
  if (kk == 0) return {0, first};
  const std::size_t per = align_up((n - first + parts - 2) / (parts - 1));
  const std::size_t b = std::min(n, first + (kk - 1) * per);
  return {b, kk + 1 == parts ? n : std::min(n, b + per)};
}

namespace {

using Clock = std::chrono::steady_clock;
// Long enough to bridge the gap between two calls of a timed loop (and a caller's wait for a
// worker that was descheduled briefly); short enough that an idle pool gives its cores back
// to the rest of the machine at once.
constexpr auto kSpin = std::chrono::microseconds(200);
// The first part of it spins on PAUSE alone (the hand-off when both threads have a core); after
// that each round also yields, so that where the other thread waits for this very core (a
// machine busy with other work) it runs at once instead of after the whole spin (measured on
// the loaded 2-vCPU VM: 400 us per 2-thread call with pure spinning, both threads taking turns).
constexpr auto kPureSpin = std::chrono::microseconds(5);

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
  const auto start = Clock::now();
  for (auto now = start; now < start + kSpin; now = Clock::now()) {
    // Check after every pause: a pause is up to ~140 cycles on recent x86, and checking once
    // per 16 of them cost about a microsecond per hand-off (2^14 f32 ELU on 2 threads ran 1.3x
    // its 1-thread speed instead of 1.7x); the clock is read far less often than that.
    for (int i = 0; i < 64; ++i) {
      relax();
      if ((v = a.load(std::memory_order_acquire)) != old) return v;
    }
    if (now > start + kPureSpin) std::this_thread::yield();
  }
  while ((v = a.load(std::memory_order_acquire)) == old) a.wait(old, std::memory_order_acquire);
  return v;
}

// One worker's mailbox, alone on its cache line: the caller writes the task and bumps gen, the
// worker answers in done on the same line (one line travels each way per hand-off).
struct alignas(64) Slot {
  std::atomic<int> gen{0};   // bumped (release) by the caller once task, ctx and k are set
  std::atomic<int> done{0};  // set to gen (release) by the worker when the task has returned
  detail::Task task = nullptr;
  void* ctx = nullptr;
  int k = 0;
  std::uint64_t started = 0, ended = 0;  // the worker's ticks, for the hand-off measurement
};

}  // namespace

namespace detail {
std::uint64_t ticks() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();  // a few cycles, constant-rate and synchronized across cores on current x86
#else
  const auto since = Clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since).count());
#endif
}
}  // namespace detail

namespace {

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
    grow(t - 1);
    if (wake_.load(std::memory_order_relaxed) == 0) calibrate();
    const std::uint64_t published = detail::ticks();
    publish(t, task, ctx);
    try {
      task(ctx, 0);
    } catch (...) {
      wait_for_workers(t);  // they still read ctx, which lives in the caller's frame
      throw;
    }
    wait_for_workers(t);
    // A worker's start latency, refreshed by every call (the signal back is the calibration's:
    // the caller is usually still busy when the worker ends, so it cannot see that delay).
    const Slot& s = *slots_[0];
    if (s.started >= published) blend(wake_, static_cast<double>(s.started - published));
    return t;
  }

  // Ticks from publishing a chunk to a worker starting it, plus from its end to the caller
  // seeing it; 0 while unknown and the pool is busy with another caller.
  double handoff() {
    if (wake_.load(std::memory_order_relaxed) == 0) {
      std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
      if (!lock.owns_lock()) return 0;
      grow(1);
      if (wake_.load(std::memory_order_relaxed) == 0) calibrate();
    }
    return wake_.load(std::memory_order_relaxed) + signal_.load(std::memory_order_relaxed);
  }

 private:
  void grow(int workers) {
    while (static_cast<int>(slots_.size()) < workers) {
      slots_.push_back(std::make_unique<Slot>());
      Slot* s = slots_.back().get();
      threads_.emplace_back([this, s] { work(*s); });
    }
  }

  void publish(int t, detail::Task task, void* ctx) {
    for (int k = 1; k < t; ++k) {
      Slot& s = *slots_[k - 1];
      s.task = task;
      s.ctx = ctx;
      s.k = k;
      s.gen.fetch_add(1, std::memory_order_release);
      s.gen.notify_one();  // no system call unless the worker is asleep
    }
  }

  void wait_for_workers(int t) {
    for (int k = 1; k < t; ++k) {
      Slot& s = *slots_[k - 1];
      const int want = s.gen.load(std::memory_order_relaxed);
      for (int d = s.done.load(std::memory_order_acquire); d != want;) d = await_change(s.done, d);
    }
  }

  // The median of 31 empty hand-offs to worker 1, split into its wake and signal parts.
  void calibrate() {
    std::vector<double> wake, signal;
    for (int i = 0; i < 31; ++i) {
      const std::uint64_t published = detail::ticks();
      publish(2, [](void*, int) {}, nullptr);
      wait_for_workers(2);
      const std::uint64_t seen = detail::ticks();
      const Slot& s = *slots_[0];
      if (s.started < published || s.ended < s.started || seen < s.ended) continue;  // clocks out of order
      wake.push_back(static_cast<double>(s.started - published));
      signal.push_back(static_cast<double>(seen - s.ended));
    }
    const auto median = [](std::vector<double>& v) {
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      return v.empty() ? 1.0 : std::max(1.0, v[v.size() / 2]);
    };
    signal_.store(median(signal), std::memory_order_relaxed);
    wake_.store(median(wake), std::memory_order_relaxed);
  }

  // An average over the last ~8 calls; one sample moves it at most 4x either way, so a worker
  // woken from sleep (tens of microseconds) does not stop the splitting of the next calls.
  static void blend(std::atomic<double>& avg, double sample) {
    const double old = avg.load(std::memory_order_relaxed);
    avg.store(old + (std::clamp(sample, old / 4, old * 4) - old) / 8, std::memory_order_relaxed);
  }

  void work(Slot& s) {
    int seen = 0;
    for (;;) {
      seen = await_change(s.gen, seen);
      if (stop_.load(std::memory_order_acquire)) return;
      s.started = detail::ticks();
      s.task(s.ctx, s.k);
      s.ended = detail::ticks();
      // release: the chunk's stores happen before the caller sees done.
      s.done.store(seen, std::memory_order_release);
      s.done.notify_one();
    }
  }

  std::mutex busy_;  // held by the one caller whose call the workers are running
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<double> wake_{0}, signal_{0};
};

thread_local int last_threads = 0;

}  // namespace

namespace detail {
namespace {
constexpr int kCheckRun = 4;  // calls in a run of the choice not taken
int size_class(std::size_t n) { return std::min(Site::kClasses - 1, static_cast<int>(std::bit_width(n)) - 1); }

// A running estimate that falls fast and rises slowly: the first sample as is, then half way
// down to a faster one, an eighth of the way up to a slower one (at most 4x). A call's time only
// grows with interference (a descheduled thread, a worker woken from sleep), so this follows
// the undisturbed time, and still moves up within ~10 calls when the machine gets busier.
void blend(std::atomic<float>& avg, double sample) {
  const double old = avg.load(std::memory_order_relaxed);
  const double next = old == 0      ? sample
                      : sample < old ? (old + sample) / 2
                                     : old + (std::min(sample, 4 * old) - old) / 8;
  avg.store(static_cast<float>(next), std::memory_order_relaxed);
}

// How many calls until the choice not taken is checked again (see Site).
// At least 256: a run of one-thread calls pulls the worker's half of the data into the caller's
// cache, and the splits after it are slower until the worker has it back.
std::uint32_t check_every(double one, double split) {
  if (one <= 0 || split <= 0) return 16;
  const double ratio = std::max(one, split) / std::min(one, split);
  return static_cast<std::uint32_t>(std::clamp(64.0 * kCheckRun * (ratio - 1), 256.0, 1048576.0));
}
}  // namespace

Decision decide(Site& s, std::size_t n, int threads) {
  if (threads <= 1 || n < 2 * kChunkAlign) return {{1, 0}, false};
  const int c = size_class(n);
  const double one = s.one[c].load(std::memory_order_relaxed), split = s.split[c].load(std::memory_order_relaxed);
  const double handoff = one > 0 ? Pool::get().handoff() : 0.0;
  // Work below a hand-off cannot gain from a split: no bookkeeping for it (a 2^12 ReLU is 0.2 us).
  if (one > 0 && static_cast<double>(n) * one < handoff) return {{1, 0}, false};
  const Plan chosen = plan_for(n, threads, one, split, handoff);
  const std::uint32_t k = s.calls[c].fetch_add(1, std::memory_order_relaxed) + 1;
  int left = s.run[c].load(std::memory_order_relaxed);
  const bool first_split = split == 0 && chosen.threads > 1;
  if (left == 0 && one > 0 && (first_split || k >= s.next_check[c].load(std::memory_order_relaxed))) {
    s.next_check[c].store(k + check_every(one, split), std::memory_order_relaxed);
    left = chosen.threads > 1 && !first_split ? -kCheckRun : kCheckRun;  // the other choice's run
  }
  Plan p = chosen;
  if (left != 0) {
    s.run[c].store(left > 0 ? left - 1 : left + 1, std::memory_order_relaxed);
    p = left > 0 ? plan_for(n, threads, one, one / 2, handoff) : Plan{1, 0};
  }
  return {p, p.threads > 1 || one == 0 || k <= 64 || k % 16 == 0};
}

void record(Site& s, std::size_t n, int threads_used, std::uint64_t elapsed) {
  const int c = size_class(n);
  blend(threads_used > 1 ? s.split[c] : s.one[c], static_cast<double>(elapsed) / static_cast<double>(n));
}

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
