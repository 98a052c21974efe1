// Where a results file goes and how it gets there: never over an existing file unless asked,
// never half-written.
#pragma once

#include <string>

namespace elubench::bench {

// "results/<hostname>-<UTC time>.json" under dir, with "-2", "-3"... when that name exists,
// so repeated runs never collide.
std::string default_out_path(const std::string& dir, const std::string& hostname, const std::string& utc_compact);

// Refuses (UsageError) an existing path unless force, and a directory that does not exist.
// Called before any work so that a bad --out costs nothing.
void check_out_path(const std::string& path, bool force);

// Writes text to a temporary file in path's directory, flushes it, then moves it into place:
// rename() with force, link() without (fails if path appeared meanwhile, so nothing is ever
// overwritten silently). Readers never see a half-written file. Throws std::runtime_error.
void write_atomically(const std::string& path, const std::string& text, bool force);

}  // namespace elubench::bench
