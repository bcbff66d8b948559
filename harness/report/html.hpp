#pragma once
// `cromwell report --format html`: the report as one self-contained HTML page — inline CSS, the
// report's tables, and the plots of scripts/plot (docs/plots.md) embedded as data: URIs — that a
// browser opens from disk, mail or a CI artifact without fetching anything.
#include <string>
#include <string_view>
#include <vector>

#include "harness/io/results.hpp"
#include "harness/report/report.hpp"

namespace cromwell {

// What `scripts/plot all` made of one results file.
struct Plots {
  struct Drawn {
    std::string name;                // "heatmap-gflops", "size-gemm", … (docs/plots.md)
    std::string png;                 // the PNG file's bytes
    std::vector<std::string> notes;  // what the script said about it: rows left out, the subset drawn
  };
  std::string source;                                        // the results file plotted
  std::vector<Drawn> drawn;                                  // in the script's order
  std::vector<std::pair<std::string, std::string>> skipped;  // plot name, why the data cannot make it
  std::string unavailable;                                   // non-empty: why there are no plots at all
  std::vector<std::string> remarks;                          // said above the plots (first file only, …)
};

// The plot script: $CROMWELL_PLOT when set, else scripts/plot of the source tree this was built
// from. Empty, with `why` set, when there is none (an installed binary far from its sources).
std::string find_plot_script(std::string* why);

// Runs `find_plot_script() all FILE [--ceilings opt.profile_path] -o TMPDIR` on the first file
// (only), reads the PNGs and the script's messages, and removes the directory. Never throws for a
// missing script, python or plot: that becomes `unavailable` or `skipped`, so the page is written
// regardless.
Plots draw_plots(const std::vector<ResultsFile>& files, const ReportOptions& opt);

// The page: the report (render_report in HTML), then the plots with their captions and the plots
// skipped with their reasons. A script at the end sets <body data-status> to "ok" when every image
// decoded, else "broken: NAMES" (what a headless browser's --dump-dom reads).
std::string render_report_html(const std::vector<ResultsFile>& files, const ReportOptions& opt, const Plots& plots);

// RFC 4648 base64 with padding, no line breaks.
std::string base64(std::string_view bytes);

}  // namespace cromwell
