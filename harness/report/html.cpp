#include "harness/report/html.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/process.hpp"
#include "harness/platform/text.hpp"
#include "harness/report/table.hpp"

namespace cromwell {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary directory, removed with its files at the end.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "cromwell-report-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error(fmt::format("mkdtemp({}): {}", tmpl, std::strerror(errno)));
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Width and height from a PNG's IHDR chunk, so the page keeps its layout while images decode.
std::optional<std::pair<std::uint32_t, std::uint32_t>> png_size(std::string_view png) {
  if (png.size() < 24 || png.substr(0, 8) != "\x89PNG\r\n\x1a\n" || png.substr(12, 4) != "IHDR") return std::nullopt;
  const auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  return std::pair{be32(16), be32(20)};
}

// What each plot of `scripts/plot all` shows (docs/plots.md), for its caption.
std::string describe_plot(const std::string& name) {
  const auto kernel = [&](const char* prefix) { return name.substr(std::string_view(prefix).size()); };
  if (name == "heatmap-gflops")
    return "GFLOP/s over two parameters of one variant, each cell the best over its other parameters";
  if (name == "heatmap-l3") return "L3 miss rate over two parameters of one variant, each cell the lowest";
  if (name.rfind("size-", 0) == 0)
    return kernel("size-") + ": speed against problem size, each variant's best configuration per shape";
  if (name == "roofline") return "the best configurations by arithmetic intensity, under the machine's ceilings";
  if (name.rfind("scaling-", 0) == 0)
    return kernel("scaling-") + ": speed against threads per variant and pin policy, and the speed-up over one thread";
  if (name == "l3") return "L3 miss rate against time per call, every measured configuration";
  return name;
}

// "host · CPU · 2026-12-01 09:30 UTC" from a results file's context; "machine unknown" without one.
std::string machine_of(const nlohmann::ordered_json& c) {
  if (!c.is_object()) return "machine unknown";
  std::vector<std::string> parts;
  if (c.contains("host") && c["host"].is_string()) parts.push_back(c["host"].get<std::string>());
  if (c.contains("cpu") && c["cpu"].is_object() && c["cpu"].contains("name") && c["cpu"]["name"].is_string())
    parts.push_back(c["cpu"]["name"].get<std::string>());
  if (c.contains("date") && c["date"].is_string()) {
    std::string date = c["date"].get<std::string>();
    if (date.size() >= 16 && date[10] == 'T' && date.back() == 'Z')
      date = date.substr(0, 10) + " " + date.substr(11, 5) + " UTC";
    parts.push_back(date);
  }
  return parts.empty() ? "machine unknown" : join(parts, " · ");
}

// Readable on a screen and in print: the system's own font (nothing to fetch), tables with zebra
// rows and right-aligned numbers, plots no wider than the text.
constexpr const char* kStyle = R"(
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1f2328;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1500px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
h1 + .machine { margin: 0 0 1rem; color: #59636e; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid #d1d9e0; }
h3 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
p { margin: .5rem 0; }
p.caption { font-weight: 600; margin: 1.5rem 0 .4rem; }
p.note { color: #59636e; font-size: .9rem; margin: .3rem 0; }
ul.sources { padding-left: 1.25rem; font-size: .9rem; color: #59636e; }
nav { font-size: .9rem; margin: .5rem 0 1rem; }
nav a { white-space: nowrap; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em;
       background: #eff2f5; padding: .1em .3em; border-radius: 4px; }
table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; font-size: .875rem;
        margin: .25rem 0 .5rem; }
th, td { padding: .3rem .5rem; text-align: left; vertical-align: top; border-bottom: 1px solid #e4e8ec; }
th { background: #eef1f4; font-weight: 600; white-space: nowrap; border-bottom: 2px solid #d1d9e0; }
tbody tr:nth-child(even) { background: #f6f8fa; }
tbody tr:hover { background: #eaf2fd; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0 2.25rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e4e8ec; border-radius: 4px; }
figcaption { margin-top: .5rem; font-size: .9rem; }
figcaption .name { font-weight: 600; }
figcaption ul, ul.skipped { margin: .25rem 0; padding-left: 1.25rem; color: #59636e; }
ul.skipped li { margin: .3rem 0; }
@media print { main { max-width: none; padding: 0; } figure { break-inside: avoid; } }
)";

// Sets <body data-status> once the page has loaded: "ok" when every image decoded, else
// "broken: " and the names of those that did not.
constexpr const char* kStatusScript = R"(
(function () {
  function check() {
    var broken = [];
    Array.prototype.forEach.call(document.images, function (img) {
      if (!(img.complete && img.naturalWidth > 0)) broken.push(img.dataset.name || img.alt || "?");
    });
    document.body.dataset.status = broken.length ? "broken: " + broken.join(", ") : "ok";
  }
  if (document.readyState === "complete") check(); else window.addEventListener("load", check);
})();
)";

// Links to the report's sections (<h2 id=…>, each named by its text up to a colon: "gemm") and to
// the plots.
std::string contents(const std::string& body) {
  std::vector<std::string> links;
  for (auto at = body.find("<h2 id=\""); at != std::string::npos; at = body.find("<h2 id=\"", at + 1)) {
    const auto id_end = body.find('"', at + 8), text_end = body.find("</h2>", at);
    if (id_end == std::string::npos || text_end == std::string::npos) break;
    std::string text = body.substr(id_end + 2, text_end - id_end - 2);
    if (const auto colon = text.find(": "); colon != std::string::npos) text.resize(colon);
    links.push_back(fmt::format("<a href=\"#{}\">{}</a>", body.substr(at + 8, id_end - at - 8), text));
  }
  links.push_back("<a href=\"#plots\">Plots</a>");
  return "<nav>" + join(links, " · ") + "</nav>\n";
}

std::string plots_section(const Plots& plots) {
  std::string out = "<h2 id=\"plots\">Plots</h2>\n";
  if (!plots.unavailable.empty())
    return out + "<p class=\"note\">Plots unavailable: " + html_inline(plots.unavailable) + "</p>\n";
  for (const auto& r : plots.remarks) out += "<p class=\"note\">" + html_inline(r) + "</p>\n";
  if (plots.drawn.size() + plots.skipped.size() > 1) {
    std::vector<std::string> links;
    for (const auto& d : plots.drawn)
      links.push_back(fmt::format("<a href=\"#plot-{0}\">{0}</a>", html_escape(d.name)));
    if (!plots.skipped.empty())
      links.push_back(fmt::format("<a href=\"#not-drawn\">not drawn ({})</a>", plots.skipped.size()));
    out += "<nav>" + join(links, " · ") + "</nav>\n";
  }
  for (const auto& d : plots.drawn) {
    const std::string what = describe_plot(d.name);
    const auto size = png_size(d.png);
    out +=
        fmt::format("<figure id=\"plot-{0}\">\n<img data-name=\"{0}\" alt=\"{0}: {1}\"{2} src=\"data:image/png;base64,",
                    html_escape(d.name), html_escape(what),
                    size ? fmt::format(" width=\"{}\" height=\"{}\"", size->first, size->second) : "");
    out += base64(d.png);
    out += fmt::format("\">\n<figcaption><span class=\"name\">{}</span> — {}", html_escape(d.name), html_escape(what));
    if (!d.notes.empty()) {
      out += "\n<ul>\n";
      for (const auto& n : d.notes) out += "<li>" + html_inline(n) + "</li>\n";
      out += "</ul>\n";
    }
    out += "</figcaption>\n</figure>\n";
  }
  if (!plots.skipped.empty()) {
    out += "<h3 id=\"not-drawn\">Not drawn</h3>\n<ul class=\"skipped\">\n";
    for (const auto& [name, why] : plots.skipped)
      out += fmt::format("<li><b>{}</b>: {}</li>\n", html_escape(name), html_inline(why));
    out += "</ul>\n";
  }
  return out;
}

}  // namespace

std::string base64(std::string_view bytes) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16 |
                            std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += {kDigits[v >> 18], kDigits[v >> 12 & 63], kDigits[v >> 6 & 63], kDigits[v & 63]};
  }
  if (const std::size_t left = bytes.size() - i; left > 0) {
    std::uint32_t v = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
    if (left == 2) v |= std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += {kDigits[v >> 18], kDigits[v >> 12 & 63], left == 2 ? kDigits[v >> 6 & 63] : '=', '='};
  }
  return out;
}

std::string find_plot_script(std::string* why) {
  if (const char* env = std::getenv("CROMWELL_PLOT"); env && *env) {
    if (access(env, X_OK) == 0) return env;
    if (why) *why = fmt::format("CROMWELL_PLOT={}: no such executable", env);
    return "";
  }
  const std::string built = std::string(CROMWELL_SOURCE_DIR) + "/scripts/plot";
  if (access(built.c_str(), X_OK) == 0) return built;
  if (why)
    *why = fmt::format(
        "no plot script: {} does not exist (an installed cromwell does not ship it); set CROMWELL_PLOT to a "
        "Cromwell checkout's scripts/plot",
        built);
  return "";
}

Plots draw_plots(const std::vector<ResultsFile>& files, const ReportOptions& opt) {
  Plots p;
  if (files.empty()) {
    p.unavailable = "no results file";
    return p;
  }
  p.source = files.front().path;
  if (files.size() > 1)
    p.remarks.push_back(fmt::format("Plots of {} only, the first of the {} results files.", p.source, files.size()));
  p.remarks.push_back(opt.profile_path.empty()
                          ? "No machine profile: the roofline shows the points without ceilings (`--profile "
                            "PROFILE.json` adds them)."
                          : fmt::format("Roofline ceilings from the machine profile {}.", opt.profile_path));
  if (fs::path(p.source).extension() == ".jsonl") {
    p.unavailable = fmt::format("{} is JSON lines; the plots read the CSV results of a sweep", p.source);
    return p;
  }
  const std::string script = find_plot_script(&p.unavailable);
  if (script.empty()) return p;
  try {
    const ScratchDir tmp;
    const fs::path dir = tmp.path / "plots", log = tmp.path / "plot.log";
    std::vector<std::string> argv{script, "all", p.source};
    if (!opt.profile_path.empty()) argv.insert(argv.end(), {"--ceilings", opt.profile_path});
    argv.insert(argv.end(), {"-o", dir.string()});
    ProcessOptions po;
    po.output_file = log.string();
    const ProcessResult r = run_process(argv, po);

    // The script's messages (docs/plots.md): "plot: -- NAME" before each plot, "plot: KIND: …"
    // about the rows it drew, "skipped NAME: why", "wrote PATH"; anything else is an error's text.
    std::vector<std::string> order, other;
    std::map<std::string, std::vector<std::string>> notes;
    for (const auto& line : split(read_file(log), '\n')) {
      if (line.empty() || line.rfind("wrote ", 0) == 0) continue;
      if (line.rfind("plot: -- ", 0) == 0) {
        order.push_back(line.substr(9));
      } else if (line.rfind("skipped ", 0) == 0 && line.find(": ") != std::string::npos) {
        const auto colon = line.find(": ");
        p.skipped.emplace_back(line.substr(8, colon - 8), line.substr(colon + 2));
      } else if (line.rfind("plot: ", 0) == 0 && !order.empty()) {
        std::string text = line.substr(6);
        // "heatmap: 80 of 96 rows …": the plot's kind is in the caption already.
        if (const auto colon = text.find(": "); colon != std::string::npos && text.find(' ') > colon)
          text = text.substr(colon + 2);
        notes[order.back()].push_back(text);
      } else {
        other.push_back(line);
      }
    }
    for (const auto& name : order)
      if (const fs::path png = dir / (name + ".png"); fs::exists(png))
        p.drawn.push_back({name, read_file(png), notes[name]});
    const std::string said = other.empty() ? "" : ": " + other.back();
    if (p.drawn.empty() && p.skipped.empty())
      p.unavailable = fmt::format("{} {}{}", script, r.ok() ? "drew nothing" : r.describe(), said);
    else if (p.drawn.empty())
      p.remarks.push_back("None of the plots can be drawn from this file (below: why).");
    else if (!r.ok())
      p.remarks.push_back(fmt::format("{} {}{}", script, r.describe(), said));
  } catch (const std::exception& e) {
    p.unavailable = e.what();
  }
  return p;
}

std::string render_report_html(const std::vector<ResultsFile>& files, const ReportOptions& opt, const Plots& plots) {
  ReportOptions html = opt;
  html.format = TextFormat::html;
  const std::string machine = files.empty() ? "" : machine_of(files.front().context);
  std::string out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Cromwell report" + (machine.empty() ? "" : " — " + html_escape(machine)) + "</title>\n";
  out += std::string("<style>") + kStyle + "</style>\n</head>\n<body data-status=\"loading\">\n<main>\n";
  std::string body = render_report(files, html);
  // The machine under the title, and links to the sections: a report of several kernels is long,
  // and the plots come last.
  if (const auto end = body.find("</h1>\n"); end != std::string::npos)
    body.insert(end + 6,
                (machine.empty() ? "" : "<p class=\"machine\">" + html_escape(machine) + "</p>\n") + contents(body));
  out += body;
  out += plots_section(plots);
  out += std::string("</main>\n<script>") + kStatusScript + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace cromwell
