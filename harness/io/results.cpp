#include "harness/io/results.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/csv.hpp"
#include "harness/io/jsonl.hpp"

namespace cromwell {

std::string context_path(const std::string& results_path) {
  std::filesystem::path p(results_path);
  if (p.extension() == ".csv" || p.extension() == ".jsonl")
    p.replace_extension(".json");
  else
    p += ".json";
  return p.string();
}

std::vector<std::string> row_cells(const Record& r, const std::vector<Column>& columns) {
  std::vector<std::string> cells;
  cells.reserve(columns.size());
  for (const auto& c : columns) cells.push_back(to_text(c, c.get(r)));
  return cells;
}

Record record_from_cells(const std::vector<Column>& columns, const std::vector<std::string>& cells,
                         const std::string& where) {
  Record r;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    try {
      columns[i].set(r, from_text(columns[i], cells[i]));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}: column {}: {}", where, columns[i].name, e.what()));
    }
  }
  return r;
}

std::vector<std::string> shape_names_of(const std::vector<std::string>& keys) {
  std::vector<std::string> names;
  for (const auto& k : keys) {
    Config c;
    try {
      c = parse_key(k);
    } catch (const std::invalid_argument&) {
      continue;  // reported with its line when the row is read
    }
    for (const auto& [n, v] : c.shape.items)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

namespace {

// What became of a counter column of an older file whose meaning has changed since: renamed to the
// column that now means what it counted, or emptied with the reason.
struct Meaning {
  int before;               // files of a version below this one
  std::string source;       // rows whose counters_source is this ("perf:zen*": starts with "perf:zen")
  std::string column, now;  // renamed to `now`; emptied with `reason` when `now` is empty
  std::string reason;
};

const std::vector<Meaning>& meaning_changes() {
  static const std::string kZenDemand =
      "before schema version 2 this counted demand L1D fills only (PMCx043); it counts every prefetcher's lines now";
  static const std::string kZenDram =
      "before schema version 2 this counted L1D fills from DRAM (PMCx044), without the lines the L2 prefetcher brought";
  static const std::string kSwDropped =
      "before schema version 2 this event was opened in user mode only, where the kernel drops every one of them: "
      "the 0 was not counted";
  // Version 2 (docs/results-format.md): L3 columns count lines from beyond L3 whoever asked for them,
  // the demand-only values have *_demand columns; the sw scheduler events are counted.
  static const std::vector<Meaning> m = {
      {2, "perf:zen*", "l3_accesses", "l3_accesses_demand", ""},
      {2, "perf:zen*", "l3_misses", "l3_misses_demand", ""},
      {2, "perf:zen*", "l3_miss_rate", "l3_miss_rate_demand", ""},
      {2, "perf:zen*", "l3_mpki", "l3_mpki_demand", ""},
      {2, "perf:zen*", "l2_misses", "", kZenDemand},
      {2, "perf:zen*", "l2_miss_rate", "", kZenDemand},
      {2, "perf:zen*", "l2_mpki", "", kZenDemand},
      {2, "perf:zen2", "dram_fills", "dram_fills_demand", ""},
      {2, "perf:zen2", "dram_fills_pki", "", kZenDemand},
      {2, "perf:zen3", "dram_fills", "", kZenDram},
      {2, "perf:zen3", "dram_fills_pki", "", kZenDram},
      {2, "perf:zen4", "dram_fills", "", kZenDram},
      {2, "perf:zen4", "dram_fills_pki", "", kZenDram},
      {2, "perf:skl", "dram_fills", "dram_fills_demand", ""},
      {2, "perf:icl", "dram_fills", "dram_fills_demand", ""},
      {2, "perf:skl", "dram_fills_pki", "", "before schema version 2 this counted retired loads that missed L3"},
      {2, "perf:icl", "dram_fills_pki", "", "before schema version 2 this counted retired loads that missed L3"},
      {2, "perf:skl", "l2_miss_rate", "", "before schema version 2 this divided L2 demand misses by L1D replacements"},
      {2, "perf:icl", "l2_miss_rate", "", "before schema version 2 this divided L2 demand misses by L1D replacements"},
      {2, "sw", "context_switches", "", kSwDropped},
      {2, "sw", "cpu_migrations", "", kSwDropped},
  };
  return m;
}

// Rows of an older file in today's meaning of their columns.
void apply_meaning_changes(ResultsFile& f) {
  bool changed = false;
  for (const Meaning& m : meaning_changes()) {
    if (f.schema_version >= m.before) continue;
    for (Record& r : f.records) {
      const bool prefix = m.source.back() == '*';
      if (prefix ? r.counters_source.rfind(m.source.substr(0, m.source.size() - 1), 0) != 0
                 : r.counters_source != m.source)
        continue;
      for (Metric& x : r.metrics) {
        if (x.name != m.column) continue;
        changed = true;
        if (!m.now.empty()) {
          x.name = m.now;
        } else if (x.value) {
          x.value.reset();
          x.reason = m.column + ": " + m.reason;
          r.counters_reason += (r.counters_reason.empty() ? "" : "; ") + x.reason;
        }
      }
    }
  }
  if (!changed) return;
  // The metric columns as the rows now name them, in first-appearance order.
  f.columns.metrics.clear();
  for (const Record& r : f.records)
    for (const Metric& x : r.metrics)
      if (std::find(f.columns.metrics.begin(), f.columns.metrics.end(), x.name) == f.columns.metrics.end())
        f.columns.metrics.push_back(x.name);
}

}  // namespace

ResultsFile read_results(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::invalid_argument(fmt::format("{}: no such file", path));
  int version = 0;
  nlohmann::ordered_json context;
  const std::string ctx = context_path(path);
  if (std::filesystem::exists(ctx)) {
    std::ifstream in(ctx);
    try {
      context = nlohmann::ordered_json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(fmt::format("{}: not a JSON context ({})", ctx, e.what()));
    }
    if (context.contains("schema_version")) {
      const auto& v = context["schema_version"];
      if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > kSchemaVersion)
        throw std::invalid_argument(fmt::format(
            "{}: schema_version {} is not known: this cromwell reads versions 0 to {} (a newer cromwell wrote it?)",
            ctx, v.dump(), kSchemaVersion));
      version = v.get<int>();
    }
  }
  ResultsFile f =
      std::filesystem::path(path).extension() == ".jsonl" ? read_jsonl(path, version) : read_csv(path, version);
  f.context = std::move(context);
  apply_meaning_changes(f);
  return f;
}

std::string cut_incomplete_last_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty() || text.back() == '\n') return "";
  const std::size_t keep = text.rfind('\n') + 1;  // 0 when no line is whole
  std::filesystem::resize_file(path, keep);
  std::string cut = text.substr(keep, 60);
  std::replace_if(cut.begin(), cut.end(), [](char c) { return c < ' '; }, ' ');
  return fmt::format("{}: removed an incomplete last line ({} bytes, \"{}{}\"), left by an interrupted write", path,
                     text.size() - keep, cut, text.size() - keep > 60 ? "…" : "");
}

}  // namespace cromwell
