#pragma once
// Continuing a sweep into the file it was writing (`--resume`): what the file already holds, read
// back through the results reader, after cutting an incomplete last line (a kill in the middle of
// a write) and checking that it is the same sweep.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/core/record.hpp"
#include "harness/io/schema.hpp"

namespace cromwell {

struct Resumed {
  std::map<std::string, Record> recorded;  // by key, the first row of each
  nlohmann::ordered_json context;          // the file's context with this session added to sweep.sessions
  std::vector<std::string> notes;          // what was done to the file, for the user
};

struct ResumeOptions {
  bool force = false;         // resume a sweep whose identity differs (recorded in the context)
  bool retry_errors = false;  // drop `error` rows (kept in FILE.before-retry.csv) so they run again
};

// `path` holds rows (OutputFile::existed); `now` is this run's context. Throws std::invalid_argument
// when the file is another sweep (listing what differs; --force overrides), has other columns, or
// cannot be read.
Resumed resume_from(const std::string& path, const Columns& columns, const nlohmann::ordered_json& now,
                    const ResumeOptions& opt);

}  // namespace cromwell
