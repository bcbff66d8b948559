#include "harness/run/resume.hpp"

#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"
#include "harness/platform/text.hpp"
#include "harness/run/identity.hpp"

namespace cromwell {

Resumed resume_from(const std::string& path, const Columns& columns, const nlohmann::ordered_json& now,
                    const ResumeOptions& opt) {
  Resumed out;
  if (std::string cut = cut_incomplete_last_line(path); !cut.empty()) out.notes.push_back(cut);
  ResultsFile f = read_results(path);
  if (header_of(columns_of(f.columns)) != header_of(columns_of(columns)))
    throw std::invalid_argument(fmt::format(
        "--resume {}: its columns ({}) are not this sweep's ({}); it is another sweep", path,
        join(header_of(columns_of(f.columns)), ","), join(header_of(columns_of(columns)), ",")));
  const std::vector<std::string> differ = resume_mismatches(f.context, now);
  if (!differ.empty() && !opt.force)
    throw std::invalid_argument(fmt::format("--resume {}: not the same sweep:\n  {}\n--force resumes it anyway", path,
                                            join(differ, "\n  ")));
  std::vector<Record> kept;
  int errors = 0;
  for (Record& r : f.records) {
    if (opt.retry_errors && r.status == Status::error) {
      ++errors;
      continue;
    }
    if (out.recorded.emplace(r.config.key(), r).second) kept.push_back(std::move(r));
  }
  if (errors > 0) {
    // The rows are written again without the error rows, after a copy of the file as it was.
    const std::string before = std::filesystem::path(path).replace_extension(".before-retry.csv").string();
    std::filesystem::copy_file(path, before, std::filesystem::copy_options::overwrite_existing);
    auto sink = csv_sink(path, columns);
    for (const Record& r : kept) sink->write(r);
    sink->finish();
    out.notes.push_back(
        fmt::format("{}: {} error row(s) removed to run again (--retry-errors); the file as it was is {}", path,
                    errors, before));
  }
  out.context = f.context.is_null() ? now : f.context;
  nlohmann::ordered_json session = {{"date", now.value("date", "")},
                                    {"command_line", now.value("command_line", "")},
                                    {"rows_before", kept.size()},
                                    {"slurm", now.contains("sweep") ? now["sweep"].value("slurm", nlohmann::ordered_json())
                                                                    : nlohmann::ordered_json()}};
  if (!differ.empty()) session["forced_despite"] = differ;
  out.context["sweep"]["sessions"].push_back(session);
  return out;
}

}  // namespace cromwell
