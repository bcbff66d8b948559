#include "harness/run/merge.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "harness/io/sink.hpp"
#include "harness/platform/text.hpp"
#include "harness/run/shard.hpp"

namespace cromwell {
namespace {

using Json = nlohmann::ordered_json;

// What an input's context says about the sweep that wrote it.
struct Input {
  const ResultsFile* file = nullptr;
  std::string context;  // the context file's path, for messages
  Shard shard;          // 0/1 for a sweep that was not sharded
  bool sharded = false;
  std::string hash;
  std::size_t configs = 0;
  std::vector<std::string> keys;
  Json slurm;
};

Input describe(const ResultsFile& f) {
  Input in;
  in.file = &f;
  in.context = context_path(f.path);
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument(
        fmt::format("{}: {} (in its context {}): merge joins the files that `cromwell sweep "
                    "--shard K/N` wrote, each with its context",
                    f.path, why, in.context));
  };
  if (f.context.is_null()) throw bad("no context file");
  if (!f.context.contains("sweep") || !f.context["sweep"].is_object())
    throw bad("no 'sweep' object (the sweep's hash, shard and keys)");
  const Json& s = f.context["sweep"];
  if (!s.contains("hash") || !s["hash"].is_string() || s["hash"].get<std::string>().empty())
    throw bad("sweep.hash is missing or not a string");
  in.hash = s["hash"].get<std::string>();
  if (!s.contains("configs") || !s["configs"].is_number_unsigned())
    throw bad("sweep.configs is missing or not a count");
  in.configs = s["configs"].get<std::size_t>();
  if (!s.contains("keys") || !s["keys"].is_array()) throw bad("sweep.keys is missing or not a list");
  for (const auto& k : s["keys"]) {
    if (!k.is_string()) throw bad(fmt::format("sweep.keys holds {}, not a key", k.dump()));
    in.keys.push_back(k.get<std::string>());
  }
  if (s.contains("shard") && !s["shard"].is_null()) {
    if (!s["shard"].is_string()) throw bad(fmt::format("sweep.shard is {}, not \"K/N\" or null", s["shard"].dump()));
    try {
      in.shard = parse_shard(s["shard"].get<std::string>());
    } catch (const std::invalid_argument& e) {
      throw bad(fmt::format("sweep.{}", e.what()));
    }
    in.sharded = true;
  }
  if (s.contains("slurm")) in.slurm = s["slurm"];
  return in;
}

std::string shard_text(const Input& in) {
  return in.sharded ? "shard " + in.shard.text() : "the whole sweep (no --shard)";
}

std::string names(const std::vector<std::string>& v) { return v.empty() ? "none" : join(v, ","); }

// Refuses `b` unless it is another shard of `a`'s sweep, naming both files and the field.
void check_same_sweep(const Input& a, const Input& b) {
  const std::string& pa = a.file->path;
  const std::string& pb = b.file->path;
  const auto differ = [&](const std::string& field, const std::string& va, const std::string& vb) {
    return std::invalid_argument(fmt::format("{} and {} are not shards of one sweep: {} differs ({} in {}, {} in {})",
                                             pa, pb, field, va, pa, vb, pb));
  };
  if (a.hash != b.hash) throw differ("sweep.hash", a.hash, b.hash);
  if (a.shard.count != b.shard.count)
    throw differ("the shard count N", fmt::format("{} ({})", a.shard.count, shard_text(a)),
                 fmt::format("{} ({})", b.shard.count, shard_text(b)));
  if (a.configs != b.configs) throw differ("sweep.configs", std::to_string(a.configs), std::to_string(b.configs));
  if (a.file->schema_version != b.file->schema_version)
    throw differ("schema_version", std::to_string(a.file->schema_version), std::to_string(b.file->schema_version));
  const auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  if (sorted(a.file->columns.dims) != sorted(b.file->columns.dims))
    throw differ("the dimension columns", names(a.file->columns.dims), names(b.file->columns.dims));
  if (sorted(a.file->columns.params) != sorted(b.file->columns.params))
    throw differ("the parameter columns", names(a.file->columns.params), names(b.file->columns.params));
}

std::string context_text(const Json& ctx, const char* a, const char* b = nullptr) {
  if (!ctx.contains(a)) return "";
  const Json* v = &ctx[a];
  if (b) {
    if (!v->is_object() || !v->contains(b)) return "";
    v = &(*v)[b];
  }
  return v->is_string() ? v->get<std::string>() : v->dump();
}

// The number of configs of shard k of n in a sweep of `configs`.
std::size_t shard_size(std::size_t configs, int k, int n) {
  return configs > static_cast<std::size_t>(k) ? (configs - k + n - 1) / n : 0;
}

std::string canonical(const std::string& p) { return std::filesystem::weakly_canonical(p).string(); }

}  // namespace

Merged merge_results(const std::vector<ResultsFile>& files) {
  if (files.empty()) throw std::invalid_argument("merge: no input files");
  std::vector<Input> inputs;
  for (const auto& f : files) inputs.push_back(describe(f));
  for (std::size_t i = 1; i < inputs.size(); ++i) check_same_sweep(inputs[0], inputs[i]);
  std::map<int, const Input*> by_shard;
  for (const auto& in : inputs) {
    const auto [it, fresh] = by_shard.emplace(in.shard.index, &in);
    if (!fresh)
      throw std::invalid_argument(fmt::format(
          "{} and {} are both {}: a shard given twice (keep the file of one run of it; a requeued task continues "
          "its own file)",
          it->second->file->path, in.file->path, shard_text(in)));
  }

  Merged m;
  const int n = inputs[0].shard.count;
  m.shard_count = n;
  m.configs = inputs[0].configs;
  const Input& first = *by_shard.begin()->second;
  m.columns = first.file->columns;

  // Each listed key's position in the whole sweep: position j of shard K is j·N + K.
  std::unordered_map<std::string, std::size_t> position;
  std::unordered_map<std::string, int> owner;
  for (const auto& [k, in] : by_shard)
    for (std::size_t j = 0; j < in->keys.size(); ++j) {
      position.emplace(in->keys[j], j * n + k);
      owner.emplace(in->keys[j], k);
    }

  constexpr std::size_t kUnlisted = std::numeric_limits<std::size_t>::max();
  std::vector<std::pair<std::size_t, Record>> rows;
  std::unordered_map<std::string, std::string> seen;  // key -> the file its kept row came from
  std::set<std::string> backends, cpus;
  for (const auto& [k, in] : by_shard) {
    const ResultsFile& f = *in->file;
    m.columns.add(f.columns);
    m.inputs.push_back({f.path, in->sharded ? in->shard.text() : "", f.records.size(), in->slurm});
    backends.insert(context_text(f.context, "counters_backend"));
    cpus.insert(context_text(f.context, "cpu", "name"));
    for (Record r : f.records) {
      if (r.shard.empty() && in->sharded) r.shard = in->shard.text();
      if (r.config.kernel == "noop") {  // a calibration row: every shard's is kept
        m.records.push_back(std::move(r));
        continue;
      }
      const std::string key = r.config.key();
      const auto [it, fresh] = seen.emplace(key, f.path);
      if (!fresh) {
        m.duplicates.push_back(
            fmt::format("{} (in {} and {}; the row of {} is kept)", key, it->second, f.path, it->second));
        continue;
      }
      const auto pos = position.find(key);
      if (pos == position.end()) ++m.unlisted;
      rows.emplace_back(pos == position.end() ? kUnlisted : pos->second, std::move(r));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [pos, r] : rows) m.records.push_back(std::move(r));

  // Missing: listed keys without a row, and whole shards without a file.
  std::vector<std::pair<std::size_t, std::string>> missing;
  std::set<int> resubmit;
  for (const auto& [key, pos] : position)
    if (!seen.count(key)) {
      missing.emplace_back(pos, key);
      resubmit.insert(owner[key]);
    }
  std::sort(missing.begin(), missing.end());
  for (auto& [pos, key] : missing) m.missing.push_back(std::move(key));
  for (int k = 0; k < n; ++k)
    if (!by_shard.count(k)) {
      m.absent_shards.push_back(k);
      m.absent_configs += shard_size(m.configs, k, n);
      resubmit.insert(k);
    }
  m.resubmit.assign(resubmit.begin(), resubmit.end());

  if (backends.size() > 1)
    m.notes.push_back(fmt::format("the shards counted with different backends ({}): their counter columns differ",
                                  join(std::vector<std::string>(backends.begin(), backends.end()), ", ")));
  if (cpus.size() > 1)
    m.notes.push_back(fmt::format("the shards ran on different CPUs ({}): compare their timings with care",
                                  join(std::vector<std::string>(cpus.begin(), cpus.end()), "; ")));
  if (m.unlisted)
    m.notes.push_back(fmt::format("{} row(s) with a key in no shard's list are kept after the others", m.unlisted));

  // The merged context: the first shard's, describing the whole sweep.
  m.context = first.file->context;
  Json& s = m.context["sweep"];
  s["shard"] = nullptr;
  s["slurm"] = nullptr;
  std::vector<std::pair<std::size_t, std::string>> listed;
  for (const auto& [key, pos] : position) listed.emplace_back(pos, key);
  std::sort(listed.begin(), listed.end());
  Json keys = Json::array();
  for (const auto& [pos, key] : listed) keys.push_back(key);
  s["keys"] = std::move(keys);
  return m;
}

void write_merged(const Merged& m, const std::string& path, const std::string& command_line) {
  const std::string ctx = context_path(path);
  for (const auto& in : m.inputs)
    for (const std::string& theirs : {in.path, context_path(in.path)})
      for (const std::string& mine : {path, ctx})
        if (canonical(theirs) == canonical(mine))
          throw std::invalid_argument(fmt::format("-o {}: writing it would replace {}, an input", path, theirs));
  namespace fs = std::filesystem;
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());

  Json context = m.context;
  context["schema_version"] = kSchemaVersion;  // the rows are written in today's schema
  Json from = Json::array();
  for (const auto& in : m.inputs)
    from.push_back({{"file", in.path},
                    {"shard", in.shard.empty() ? Json(nullptr) : Json(in.shard)},
                    {"rows", in.rows},
                    {"slurm", in.slurm}});
  context["merged_from"] = std::move(from);
  Json missing = Json::array();
  for (const auto& k : m.missing) missing.push_back(k);
  context["merge"] = {{"complete", m.complete()},           {"missing", m.missing_count()},
                      {"missing_keys", std::move(missing)}, {"absent_shards", m.absent_shards},
                      {"duplicates", m.duplicates.size()},  {"command_line", command_line}};
  {
    std::ofstream out(ctx);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", ctx));
    out << context.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  const bool lines = fs::path(path).extension() == ".jsonl";
  auto sink = lines ? jsonl_sink(path, m.columns) : csv_sink(path, m.columns);
  for (const auto& r : m.records) sink->write(r);
  sink->finish();
}

}  // namespace cromwell
