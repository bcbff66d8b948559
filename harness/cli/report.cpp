// cromwell report RUN.csv [MORE.csv ...] [--format term|md|html] [-o FILE] [--html PAGE] [--baseline OLD.csv]
// [--simulate] [--confirm] [--profile PROFILE.json]:
// what a sweep decided, read back through the results readers (report/report.hpp); html is one
// self-contained page with the plots of the first file (report/html.hpp). Exit 2 when an input
// cannot be read.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/io/context.hpp"
#include "harness/io/results.hpp"
#include "harness/platform/text.hpp"
#include "harness/report/confirm.hpp"
#include "harness/report/html.hpp"
#include "harness/report/report.hpp"
#include "harness/report/simulate.hpp"

namespace cromwell::cli {
namespace {

struct ReportCliOptions {
  std::vector<std::string> inputs;
  std::string format = "term", output, html, baseline, profile;
  std::size_t l3_rows = 10;
  bool overwrite = false, confirm = false, simulate = false;
  TimingGroup timing;
};

// The HTML page: the report and the plots of the first file, under the roofline of --profile, else
// of the machine profile the run recorded in its context.
std::string html_page(const std::vector<ResultsFile>& files, ReportOptions opt) {
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
  return render_report_html(files, opt, plots);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("{}: could not write the report", path));
  fmt::print("wrote {}\n", path);
}

int report(const ReportCliOptions& o) {
  ReportOptions opt;
  opt.format = parse_text_format(o.format);
  opt.l3_rows = o.l3_rows;
  opt.profile_path = o.profile;
  for (const auto& [flag, path] : {std::pair{"-o", o.output}, std::pair{"--html", o.html}})
    if (!path.empty() && std::filesystem::exists(path) && !o.overwrite)
      throw std::invalid_argument(
          fmt::format("{} {}: the file exists; choose another name or pass --overwrite", flag, path));
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
  if (o.simulate) {
    MeasureOptions mo;
    mo.timing = o.timing.values;
    const Simulated s = simulate_best(files, mo, stderr);
    fmt::print(stderr, "report: simulated the caches of {} best configuration(s)\n", s.configs);
    std::map<std::string, std::vector<std::string>> by_reason;
    for (const auto& [key, why] : s.why_not) by_reason[fold_numbers(why)].push_back(key);
    for (const auto& [why, keys] : by_reason)
      fmt::print(stderr, "report: not simulated: {} config(s) such as {}: {}\n", keys.size(), keys.front(),
                 s.why_not.at(keys.front()));
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
  const std::string text = opt.format == TextFormat::html ? html_page(files, opt) : render_report(files, opt);
  if (o.output.empty())
    fmt::print("{}", text);
  else
    write_text(o.output, text);
  if (!o.html.empty()) {
    opt.format = TextFormat::html;
    write_text(o.html, html_page(files, opt));
  }
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
        app.add_option("--html", o->html, "also write the HTML page (report and plots) to this file");
        app.add_flag("--overwrite", o->overwrite, "replace an existing output file");
        app.add_option("--baseline", o->baseline,
                       "a results file to compare with: per config measured in both, the change of its median time "
                       "with a 95 % interval");
        app.add_flag("--simulate", o->simulate,
                     "measure each variant's best configuration again under the cache simulator (counters sim, "
                     "slow) for its L1/L2/L3 miss rates, on a machine without hardware counters");
        app.add_flag("--confirm", o->confirm,
                     "re-measure naive and the three fastest of each group interleaved; quote those speed-ups");
        o->timing.add(app, "--confirm: rounds (each config measured once per round)",
                      "--confirm: seconds per measurement");
        return [o](const Invocation&) { return report(*o); };
      }};
}

}  // namespace cromwell::cli
