#include "results/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "build_info.hpp"
#include "results/row_json.hpp"

namespace elubench::bench {

std::string journal_path(const std::string& out) { return out + ".journal"; }

namespace {
// CRC-32 (the zlib / PNG polynomial), so that `python3 -c "import zlib; zlib.crc32(...)"` agrees.
std::uint32_t crc32(const std::string& s) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : s) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// A write lock on the whole file (fcntl, so that another process can ask who holds it).
struct flock whole_file(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  return l;
}

std::string in_use(const std::string& path, long pid) {
  return "journal '" + path + "' is in use by a running elubench (pid " + std::to_string(pid) +
         "): let it finish, or stop it (it then writes what it finished)";
}
}  // namespace

long journal_holder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock l = whole_file(F_WRLCK);
  const long pid = ::fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK ? l.l_pid : 0;
  ::close(fd);  // never the journal this process holds: closing it would drop that lock
  return pid;
}

std::string journal_line(const nlohmann::json& j) {
  const std::string text = j.dump();
  char sum[16];
  std::snprintf(sum, sizeof sum, "%08x ", crc32(text));
  return sum + text;
}

Journal::Journal(const std::string& path, const nlohmann::json& header, bool append)
    : path_(path), created_(!append) {
  const int flags = O_RDWR | O_CLOEXEC | O_APPEND | (append ? 0 : O_CREAT | O_EXCL);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) {
    if (errno == EEXIST) {
      if (const long pid = journal_holder(path)) throw UsageError(in_use(path, pid));
      throw UsageError("journal '" + path + "' exists: an earlier run's rows; --resume it or remove it");
    }
    throw UsageError("cannot open the journal '" + path + "': " + std::strerror(errno));
  }
  lock();
  if (append) cut_torn_tail();
  else write_line(journal_line(header));
  if (!ok_) throw UsageError("cannot write the journal '" + path + "'");
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::lock() {
  struct flock l = whole_file(F_WRLCK);
  if (::fcntl(fd_, F_SETLK, &l) == 0) return;
  const int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (err == EACCES || err == EAGAIN) throw UsageError(in_use(path_, journal_holder(path_)));
  throw UsageError("cannot lock the journal '" + path_ + "': " + std::strerror(err));
}

// A line torn by a crash or a full disk ends the file without its newline: cut back to the last
// one, so that the first line appended starts a line of its own (glued onto the fragment, it
// would make a bad line in the middle of the journal).
void Journal::cut_torn_tail() {
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  off_t keep = size;
  char buf[4096];
  while (keep > 0) {
    const off_t from = std::max<off_t>(0, keep - static_cast<off_t>(sizeof buf));
    const ssize_t got = ::pread(fd_, buf, static_cast<std::size_t>(keep - from), from);
    if (got <= 0) break;
    const char* nl = static_cast<const char*>(::memrchr(buf, '\n', static_cast<std::size_t>(got)));
    if (nl) {
      keep = from + (nl - buf) + 1;
      break;
    }
    keep = from;
  }
  if (keep == size) return;
  if (::ftruncate(fd_, keep) != 0) ok_ = false;
  std::fprintf(stderr, "elubench: %s: cut off a torn last line (%lld bytes) before appending\n", path_.c_str(),
               static_cast<long long>(size - keep));
}

void Journal::write_line(const std::string& text, bool sync) {
  const std::string line = text + "\n";
  std::size_t done = 0;
  while (ok_ && done < line.size()) {
    const ssize_t w = ::write(fd_, line.data() + done, line.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) ok_ = false;
    else done += static_cast<std::size_t>(w);
  }
  if (ok_ && sync && ::fsync(fd_) != 0) ok_ = false;
  if (!ok_) {
    std::fprintf(stderr, "elubench: warning: cannot write the journal %s (%s); the run goes on, its rows are kept in memory\n",
                 path_.c_str(), std::strerror(errno));
    // A torn last line is possible: load_resume skips it, and a resumed run cuts it off.
  }
}

void Journal::append(const nlohmann::json& row) {
  if (ok_) write_line(journal_line(row));
}

void Journal::append_sample(const std::string& row_label, double seconds) {
  // Not fsync'd (a run writes thousands): in the page cache, it outlives the process (a signal,
  // kill -9, the OOM killer); the next row's fsync takes it to the disk.
  if (ok_) write_line(journal_line({{"sample", {{"row", row_label}, {"s", seconds}}}}), false);
}

void Journal::remove() {
  // Unlinked before closed: the lock holds until the name is gone.
  if (fd_ >= 0) ::unlink(path_.c_str());
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {
// A journal line's JSON (version 2: after its checksum, which must match), or nullopt with why.
std::optional<nlohmann::json> parse_line(const std::string& line, int version, std::string* why) {
  std::string text = line;
  if (version >= 2) {
    char* end = nullptr;
    const unsigned long sum = line.size() > 9 && line[8] == ' ' ? std::strtoul(line.substr(0, 8).c_str(), &end, 16) : 0;
    text = line.size() > 9 ? line.substr(9) : std::string();
    if (!end || *end != '\0' || sum != crc32(text)) {
      *why = "its checksum does not match its content (a damaged or torn line)";
      return std::nullopt;
    }
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    *why = "it is not JSON (a torn line)";
    return std::nullopt;
  }
}

void warn_skipped(const std::string& file, std::size_t line_no, const std::string& why) {
  std::fprintf(stderr, "elubench: warning: --resume: %s line %zu skipped: %s; its row runs again\n", file.c_str(), line_no,
               why.c_str());
}

// A repetition line's sample into partial, or false when it is not one a run could have written.
bool take_sample(const nlohmann::json& j, std::map<std::string, std::vector<double>>& partial) {
  const auto& sample = j.at("sample");
  if (!sample.is_object() || !sample.contains("row") || !sample.at("row").is_string() || !sample.contains("s") ||
      !sample.at("s").is_number())
    return false;
  const double seconds = sample.at("s").get<double>();
  if (!std::isfinite(seconds) || seconds <= 0) return false;
  partial[sample.at("row").get<std::string>()].push_back(seconds);
  return true;
}

// The lines after a journal's header: finished rows into s.done (rows_too), repetitions into
// s.partial when the journal is this build's (a row's samples come from one build).
void read_journal_lines(std::istream& in, const std::string& file, int version, bool same_build, bool rows_too,
                        ResumeState& s) {
  std::map<std::string, std::vector<double>> partial;
  std::string line, why;
  for (std::size_t no = 2; std::getline(in, line); ++no) {
    const auto j = parse_line(line, version, &why);
    if (!j) {
      warn_skipped(file, no, why);
      continue;
    }
    if (j->is_object() && j->contains("sample")) {
      if (!take_sample(*j, partial)) warn_skipped(file, no, "a repetition line without a row and a positive time");
      continue;
    }
    Row r = row_from_json(*j);  // a well-formed line naming an unknown variant is refused
    if (rows_too && r.status != Status::interrupted) s.done.push_back(std::move(r));
  }
  if (!same_build && !partial.empty())
    std::fprintf(stderr, "elubench: warning: --resume: %s: the repetitions of %zu unfinished rows are from another build; "
                 "those rows run again in full\n", file.c_str(), partial.size());
  if (same_build) s.partial = std::move(partial);
}

// The header of a journal (version 1: plain JSON; 2: with a checksum), or nullopt: not a journal.
std::optional<nlohmann::json> journal_header(const std::string& first, int* version) {
  std::string why;
  for (int v : {2, 1}) {
    const auto j = parse_line(first, v, &why);
    if (j && j->is_object() && j->contains("elubench_journal")) {
      *version = v;
      return j;
    }
  }
  return std::nullopt;
}

void refuse_if_held(const std::string& journal) {
  if (const long pid = journal_holder(journal)) throw UsageError(in_use(journal, pid));
}

// The journal at path: its header's argv and out, and what its lines hold.
bool read_journal(const std::string& path, ResumeState& s, bool rows_too) {
  std::ifstream in(path);
  std::string first;
  int version = 0;
  if (!in || !std::getline(in, first)) return false;
  const auto head = journal_header(first, &version);
  if (!head) return false;
  if (version > 2 || head->at("elubench_journal") != version)
    throw UsageError("--resume: '" + path + "' is a journal of another elubench version");
  s.argv = json_field<std::vector<std::string>>(*head, "argv", "journal header");
  s.out = json_field<std::string>(*head, "out", "journal header");
  const bool same_build = head->value("revision", std::string()) == build_info::git_revision;
  read_journal_lines(in, path, version, same_build, rows_too, s);
  return true;
}

// A results file: its recorded argv and its finished rows; and its journal's repetitions when a
// journal of the same run is beside it (the run was interrupted).
ResumeState read_results_file(const std::string& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(all.str());
  } catch (const nlohmann::json::exception&) {
    throw UsageError("--resume: '" + file + "' is neither an elubench results file nor a journal");
  }
  if (!doc.is_object() || doc.value("schema", "") != "elubench-results")
    throw UsageError("--resume: '" + file + "' is not an elubench results file");
  const auto& config = doc.at("config");
  if (!config.contains("argv"))
    throw UsageError("--resume: '" + file + "' was written by an elubench without --resume support (no config.argv)");
  ResumeState s;
  s.argv = json_field<std::vector<std::string>>(config, "argv", "config");
  s.out = file;
  for (const auto& row : json_field<nlohmann::json>(doc, "results", "results file")) {
    Row r = row_from_json(row);
    if (r.status != Status::interrupted) s.done.push_back(std::move(r));
  }
  const std::string journal = journal_path(file);
  if (::access(journal.c_str(), F_OK) != 0) return s;
  refuse_if_held(journal);
  ResumeState j;
  if (!read_journal(journal, j, false) || j.argv != s.argv)
    throw UsageError("--resume: '" + journal + "' beside '" + file + "' is not this run's journal: move it away");
  s.partial = std::move(j.partial);
  s.journal = journal;
  return s;
}
}  // namespace

ResumeState load_resume(const std::string& file) {
  if (!std::ifstream(file)) throw UsageError("--resume: cannot read '" + file + "'");
  refuse_if_held(file);
  ResumeState s;
  if (read_journal(file, s, true)) {
    s.from_journal = true;
    s.journal = file;
    // An interrupted run wrote its results file and kept this journal beside it: complete that
    // file, as --resume OUT does (its finished rows are the file's, the repetitions the journal's).
    if (journal_path(s.out) == file && ::access(s.out.c_str(), F_OK) == 0) s = read_results_file(s.out);
  } else {
    s = read_results_file(file);
  }
  // A row that finished has its samples in its row line: its repetition lines are history.
  for (const Row& r : s.done) s.partial.erase(r.label());
  return s;
}

}  // namespace elubench::bench
