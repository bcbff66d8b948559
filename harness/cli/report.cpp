// cromwell report RUN.csv [MORE.csv ...] [--format term|md] [-o FILE]: what a sweep decided, read
// back through the results readers (report/report.hpp). Exit 2 when an input cannot be read.
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/io/results.hpp"
#include "harness/report/confirm.hpp"
#include "harness/report/report.hpp"

namespace cromwell::cli {
namespace {

struct ReportCliOptions {
  std::vector<std::string> inputs;
  std::string format = "term", output, baseline;
  std::size_t l3_rows = 10;
  bool overwrite = false, confirm = false;
  TimingGroup timing;
};

int report(const ReportCliOptions& o) {
  ReportOptions opt;
  opt.format = parse_text_format(o.format);
  opt.l3_rows = o.l3_rows;
  if (!o.output.empty() && std::filesystem::exists(o.output) && !o.overwrite)
    throw std::invalid_argument(
        fmt::format("-o {}: the file exists; choose another name or pass --overwrite", o.output));
  std::vector<ResultsFile> files;
  for (const auto& p : o.inputs) {
    try {
      files.push_back(read_results(p));
    } catch (const std::exception& e) {
      throw std::invalid_argument(e.what());  // an input that cannot be read is bad input
    }
  }
  std::optional<ResultsFile> base;
  if (!o.baseline.empty()) {
    try {
      base = read_results(o.baseline);
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("--baseline: {}", e.what()));
    }
    opt.baseline = &*base;
  }
  Confirmation confirmed;
  if (o.confirm) {
    std::vector<Record> records;
    for (const auto& f : files) records.insert(records.end(), f.records.begin(), f.records.end());
    MeasureOptions mo;
    mo.timing = o.timing.values;
    confirmed = confirm_best(best_per_variant(records), mo, mo.timing.repetitions, stderr);
    opt.confirmed = &confirmed;
  }
  const std::string text = render_report(files, opt);
  if (o.output.empty()) {
    fmt::print("{}", text);
    return 0;
  }
  std::ofstream out(o.output);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("-o {}: could not write the report", o.output));
  fmt::print("wrote {}\n", o.output);
  return 0;
}

}  // namespace

Command report_command() {
  return {
      "report", "the best configuration of each variant, L3 miss rates and what was not measured, from results files",
      [](CLI::App& app) -> Action {
        auto o = std::make_shared<ReportCliOptions>();
        app.add_option("inputs", o->inputs, "results files (CSV or JSON lines, each with its context x.json)")
            ->required();
        app.add_option("--format", o->format, "term (aligned tables) or md (Markdown, for a pull request)")
            ->check(CLI::IsMember({"term", "md"}));
        app.add_option("-o,--output", o->output, "write the report to this file instead of standard output");
        app.add_option("--l3-rows", o->l3_rows, "rows of each L3 ranking shown (the highest rates, then the lowest)")
            ->check(CLI::Range(2, 1000));
        app.add_flag("--overwrite", o->overwrite, "replace an existing output file");
        app.add_option("--baseline", o->baseline,
                       "a results file to compare with: per config measured in both, the change of its median time "
                       "with a 95 % interval");
        app.add_flag("--confirm", o->confirm,
                     "re-measure naive and the three fastest of each group interleaved; quote those speed-ups");
        o->timing.add(app, "--confirm: rounds (each config measured once per round)",
                      "--confirm: seconds per measurement");
        return [o](const Invocation&) { return report(*o); };
      }};
}

}  // namespace cromwell::cli
