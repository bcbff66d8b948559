// cromwell report RUN.csv [MORE.csv ...] [--format term|md|html] [--profile PROFILE.json] [-o FILE]:
// what a sweep decided, read back through the results readers (report/report.hpp); html is one
// self-contained page with the plots of the first file (report/html.hpp). Exit 2 when an input
// cannot be read.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/io/context.hpp"
#include "harness/io/results.hpp"
#include "harness/report/confirm.hpp"
#include "harness/report/html.hpp"
#include "harness/report/report.hpp"

namespace cromwell::cli {
namespace {

struct ReportCliOptions {
  std::vector<std::string> inputs;
  std::string format = "term", output, baseline, profile;
  std::size_t l3_rows = 10;
  bool overwrite = false, confirm = false;
  TimingGroup timing;
};

int report(const ReportCliOptions& o) {
  ReportOptions opt;
  opt.format = parse_text_format(o.format);
  opt.l3_rows = o.l3_rows;
  opt.profile_path = o.profile;
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
  std::string text;
  if (opt.format == TextFormat::html) {
    // The roofline's ceilings: --profile, else the machine profile the run recorded in its context.
    struct Removed {
      std::string path;
      ~Removed() {
        if (!path.empty()) std::filesystem::remove(path);
      }
    } recorded;
    const auto& ctx = files.front().context;
    if (opt.profile_path.empty() && ctx.is_object() && ctx.contains("machine_profile") &&
        ctx["machine_profile"].contains("peaks_gflops")) {
      recorded.path =
          (std::filesystem::temp_directory_path() / fmt::format("cromwell-profile-{}.json", getpid())).string();
      write_json_file(recorded.path, ctx["machine_profile"]);
      opt.profile_path = recorded.path;
    }
    const Plots plots = draw_plots(files, opt);
    if (!plots.unavailable.empty())
      fmt::print(stderr, "report: plots unavailable: {}\n", plots.unavailable);
    else
      fmt::print(stderr, "report: {} plot(s) of {}{}\n", plots.drawn.size(), plots.source,
                 plots.skipped.empty() ? "" : fmt::format(", {} skipped (the page says why)", plots.skipped.size()));
    text = render_report_html(files, opt, plots);
  } else {
    text = render_report(files, opt);
  }
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
        app.add_option("--format", o->format,
                       "term (aligned tables), md (Markdown, for a pull request) or html (one self-contained page "
                       "with the plots of the first file, from scripts/plot; CROMWELL_PLOT names another script)")
            ->check(CLI::IsMember({"term", "md", "html"}));
        app.add_option("-o,--output", o->output, "write the report to this file instead of standard output");
        app.add_option("--profile", o->profile,
                       "machine profile (JSON, docs/plots.md): the ceilings of the html page's roofline plot")
            ->check(CLI::ExistingFile);
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
