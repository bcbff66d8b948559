// cromwell merge A.csv B.csv ... -o ALL.csv: the shards of one sharded sweep joined into one results
// file and its context (run/merge.hpp). Exit 0 when every config of the sweep has exactly one row;
// 1 when configs are missing (listed, with the Slurm array indices to resubmit) or a key came
// twice — the merged file is written all the same; 2 when the inputs are not shards of one sweep.
#include <algorithm>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/io/results.hpp"
#include "harness/platform/text.hpp"
#include "harness/run/merge.hpp"

namespace cromwell::cli {
namespace {

constexpr std::size_t kListed = 20;  // missing keys and duplicates printed in full

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
  bool overwrite = false;
};

int merge(const MergeOptions& o, const Invocation& inv) {
  if (std::filesystem::exists(o.output) && !o.overwrite)
    throw std::invalid_argument(
        fmt::format("-o {}: the file exists; choose another name or pass --overwrite", o.output));
  std::vector<ResultsFile> files;
  for (const auto& p : o.inputs) files.push_back(read_results(p));
  const Merged m = merge_results(files);
  write_merged(m, o.output, inv.command_line);

  std::size_t calibrations = 0;
  for (const auto& r : m.records) calibrations += r.config.kernel == "noop";
  fmt::print("merged {} file(s), {} of {} shard(s), into {}: {} rows ({} calibration, {} configs of {})\n",
             m.inputs.size(), m.shard_count - m.absent_shards.size(), m.shard_count, o.output, m.records.size(),
             calibrations, m.records.size() - calibrations, m.configs);
  for (const auto& n : m.notes) fmt::print(stderr, "note: {}\n", n);
  if (!m.duplicates.empty()) {
    fmt::print(stderr, "duplicates: {} config key(s) with more than one row (the first is kept):\n",
               m.duplicates.size());
    for (std::size_t i = 0; i < std::min(kListed, m.duplicates.size()); ++i)
      fmt::print(stderr, "  {}\n", m.duplicates[i]);
    if (m.duplicates.size() > kListed) fmt::print(stderr, "  ... and {} more\n", m.duplicates.size() - kListed);
  }
  if (!m.complete()) {
    fmt::print(stderr, "missing: {} of {} configs have no row\n", m.missing_count(), m.configs);
    for (std::size_t i = 0; i < std::min(kListed, m.missing.size()); ++i) fmt::print(stderr, "  {}\n", m.missing[i]);
    if (m.missing.size() > kListed) fmt::print(stderr, "  ... and {} more keys\n", m.missing.size() - kListed);
    for (int k : m.absent_shards) fmt::print(stderr, "  shard {}/{}: no input file\n", k, m.shard_count);
    std::vector<std::string> indices;
    for (int k : m.resubmit) indices.push_back(std::to_string(k));
    if (m.shard_count > 1) {
      const std::string dir = std::filesystem::path(m.inputs.front().path).parent_path().string();
      fmt::print(stderr,
                 "resubmit shards {0} of {1} (each continues its file with --resume), then merge again:\n"
                 "  scripts/slurm/submit --shards {1} --only {0} --out {2} -- SWEEP ARGS\n"
                 "  or: CROMWELL_SHARDS={1} sbatch --array={0} ... scripts/slurm/sweep.sbatch SWEEP ARGS\n",
                 join(indices, ","), m.shard_count, dir.empty() ? "." : dir);
    } else
      fmt::print(stderr, "rerun the sweep with --resume into {}, then merge again\n", m.inputs.front().path);
  }
  fmt::print("wrote {} and {}\n", o.output, context_path(o.output));
  return m.complete() && m.duplicates.empty() ? 0 : kExitWrong;
}

}  // namespace

Command merge_command() {
  return {"merge", "join the shards of a sharded sweep into one results file; report what is missing",
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<MergeOptions>();
            app.add_option("inputs", o->inputs, "the shards' results files (each with its context x.json)")->required();
            app.add_option("-o,--output", o->output, "merged results file (CSV; .jsonl for JSON lines)")->required();
            app.add_flag("--overwrite", o->overwrite, "replace an existing output file");
            app.footer(
                "Exit status: 0 every config of the sweep has one row; 1 configs are missing or a key came twice "
                "(the merged file is written anyway, and the Slurm array indices to resubmit are printed); 2 the "
                "inputs are not shards of one sweep, a shard is given twice, or the output exists.");
            return [o](const Invocation& inv) { return merge(*o, inv); };
          }};
}

}  // namespace cromwell::cli
