// cromwell export RUN.csv [MORE.csv ...] --long -o TIDY.csv: results in long form (io/long.hpp),
// one row per configuration and measured quantity, for tools that prefer tidy data.
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/io/long.hpp"
#include "harness/io/results.hpp"

namespace cromwell::cli {
namespace {

struct ExportOptions {
  std::vector<std::string> inputs;
  std::string output;
  bool long_form = false, overwrite = false;
};

int export_results(const ExportOptions& o) {
  if (!o.long_form)
    throw std::invalid_argument("export: choose the form: --long (one row per configuration and quantity)");
  if (std::filesystem::exists(o.output) && !o.overwrite)
    throw std::invalid_argument(
        fmt::format("-o {}: the file exists; choose another name or pass --overwrite", o.output));
  std::vector<ResultsFile> files;
  for (const auto& p : o.inputs) files.push_back(read_results(p));
  const std::string text = long_csv(files);
  std::ofstream out(o.output);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("-o {}: could not write", o.output));
  std::size_t rows = 0;
  for (char c : text) rows += c == '\n';
  fmt::print("wrote {}: {} rows in long form\n", o.output, rows - 1);
  return 0;
}

}  // namespace

Command export_command() {
  return {"export", "results files in another form: --long, one row per configuration and measured quantity",
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<ExportOptions>();
            app.add_option("inputs", o->inputs, "results files (CSV or JSON lines, each with its context x.json)")
                ->required();
            app.add_flag("--long", o->long_form, "one row per configuration and quantity (docs/results-format.md)");
            app.add_option("-o,--output", o->output, "the file to write (CSV)")->required();
            app.add_flag("--overwrite", o->overwrite, "replace an existing output file");
            return [o](const Invocation&) { return export_results(*o); };
          }};
}

}  // namespace cromwell::cli
