#include "journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "selectable.hpp"

namespace elubench::bench {

std::string journal_path(const std::string& out) { return out + ".journal"; }

Journal::Journal(const std::string& path, const nlohmann::json& header, bool append) : path_(path) {
  const int flags = O_WRONLY | O_CLOEXEC | O_APPEND | (append ? 0 : O_CREAT | O_EXCL);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) {
    if (errno == EEXIST)
      throw UsageError("journal '" + path + "' exists: an earlier run's rows; --resume it or remove it");
    throw UsageError("cannot create the journal '" + path + "': " + std::strerror(errno));
  }
  if (!append) write_line(header.dump());
  if (!ok_) throw UsageError("cannot write the journal '" + path + "'");
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::write_line(const std::string& text) {
  const std::string line = text + "\n";
  std::size_t done = 0;
  while (ok_ && done < line.size()) {
    const ssize_t w = ::write(fd_, line.data() + done, line.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) ok_ = false;
    else done += static_cast<std::size_t>(w);
  }
  if (ok_ && ::fsync(fd_) != 0) ok_ = false;
  if (!ok_) {
    std::fprintf(stderr, "elubench: warning: cannot write the journal %s (%s); the run goes on, its rows are kept in memory\n",
                 path_.c_str(), std::strerror(errno));
    // A torn last line is possible: load_resume ignores a line that does not parse at the end.
  }
}

void Journal::append(const nlohmann::json& row) {
  if (ok_) write_line(row.dump());
}

void Journal::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
}

namespace {
template <class T>
T field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw UsageError(where + ": missing '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw UsageError(where + ": '" + key + "' has the wrong type");
  }
}
double number_or_word(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v == "inf") return INFINITY;
  if (v == "nan") return NAN;
  throw UsageError("accuracy: not a number: " + v.dump());
}
}  // namespace

Row row_from_json(const nlohmann::json& j) {
  const std::string name = field<std::string>(j, "name", "row");
  Row r;
  r.variant = find_selectable(name);
  if (!r.variant) throw UsageError("row " + name + ": not a variant this elubench has (see --list)");
  const std::string where = "row " + name;
  r.n = field<std::size_t>(j, "n", where);
  if (!j.at("threads").is_null()) r.threads = field<int>(j, "threads", where);
  if (j.contains("cache") && !j.at("cache").is_null()) r.cache = field<std::string>(j, "cache", where) == "hot" ? Cache::hot : Cache::cold;
  const std::string input = field<std::string>(j, "input", where);
  r.input = input == "negative" ? Input::negative : input == "positive" ? Input::positive : Input::normal;
  r.alpha = field<float>(j, "alpha", where);
  // Schema 3: the parameters the row's variant read; a row without them (v1/v2) ran at `alpha`.
  if (j.contains("params") && j.at("params").is_object() && j.at("params").contains("alpha"))
    r.alpha = field<float>(j.at("params"), "alpha", where + " params");
  if (j.contains("params") && j.at("params").is_object() && j.at("params").contains("negative_slope"))
    r.negative_slope = field<float>(j.at("params"), "negative_slope", where + " params");
  if (j.contains("cols") && !j.at("cols").is_null()) r.cols = field<std::size_t>(j, "cols", where);
  r.bytes = field<std::size_t>(j, "bytes", where);
  r.cache_resident = field<bool>(j, "cache_resident", where);
  const std::string status = field<std::string>(j, "status", where);
  if (status == "ok") r.status = Status::ok;
  else if (status == "failed") r.status = Status::failed;
  else if (status == "skipped") r.status = Status::skipped;
  else if (status == "interrupted") r.status = Status::interrupted;
  else throw UsageError(where + ": unknown status '" + status + "'");
  if (r.status != Status::ok) r.reason = field<std::string>(j, "reason", where);
  if (r.status == Status::ok) {
    const auto& t = j.at("time_s");
    auto samples = field<std::vector<double>>(t, "samples", where + " time_s");
    if (samples.empty()) throw UsageError(where + ": an ok row without samples");
    r.time = compute_stats(std::move(samples));
  }
  if (j.contains("accuracy") && j.at("accuracy").is_object()) {
    const auto& a = j.at("accuracy");
    r.accuracy = AccuracyRecord{number_or_word(a.at("max_ulp")), number_or_word(a.at("max_abs_error")),
                                field<std::string>(a, "tolerance", where), field<std::size_t>(a, "checked", where)};
  }
  return r;
}

ResumeState load_resume(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw UsageError("--resume: cannot read '" + file + "'");
  std::string first;
  std::getline(in, first);
  ResumeState s;
  auto take = [&](const nlohmann::json& row) {
    Row r = row_from_json(row);
    if (r.status != Status::interrupted) s.done.push_back(std::move(r));
  };
  try {
    const auto head = nlohmann::json::parse(first, nullptr, true);
    if (head.is_object() && head.contains("elubench_journal")) {
      s.from_journal = true;
      s.argv = field<std::vector<std::string>>(head, "argv", "journal header");
      s.out = field<std::string>(head, "out", "journal header");
      std::string line;
      while (std::getline(in, line)) {
        nlohmann::json row;
        try {
          row = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception&) {
          if (in.peek() == EOF) break;  // a line torn by a crash or a full disk: the row runs again
          throw UsageError("--resume: '" + file + "' has a malformed line in the middle");
        }
        take(row);
      }
      return s;
    }
  } catch (const nlohmann::json::exception&) {
    // not a journal: a results file (pretty-printed JSON spans many lines)
  }
  std::stringstream all;
  all << first << '\n' << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(all.str());
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("--resume: '" + file + "' is neither an elubench results file nor a journal");
  }
  if (!doc.is_object() || doc.value("schema", "") != "elubench-results")
    throw UsageError("--resume: '" + file + "' is not an elubench results file");
  const auto& config = doc.at("config");
  if (!config.contains("argv"))
    throw UsageError("--resume: '" + file + "' was written by an elubench without --resume support (no config.argv)");
  s.argv = field<std::vector<std::string>>(config, "argv", "config");
  s.out = file;
  for (const auto& row : field<nlohmann::json>(doc, "results", "results file")) take(row);
  return s;
}

}  // namespace elubench::bench
