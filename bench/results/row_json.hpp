// A results row as JSON, both ways: what results files and journal lines hold for one row
// (results/schema.json, "results" items). Writing and reading sit side by side so that a field
// is added to both at once; reading refuses a value it does not know instead of guessing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "results/row.hpp"

namespace elubench::bench {

// A required member of a JSON object as T. Throws UsageError "<where>: missing 'key'" or
// "<where>: 'key' has the wrong type": the one line a file that is not what it claims gets.
template <class T>
T json_field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw UsageError(where + ": missing '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw UsageError(where + ": '" + key + "' has the wrong type");
  }
}

// A float parameter as JSON writes it: the shortest decimal that reads back as the same float.
double json_float(float v);

// The row's `params` object: exactly the parameters its variant reads ({"alpha": 0.5} or {}).
nlohmann::json row_params_json(const Row& r);

nlohmann::json row_to_json(const Row& r);

// The inverse of row_to_json for what a run measured: the variant and shape, the samples (the
// statistics are computed again from them), the accuracy, the GPU timing record and the status;
// the rates are derived again when a file is written. Throws UsageError naming the row and the
// field when one is missing, has the wrong type or holds a value this build does not know (an
// unknown variant, input, cache mode, status, stop reason or throttle reason).
Row row_from_json(const nlohmann::json& j);

// A row's "gpu_timing" object, both ways.
nlohmann::json gpu_row_timing_to_json(const GpuRowTiming& t);
GpuRowTiming gpu_row_timing_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace elubench::bench
