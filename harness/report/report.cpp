#include "harness/report/report.hpp"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/platform/text.hpp"
#include "harness/report/baseline.hpp"
#include "harness/report/best.hpp"
#include "harness/report/confirm.hpp"
#include "harness/report/l3.hpp"

namespace cromwell {
namespace {

std::string num(const std::optional<double>& v, const char* spec = "{:.1f}") {
  return v && std::isfinite(*v) ? fmt::format(fmt::runtime(spec), *v) : "—";
}

std::string pct(const std::optional<double>& v) { return v ? fmt::format("{:.1f} %", 100 * *v) : "—"; }

// The line above a table: bold in Markdown (a paragraph of its own), plain on a terminal.
std::string caption(TextFormat f, const std::string& text) {
  if (f == TextFormat::html) return "<p class=\"caption\">" + html_inline(text) + "</p>\n";
  return f == TextFormat::md ? "**" + text + "**\n\n" : text + "\n";
}

std::string params_of(const Record& r) {
  std::vector<std::string> p;
  for (const auto& [n, v] : r.config.params.items) p.push_back(n + "=" + v);
  if (r.config.axes.pin != "none") p.push_back("pin=" + r.config.axes.pin);
  if (r.config.axes.align != 0) p.push_back(fmt::format("align={}", r.config.axes.align));
  return p.empty() ? "(none)" : join(p, " ");
}

// What the rows' counter columns are, for a heading: hardware, simulated (and what the simulator
// lacks), software only.
std::string counters_said(const std::string& source) {
  if (source.rfind("sim", 0) == 0)
    return fmt::format(
        "simulated ({}): a cache model without hardware prefetchers, so streaming kernels show "
        "misses that prefetching would hide",
        source);
  if (source.rfind("perf", 0) == 0) return fmt::format("hardware counters ({})", source);
  return source;
}

std::string sources(const std::vector<ResultsFile>& files) {
  std::string out;
  for (const auto& f : files) {
    const auto& c = f.context;
    const auto text = [&](const char* k) {
      return c.is_object() && c.contains(k) && c[k].is_string() ? c[k].get<std::string>() : std::string("?");
    };
    const std::string cpu =
        c.is_object() && c.contains("cpu") && c["cpu"].is_object() ? c["cpu"].value("name", "?") : "?";
    std::size_t measured = 0, calibration = 0;
    for (const auto& r : f.records) {
      calibration += r.config.kernel == "noop";
      measured += r.status == Status::measured && r.config.kernel != "noop";
    }
    out +=
        fmt::format("{}: {} rows ({} configs measured, {} calibration) · {} · {} · {} · counters {}\n", f.path,
                    f.records.size(), measured, calibration, text("host"), cpu, text("date"), text("counters_backend"));
  }
  return out;
}

// Rows not measured, by status and reason (numbers folded), most frequent first.
std::string not_measured(TextFormat f, const std::vector<Record>& records) {
  std::map<std::pair<std::string, std::string>, std::pair<int, std::string>> groups;  // → count, an example
  for (const auto& r : records)
    if (r.status != Status::measured) {
      auto& g = groups[{std::string(to_string(r.status)), fold_numbers(r.reason)}];
      if (g.first++ == 0) g.second = r.reason;
    }
  if (groups.empty())
    return f == TextFormat::html ? para(f, "Every configuration was measured.") : "Every configuration was measured.\n";
  std::vector<std::tuple<int, std::string, std::string>> sorted;
  for (const auto& [k, v] : groups) sorted.emplace_back(v.first, k.first, v.second);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  Table t{{"rows", "status", "reason (an example)"}, {true, false, false}, {}};
  for (const auto& [n, status, reason] : sorted)
    t.rows.push_back({std::to_string(n), status, reason.empty() ? "—" : reason});
  return t.render(f);
}

// Under the table: what "of roofline" means, or why it is missing.
std::string roofline_said(TextFormat f, const BestGroup& g, bool shown) {
  if (shown)
    return note(f,
                "of roofline: performance / the bound at the row's intensity, threads, ISA and the level holding its "
                "working set (pct_peak); of machine: / the bound with the widest ISA and every thread");
  std::set<std::string> why;
  for (const auto& b : g.rows)
    why.insert(b.record->bound.empty() ? "not in this file (written before schema 4)" : b.record->bound);
  return note(f, "of roofline: " + join(std::vector<std::string>(why.begin(), why.end()), "; "));
}

std::string best_section(TextFormat f, const std::vector<BestGroup>& groups, const std::string& kernel,
                         const Confirmation* confirmed) {
  std::string out;
  for (const auto& g : groups) {
    if (g.kernel != kernel) continue;
    bool l1 = false, l2 = false, l3 = false;
    for (const auto& b : g.rows) {
      l1 = l1 || metric_of(*b.record, "l1d_miss_rate");
      l2 = l2 || metric_of(*b.record, "l2_miss_rate");
      l3 = l3 || metric_of(*b.record, "l3_miss_rate");
    }
    bool roofline = false;
    for (const auto& b : g.rows) roofline = roofline || b.record->pct_peak;
    Table t{{"variant", "time", "GFLOP/s", "GB/s", "×naive", "configs"}, {false, true, true, true, true, true}, {}};
    if (roofline) {
      t.header.insert(t.header.end(), {"of roofline", "bound", "of machine"});
      t.right.insert(t.right.end(), {true, false, true});
    }
    if (l1) t.header.push_back("L1d miss"), t.right.push_back(true);
    if (l2) t.header.push_back("L2 miss"), t.right.push_back(true);
    if (l3) t.header.push_back("L3 miss"), t.right.push_back(true);
    t.header.push_back("best parameters");
    t.right.push_back(false);
    std::set<std::string> counters;
    bool noisy = false;
    for (const auto& b : g.rows) {
      const Record& r = *b.record;
      std::string vs = b.vs_naive ? fmt::format("{:.2f}", *b.vs_naive) : "—";
      if (confirmed)
        if (const auto it = confirmed->vs_naive.find(r.config.key()); it != confirmed->vs_naive.end())
          vs = fmt::format("{:.2f} ({:.2f}–{:.2f}) ✓", it->second.median, it->second.lo, it->second.hi);
      std::vector<std::string> row{r.config.variant + (r.unstable ? " (noisy)" : ""),
                                   human_time(*r.time_ns),
                                   num(r.gflops),
                                   num(r.gbps),
                                   vs,
                                   std::to_string(b.measured)};
      if (roofline) row.insert(row.end(), {pct(r.pct_peak), r.pct_peak ? r.bound : "—", pct(r.pct_machine)});
      if (l1) row.push_back(pct(metric_of(r, "l1d_miss_rate")));
      if (l2) row.push_back(pct(metric_of(r, "l2_miss_rate")));
      if (l3) row.push_back(pct(metric_of(r, "l3_miss_rate")));
      row.push_back(params_of(r));
      t.rows.push_back(std::move(row));
      noisy = noisy || r.unstable;
      if (l1 || l2 || l3) counters.insert(r.counters_source);
    }
    out += caption(f, group_caption(g));
    out += t.render(f);
    out += roofline_said(f, g, roofline);
    if (!counters.empty())
      out += note(
          f, "miss rates: " + counters_said(join(std::vector<std::string>(counters.begin(), counters.end()), ", ")));
    const std::string name = kernel + ": " + group_caption(g);
    if (g.rows.size() > 1 && !g.rows.front().vs_naive)
      out += note(f, "×naive: no naive row at this shape");
    else if (g.rows.size() > 1 && confirmed)
      out += note(
          f,
          fmt::format("×naive ✓: naive and the {} fastest re-measured interleaved, {} rounds, median and "
                      "95 % interval; the others from the sweep's rows{}",
                      kConfirmed, confirmed->rounds,
                      confirmed->why_not.count(name) ? " (not re-measured: " + confirmed->why_not.at(name) + ")" : ""));
    else if (g.rows.size() > 1)
      out += note(f, "×naive: from the sweep's best rows, which flatter the winners (--confirm re-measures them)");
    if (noisy)
      out += note(f, fmt::format("(noisy): the repetitions spread more than {:.0f} % around their median; compare "
                                 "before trusting the order",
                                 kUnstablePct));
    out += "\n";
  }
  return out;
}

std::string l3_section(TextFormat f, const std::vector<L3Group>& groups, const std::string& kernel, std::size_t shown) {
  std::string out;
  for (const auto& g : groups) {
    if (g.kernel != kernel) continue;
    out += caption(f, fmt::format("{}, {} thread(s), {} cache: {} configurations by L3 miss rate", g.shape, g.threads,
                                  g.cache, g.rows.size()));
    Table t{{"rank", "L3 miss", "L3 MPKI", "L3 misses/KiB", "time", "variant", "parameters"},
            {true, true, true, true, true, false, false},
            {}};
    const auto add = [&](std::size_t i) {
      const Record& r = *g.rows[i];
      // Misses per KiB of the work model's bytes: bytes per call = GB/s × ns.
      std::optional<double> per_kib;
      if (const auto m = metric_of(r, "l3_misses"); m && r.gbps && *r.gbps > 0)
        per_kib = *m / (*r.gbps * *r.time_ns / 1024);
      t.rows.push_back({std::to_string(i + 1), pct(metric_of(r, "l3_miss_rate")),
                        num(metric_of(r, "l3_mpki"), "{:.2f}"), num(per_kib, "{:.3f}"), human_time(*r.time_ns),
                        r.config.variant, params_of(r)});
    };
    const std::size_t n = g.rows.size();
    if (n <= shown) {
      for (std::size_t i = 0; i < n; ++i) add(i);
    } else {
      for (std::size_t i = 0; i < shown / 2; ++i) add(i);
      t.rows.push_back({"…", "", "", "", "", fmt::format("{} more", n - shown), ""});
      for (std::size_t i = n - (shown - shown / 2); i < n; ++i) add(i);
    }
    out += t.render(f);
    if (g.rho)
      out += note(f, fmt::format("Spearman rank correlation of L3 miss rate with time: {:+.2f} ({})", *g.rho,
                                 std::abs(*g.rho) >= 0.7 ? (*g.rho > 0 ? "more misses, slower" : "more misses, faster")
                                 : std::abs(*g.rho) >= 0.3 ? "a weak link"
                                                           : "no clear link between misses and time"));
    else
      out += note(f, "no rank correlation: " + g.why_no_rho);
    out += note(f, "counters: " + counters_said(g.counters)) + "\n";
  }
  return out;
}

}  // namespace

std::string render_report(const std::vector<ResultsFile>& files, const ReportOptions& opt) {
  const TextFormat f = opt.format;
  std::vector<Record> records;
  for (const auto& file : files) records.insert(records.end(), file.records.begin(), file.records.end());
  std::string out = heading(f, 1, "Cromwell report");
  out += f == TextFormat::md ? "" : "\n";
  if (f == TextFormat::html) {
    out += "<ul class=\"sources\">\n";
    for (const auto& line : split(sources(files), '\n'))
      if (!line.empty()) out += "<li>" + html_escape(line) + "</li>\n";
    out += "</ul>\n";
  } else {
    for (const auto& line : split(sources(files), '\n'))
      if (!line.empty()) out += (f == TextFormat::md ? "- " : "") + line + "\n";
  }
  out += "\n";

  const auto best = best_per_variant(records);
  const auto l3 = l3_groups(records);
  std::vector<std::string> kernels;
  for (const auto& g : best)
    if (std::find(kernels.begin(), kernels.end(), g.kernel) == kernels.end()) kernels.push_back(g.kernel);
  if (kernels.empty()) out += para(f, "No measured rows.");
  for (const auto& k : kernels) {
    out += heading(f, 2, fmt::format("{}: the best configuration of each variant", k));
    out += f == TextFormat::md ? "" : "\n";
    out += best_section(f, best, k, opt.confirmed);
  }
  if (opt.baseline) {
    out += heading(f, 2, fmt::format("Against the baseline {}", opt.baseline->path));
    out += f == TextFormat::md ? "" : "\n";
    out += render_changes(f, changes_between(opt.baseline->records, records), opt.baseline->path, opt.l3_rows);
  }

  out += heading(f, 2, "L3 miss-rate report");
  out += f == TextFormat::md ? "" : "\n";
  if (l3.empty()) {
    std::set<std::string> src;
    for (const auto& r : records)
      if (r.status == Status::measured && r.config.kernel != "noop") src.insert(r.counters_source);
    out += para(f, fmt::format("No L3 miss rates in {} (counters: {}). On a machine without hardware counters, "
                               "`--counters sim` simulates the caches (slow: sweep few configurations).",
                               files.size() == 1 ? "this file" : "these files",
                               src.empty() ? "none" : join(std::vector<std::string>(src.begin(), src.end()), ", ")));
  }
  for (const auto& k : kernels) out += l3_section(f, l3, k, opt.l3_rows);

  out += heading(f, 2, "Not measured");
  out += f == TextFormat::md ? "" : "\n";
  out += not_measured(f, records);
  return out;
}

}  // namespace cromwell
