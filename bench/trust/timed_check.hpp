// The timed calls are checked too, not only the first call: a kernel that is right once and
// then does nothing (or caches, or races) must not get a number.
//
// What is checked: the output of the last timed call of the last repetition, in full, against
// the float64 reference, after every repetition has run. A GPU row whose last output is byte for
// byte its first call's (the same 64-bit digest, output_digest) skips the float64 pass: that
// output already passed it, and a 2^28 row's second check would cost a second of host time.
// Before each timed loop (outside the timed region: Google Benchmark times only the
// `for (auto _ : st)` loop) the output buffer is poisoned, so the output that is checked was written by that loop's calls and not left over
// from the checked first call. Why the last call and not every k-th sample: the samples of one
// loop all write the same buffer, so only the last call's output survives to be read, and
// reading or poisoning inside the loop would be timed. One full check per row costs what the
// pre-timing check costs; checking after every repetition would multiply it by the repetitions.
// What every timed loop of a CPU row gets instead, right after it (outside the timed region): its
// poisoned elements checked against the reference (about 1 element in 1000, and 8 KiB), the
// canaries around its output, and whether it wrote into a (read-only) input (buffers/guards.hpp):
// each repetition, which the journal keeps as it comes, was taken by calls seen writing what they
// should and nothing else. GPU rows look at their device buffers at the first call and after
// their samples.
//
// How it is poisoned: GPU rows memset the whole output (a fraction of one kernel's time; in cold
// mode the L2 flush before each sample evicts it). CPU rows poison the first and last 4 KiB and
// one element per 4 KiB page in between: a call that writes nothing, skips its head or tail, or
// skips a page is caught, and the timed call finds at most 1 line in 64 of its output dirtied
// by the poison, where a full memset would leave the cache state of a large row changed. GPU
// rows poison from inside the sampler, after its untimed warm-up and calibration calls, so
// only timed calls can write what is checked.
#pragma once

#include <cstdint>
#include <string>

#include "plan/row_buffers.hpp"
#include "plan/shared_buffers.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// Before each timed loop, outside the timed region: poisons the row's output as described above.
void poison_output(const Row& row, RowBuffers& b);

// Writes outside what the row may write: the first one described, or empty. The output's
// canaries, a write into a read-only host input, and with full the device buffers (canaries,
// and the inputs compared with their host copies).
std::string writes_outside(const Row& row, const RowBuffers& b, bool full);

// Marks the row failed with `why` and puts the shared inputs and the device canaries back as
// they were, so the rows after it read what they should.
void fail_for_writing_outside(Row& row, RowBuffers& b, SharedBuffers& shared, const std::string& why);

// Writes outside (writes_outside, not full): false and the row failed (fail_for_writing_outside).
bool passes_writes_outside(Row& row, RowBuffers& b, SharedBuffers& shared);

// After a CPU row's timed loop: writes outside, and its poisoned elements against the reference.
// False: the row is failed, with the reason.
bool check_timed_loop(Row& row, RowBuffers& b, SharedBuffers& shared);

// After the last repetition: writes outside, and the whole output of the last timed call against
// the reference (a GPU row's: skipped when its digest is first_output_digest, the checked first
// call's). False: the row is failed, with the reason.
bool check_last_timed_call(Row& row, RowBuffers& b, SharedBuffers& shared, std::uint64_t first_output_digest);

}  // namespace elubench::bench
