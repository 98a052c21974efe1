// The elubench command line: our flags, parsed into Options (cli/options.hpp) and checked before
// any work. Google Benchmark's own `--benchmark_*` flags are set aside untouched and handed to
// benchmark::Initialize.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "elubench/registry.hpp"

namespace elubench::bench {

// One command-line flag, the one place it is described: the usage text and the parser are both
// generated from the table of these (flags()). `apply` puts a given value into Options and
// throws UsageError with one line when it is malformed; a switch gets an empty value.
struct Flag {
  std::string_view name;    // "--sizes"
  std::string_view syntax;  // what its value looks like ("SPEC"); empty for a switch
  std::string_view help;    // the usage text; '\n' starts another line
  void (*apply)(const std::string& value, Options& o);
  std::string_view alias = {};  // another spelling ("-h")
  bool repeatable = false;      // may be given more than once (--param), each value applied in turn
};
// Every flag, in the order of the usage text (and in which the values are applied).
std::span<const Flag> flags();

// Parses argv (argv[0] is the program). Throws UsageError with one line on bad input.
// Checks names against the registry, so `--variant typo` fails here.
Options parse_args(int argc, const char* const* argv);

// argv without the flags named (and their values, whichever spelling: "--out F" or "--out=F"),
// for the command line of a run derived from this one (--gpu all runs one per GPU).
std::vector<std::string> without_flags(const std::vector<std::string>& argv, const std::vector<std::string>& names);

// "1024", "2^20", comma lists of those, and the range "2^10:2^28:x4" (start, end, factor).
// Every size is >= 1. Throws UsageError.
std::vector<std::size_t> parse_sizes(const std::string& spec);

// The sizes a device runs when --sizes is not given (GPU 2^10..2^28, CPU 2^10..2^26, x4;
// --quick: 2^12, 2^16, 2^20).
std::vector<std::size_t> default_sizes(Device d, bool quick);

// Thread counts for CPU rows: the --threads list with "all" resolved, duplicates removed.
std::vector<int> resolve_threads(const Options& o, int hardware_threads);

std::string usage();

}  // namespace elubench::bench
