#include "run/repetitions.hpp"

#include <cstdlib>

namespace elubench::bench {

void RepetitionLog::starting(const Row& row, long long iterations) {
  if (!last_) return;
  const Call last = *last_;
  if (last.row == &row && iterations > last.iterations) return;  // the same first repetition grows
  last_.reset();
  if (last.row->status != Status::pending) return;  // the row failed: none of its samples count
  if (warmup_ && last.row == &row && warmed_.insert(&row).second) return;  // the warm-up ended
  sink_(*last.row, last.seconds_per_call);
}

void RepetitionLog::ended(const Row& row, long long iterations, double seconds_per_call) {
  last_ = Call{&row, iterations, seconds_per_call};
}

void RepetitionLog::reported(const Row& row) {
  if (last_ && last_->row == &row) last_.reset();
}

bool warmup_requested(const std::vector<std::string>& benchmark_args) {
  static const std::string flag = "--benchmark_min_warmup_time=";
  double seconds = 0;
  for (const auto& a : benchmark_args)
    if (a.rfind(flag, 0) == 0) seconds = std::strtod(a.c_str() + flag.size(), nullptr);
  return seconds > 0;
}

}  // namespace elubench::bench
